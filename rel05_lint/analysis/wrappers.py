"""Forwarding wrappers (edition 2, E2): project functions that take a remote
call's bound from their own parameters and never set it themselves.

``fetch(url, **kwargs)`` calling ``requests.get(url, **kwargs)``, or
``fetch(url, timeout=None)`` passing ``timeout=timeout``, is a wrapper of
``requests.get``; so is a wrapper of a wrapper (within E2's 3 calls). The
index (``core/project.py``) records the shape from the module's text; this
module decides, with the timeout catalog, which inner call is a REL501 target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog.timeouts import FUNCTIONS, INSTANCE_CALLS, Target
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.project import MAX_DEPTH, Wrap

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


@dataclass(frozen=True)
class Forward:
    """A call of a wrapper: what it forwards to and through which parameter."""

    wrap: Wrap
    target: Target
    inner: str  # the innermost catalogued call, for messages


def _inner(ctx: Context, wrap: Wrap, depth: int, seen: frozenset[str]) -> tuple[Target, str] | None:
    """The catalogued call ``wrap`` forwards to, if that call waits forever without its bound."""
    project = ctx.project
    assert project is not None
    target: Target | None = None
    inner = ""
    if wrap.callee is not None:
        target = FUNCTIONS.get(wrap.callee)
        inner = wrap.callee
        if target is None and depth < MAX_DEPTH and wrap.callee not in seen:
            # A wrapper of a wrapper: the parameter must reach the next wrapper's own.
            func = project.function(wrap.callee)
            for nxt in func.wraps if func is not None else ():
                # A spread reaches any parameter; a keyword only the one it names.
                if wrap.how == "param" and (nxt.how != "param" or nxt.param != wrap.keyword):
                    continue
                if wrap.how == "spread" and nxt.how == "param" and nxt.param in wrap.given:
                    continue
                found = _inner(ctx, nxt, depth + 1, seen | {wrap.callee})
                if found is not None:
                    return found
            return None
    elif wrap.owner is not None and wrap.method is not None:
        for kind in INSTANCE_CALLS:
            candidate = kind.methods.get(wrap.method)
            if candidate is None:
                continue
            got = project.result(wrap.owner, kind.constructors)
            if got is not None:
                if kind.ctor_arg is not None:
                    return None  # the pool may carry the bound: not read across modules
                target, inner = candidate, f"{got.qual}.{wrap.method}"
                break
    if target is None or not target.missing:
        return None
    keywords = {a.keyword for a in (target.arg, *target.also)}
    if keywords & (set(wrap.given) - {wrap.keyword}):
        return None  # the inner call sets the bound itself
    if wrap.how == "spread" and (keywords & set(wrap.sets) or "*" in wrap.sets):
        return None  # the wrapper puts a bound into the forwarded dict
    if wrap.how == "param" and wrap.keyword not in keywords:
        return None
    return target, inner


def forwards(ctx: Context, call: cst.Call) -> Forward | None:
    """The wrapper ``call`` calls, when it passes no bound for the wrapper to forward."""
    project = ctx.project
    if project is None:
        return None
    qual = ctx.project_name(call.func)
    if qual is None:
        return None
    func = project.function(qual)
    if func is None or not func.wraps:
        return None
    for wrap in func.wraps:
        found = _inner(ctx, wrap, 1, frozenset({qual}))
        if found is None:
            continue
        if _passes_bound(call, wrap, found[0]):
            return None
        return Forward(wrap, found[0], found[1])
    return None


def _passes_bound(call: cst.Call, wrap: Wrap, target: Target) -> bool:
    """Whether the wrapper's caller passes something the wrapper forwards as the bound."""
    if any(a.star for a in call.args):
        return True  # a spread may hold it
    names = {a.keyword.value for a in call.args if a.keyword is not None}
    if wrap.how == "spread":
        return bool(names & {a.keyword for a in (target.arg, *target.also)})
    if wrap.param in names:
        return True
    positional = sum(1 for a in call.args if a.keyword is None)
    return wrap.position is not None and positional > wrap.position
