"""Building fixes from CST changes: keyword insertion, import insertion.

Rules describe a fix as node changes; the engine turns them into plain text
edits once positions are known (only for files that have findings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rel05_lint.core.findings import Applicability
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import dotted

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


@dataclass(frozen=True)
class Replace:
    old: cst.CSTNode
    new: cst.CSTNode


@dataclass(frozen=True)
class InsertText:
    anchor: cst.CSTNode
    text: str
    before: bool = False  # else after the anchor (a statement: at the next line)


Change = Replace | InsertText


@dataclass
class FixSpec:
    applicability: Applicability
    message: str
    changes: list[Change] = field(default_factory=list)


_NO_SPACE = later(lambda: cst.SimpleWhitespace(""))


def make_arg(name: str, value_code: str) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value_code),
        equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
    )


def add_keyword(call: cst.Call, name: str, value_code: str) -> cst.Call:
    """``call`` with ``name=value`` appended, keeping one-line or multi-line layout."""
    new = make_arg(name, value_code)
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # Trailing comma: the new argument takes it; the old last gets a separator
        # like the one between earlier arguments.
        sep = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
        if sep is None:
            sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=sep)
        args.append(new.with_changes(comma=last.comma))
    else:
        sep = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
        if sep is None or not _is_multiline(call):
            sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=sep, whitespace_after_arg=_NO_SPACE)
        args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def _is_multiline(call: cst.Call) -> bool:
    return any(
        isinstance(a.comma, cst.Comma) and isinstance(a.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for a in call.args
    )


def remove_keyword(call: cst.Call, name: str) -> cst.Call:
    args = list(call.args)
    idx = next(i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == name)
    removed = args.pop(idx)
    if args and idx == len(args):
        # It was last: the new last argument takes over its comma (or lack of one).
        args[-1] = args[-1].with_changes(comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg)
    return call.with_changes(args=args)


def import_for(ctx: Context, module: str, name: str) -> tuple[str, list]:
    """How to spell ``module.name`` in this file, and the changes that import it.

    Follows the file's own style: an existing ``from module import ...`` is
    extended, an existing ``import module`` is used with its prefix, else a new
    ``from module import name`` line goes after the last top-level import.
    """
    scope = ctx.scopes.module_scope
    target = f"{module}.{name}"
    # A name the file already imports wins over any prefix spelling.
    for local, bindings in scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualname == target:
            return local, []
    from_stmt = None
    for local, bindings in scope.bindings.items():
        for b in bindings:
            if b.kind != "import":
                continue
            if b.qualname == target and len(bindings) == 1:
                return local, []
            if b.qualname == module and len(bindings) == 1 and isinstance(b.node, cst.Import):
                return f"{local}.{name}", []
            if (
                isinstance(b.node, cst.ImportFrom)
                and from_stmt is None
                and b.node.module is not None
                and dotted(b.node.module) == module
                and not b.node.relative
                and not isinstance(b.node.names, cst.ImportStar)
            ):
                from_stmt = b.node
    if name in scope.bindings:
        return target, []  # the short name is taken: fall back to the full path? keep it safe
    if from_stmt is not None:
        return name, [Replace(from_stmt, extend_from(from_stmt, name))]
    anchor, before = _import_anchor(ctx.module)
    line = f"from {module} import {name}{ctx.newline}"
    return name, [InsertText(anchor, line, before=before)]


def extend_from(stmt: cst.ImportFrom, name: str) -> cst.ImportFrom:
    assert not isinstance(stmt.names, cst.ImportStar)  # callers pick a `from m import a, b` line
    names = list(stmt.names)
    last = names[-1]
    new = cst.ImportAlias(name=cst.Name(name))
    if isinstance(last.comma, cst.Comma):
        sep = (
            names[-2].comma
            if len(names) > 1 and isinstance(names[-2].comma, cst.Comma)
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        names[-1] = last.with_changes(comma=sep)
        names.append(new.with_changes(comma=last.comma))
    else:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(new)
    return stmt.with_changes(names=names)


def _import_anchor(module: cst.Module) -> tuple[cst.CSTNode, bool]:
    """Where a new import line goes: after the last top-level import, else after
    the docstring, else before the first statement."""
    last_import = None
    docstring = None
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                last_import = stmt
                continue
            if (
                i == 0
                and isinstance(stmt.body[0], cst.Expr)
                and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
            ):
                docstring = stmt
                continue
        if last_import is not None or docstring is not None or i > 0:
            break
    if last_import is not None:
        return last_import, False
    if docstring is not None:
        return docstring, False
    return (module.body[0], True) if module.body else (module, True)
