"""Reading call arguments the way the spec's "argument present" defines it."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


class Spread(enum.Enum):
    UNKNOWN = "unknown"  # a **spread (or *args) whose content the file does not show


UNKNOWN: Final = Spread.UNKNOWN
# What ``find`` answers: the expression passed, UNKNOWN, or None when absent.
if TYPE_CHECKING:
    Found = cst.BaseExpression | Spread | None


@dataclass(frozen=True)
class ArgSpec:
    """Where a bound can be passed: its keyword and, if any, its 0-based position."""

    keyword: str
    position: int | None = None
    # The position holds the bound on some supported Python versions only
    # (3.10/3.11; keyword-only on 3.12): an argument there is present, value unknown.
    varies: bool = False


def positional(call: cst.Call) -> list[cst.Arg]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        out.append(arg)
    return out


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def find(call: cst.Call, spec: ArgSpec, ctx: Context | None = None) -> Found:
    """The expression passed for ``spec``; UNKNOWN if a spread may hold it; None if absent."""
    arg = keyword_arg(call, spec.keyword)
    if arg is not None:
        return arg.value
    if spec.position is not None:
        pos = positional(call)
        if len(pos) > spec.position:
            return UNKNOWN if spec.varies else pos[spec.position].value
        if has_star_args(call) and len(pos) <= spec.position:
            # f(*args) may fill the position; like **kwargs, assume present.
            return UNKNOWN
    for arg in call.args:
        if arg.star == "**":
            keys = spread_keys(arg.value, ctx)
            if keys is None:
                return UNKNOWN
            if spec.keyword in keys:
                return keys[spec.keyword]
    return None


def spread_keys(value: cst.BaseExpression, ctx: Context | None = None) -> dict[str, cst.BaseExpression] | None:
    """Keys of a ``**`` spread when the file shows them; None when unknown."""
    if isinstance(value, cst.Name) and ctx is not None:
        bound = ctx.scopes.value_of(value)
        if bound is None:
            return None
        found = ctx.scopes.lookup(value.value)
        if found is not None and value.value in found[1].mutated:
            return None  # edition 2, E3: filled later (`d[k] = v`, `.update()`): unknown content
        value = bound
    if isinstance(value, cst.Dict):
        keys: dict[str, cst.BaseExpression] = {}
        for el in value.elements:
            if not isinstance(el, cst.DictElement):
                return None  # a nested ** spread: unknown content
            key = string_value(el.key)
            if key is None:
                return None
            keys[key] = el.value
        return keys
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        spread: dict[str, cst.BaseExpression] = {}
        for a in value.args:
            if a.keyword is None:
                return None
            spread[a.keyword.value] = a.value
        return spread
    return None


def may_add_keyword(call: cst.Call, name: str, ctx: Context) -> bool:
    """Whether a fix may add ``name=...`` to ``call``: never where a ``*args`` may
    fill the parameter by position or a ``**spread`` may hold the keyword ("got
    multiple values for keyword argument"). A spread qualifies only when the
    file shows its keys without ``name``: a literal, or a name bound once to
    one whose every other mention in the file is a ``**`` spread (nothing can
    fill it, here or through a call)."""
    for arg in call.args:
        if arg.star == "*":
            return False
        if arg.star == "**":
            keys = spread_keys(arg.value, ctx)
            if keys is None or name in keys:
                return False
            if isinstance(arg.value, cst.Name) and not _only_spread(ctx, arg.value.value):
                return False
    return True


def _only_spread(ctx: Context, name: str) -> bool:
    def count() -> tuple[int, int]:
        code = ctx.module.code
        mentions = len(re.findall(rf"(?<![\w.]){re.escape(name)}(?!\w)", code))
        spreads = len(re.findall(rf"\*\*\s*{re.escape(name)}(?!\w)", code))
        return mentions, spreads

    mentions, spreads = ctx.memo("spread-mentions:" + name, ctx.module, lambda _ctx, _node: count())
    return mentions - spreads <= 1  # the one binding (`NAME = {...}`)


def string_value(node: cst.CSTNode | None) -> str | None:
    """The text of a string literal (plain or implicitly concatenated), else None."""
    if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - odd prefixes: treat as unknown
        return None
    return value if isinstance(value, str) else None


def is_none(node: object) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def number_value(node: object) -> float | None:
    """A literal int/float (with an optional unary minus), else None."""
    sign = 1
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        node = node.expression
    if isinstance(node, cst.Integer):
        return sign * int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return sign * float(node.evaluated_value)
    return None
