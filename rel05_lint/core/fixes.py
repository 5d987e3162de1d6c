"""Building fixes from CST changes: keyword insertion, import insertion.

Rules describe a fix as node changes; the engine turns them into plain text
edits once positions are known (only for files that have findings).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rel05_lint.core.findings import Applicability
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import Scope, dotted

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
    """``call`` with ``name=value`` appended, keeping one-line or multi-line layout.

    In a multi-line call the new argument gets a line of its own and every
    comment stays on the line of the argument it follows (a ``# noqa`` or
    ``# type: ignore`` must not move to another line).
    """
    new = make_arg(name, value_code)
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    sep = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
    indent = _arg_indent(call, sep)
    if isinstance(last.comma, cst.Comma):
        # Trailing comma: the new argument gets one like it; the old last keeps
        # its comma and comment, and the new line starts with the arguments' indent.
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and indent is not None:
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=_next_line(after, indent)))
            args.append(new.with_changes(comma=last.comma.with_changes(whitespace_after=_bare_line(after))))
        else:
            if sep is None or isinstance(sep.whitespace_after, cst.ParenthesizedWhitespace):
                sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            args[-1] = last.with_changes(comma=sep)
            args.append(new.with_changes(comma=last.comma))
    else:
        after = last.whitespace_after_arg
        if isinstance(after, cst.ParenthesizedWhitespace) and indent is not None:
            comma = cst.Comma(whitespace_after=_next_line(after, indent))
            args[-1] = last.with_changes(comma=comma, whitespace_after_arg=_NO_SPACE)
            args.append(new.with_changes(whitespace_after_arg=_bare_line(after)))
        else:
            if sep is None or not _is_multiline(call) or _has_comment(sep.whitespace_after):
                sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            args[-1] = last.with_changes(comma=sep, whitespace_after_arg=_NO_SPACE)
            args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def _arg_indent(call: cst.Call, sep: cst.Comma | None) -> cst.ParenthesizedWhitespace | None:
    """The line break that starts an argument line of ``call`` (None: not one per line)."""
    for ws in (sep.whitespace_after if sep is not None else None, call.whitespace_before_args):
        if isinstance(ws, cst.ParenthesizedWhitespace):
            return ws
    return None


def _next_line(after: cst.ParenthesizedWhitespace, indent: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """The end of the old last argument's line (its comment kept), then an argument's indent."""
    return after.with_changes(indent=indent.indent, last_line=indent.last_line)


def _bare_line(after: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """A line end without comment, then what led to the closing parenthesis."""
    return after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])


def _has_comment(ws: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace) and (
        ws.first_line.comment is not None or any(line.comment is not None for line in ws.empty_lines)
    )


def _is_multiline(call: cst.Call) -> bool:
    return any(
        isinstance(a.comma, cst.Comma) and isinstance(a.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for a in call.args
    )


def remove_keyword(call: cst.Call, name: str) -> cst.Call:
    """``call`` without its ``name=`` argument. The comments of the removed line go
    with it; the others stay on their lines."""
    args = list(call.args)
    idx = next(i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == name)
    removed = args.pop(idx)
    if args and idx == len(args):
        # It was last: the new last argument ends where it ended (its trailing
        # comma or lack of one, the closing parenthesis's line), keeping its own comment.
        prev = args[-1]
        own = prev.comma.whitespace_after if isinstance(prev.comma, cst.Comma) else None
        closing = (
            removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else removed.whitespace_after_arg
        )
        if isinstance(own, cst.ParenthesizedWhitespace) and isinstance(closing, cst.ParenthesizedWhitespace):
            end = own.with_changes(indent=closing.indent, last_line=closing.last_line)
            if isinstance(removed.comma, cst.Comma):
                args[-1] = prev.with_changes(comma=removed.comma.with_changes(whitespace_after=end))
            else:
                args[-1] = prev.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=end)
        else:
            args[-1] = prev.with_changes(comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg)
    return call.with_changes(args=args)


def import_for(ctx: Context, module: str, name: str, prefer_from: bool = False) -> tuple[str, list] | None:
    """How to spell ``module.name`` at the current node, and the changes that import it;
    None when no spelling is safe there.

    Follows the file's own style: a name the file already imports is used, an
    existing ``import module`` gives its prefix, an existing top-level ``from
    module import ...`` is extended (first when ``prefer_from``), else a new
    ``from module import name`` line is added. Where the short name is taken
    (at module level, by a star import, a builtin, or a closer scope of the
    call site) the qualified name is used, with an ``import module`` line.
    A spelling is kept only if it names the target at the call site: a
    lambda parameter, comprehension variable, class attribute or local of
    the same name would capture it.
    """
    scopes = ctx.scopes
    scope = scopes.module_scope
    target = f"{module}.{name}"

    def names_target(spelling: str) -> bool:
        return ctx.qualname(cst.parse_expression(spelling)) == target

    # A name the file already imports wins over any prefix spelling.
    for local, bindings in scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualname == target:
            if names_target(local):
                return local, []
    prefix = _module_prefix(scope, module)
    if prefix is not None and not prefer_from and names_target(f"{prefix}.{name}"):
        return f"{prefix}.{name}", []
    if _free(ctx, name) and not scope.has_star_import:
        from_stmt = _from_import(ctx.module, module)
        if from_stmt is not None:
            return name, [Replace(from_stmt, extend_from(from_stmt, name))]
        if prefix is None:
            line = _import_line(ctx, f"from {module} import {name}")
            return None if line is None else (name, [line])
    if prefix is not None and names_target(f"{prefix}.{name}"):
        return f"{prefix}.{name}", []
    # Qualified, with its own `import module` (also the star-import case: a new
    # short name could shadow one the star import provides).
    head = module.split(".", 1)[0]
    head_bindings = scope.bindings.get(head)
    if head_bindings is None:
        if not _free(ctx, head):
            return None
    elif not all(b.kind == "import" and b.qualname == head for b in head_bindings):
        return None  # `import myapp.settings` would rebind a name the file uses otherwise
    found = scopes.lookup(head)
    if found is not None and found[1] is not scope:
        return None  # a closer binding of the head name captures it at the call site
    line = _import_line(ctx, f"import {module}")
    return None if line is None else (target, [line])


def _module_prefix(scope: Scope, module: str) -> str | None:
    """The local name that spells ``module`` through an ``import`` of it, if any."""
    for local, bindings in scope.bindings.items():
        if len(bindings) != 1 or bindings[0].kind != "import" or not isinstance(bindings[0].node, cst.Import):
            continue
        b = bindings[0]
        if b.qualname == module and (local != module or "." not in module):
            return local  # `import module as local`, or `import module` itself
        if "." in module and local == module.split(".", 1)[0]:
            # `import a.b` binds `a`; `a.b.name` works only if this statement imports `a.b`.
            node = b.node
            assert isinstance(node, cst.Import)
            if any(a.asname is None and dotted(a.name) == module for a in node.names):
                return module
    return None


def _free(ctx: Context, name: str) -> bool:
    """Whether a new module-level ``name`` would change no existing name: unbound at
    module level (nor declared ``global``), not a builtin, unbound in every scope
    that encloses the call site."""
    scopes = ctx.scopes
    if name in scopes.module_scope.bindings or name in _BUILTINS or name in scopes.declared_global:
        return False
    return scopes.lookup(name) is None


_BUILTINS = frozenset(dir(builtins))


def _from_import(module: cst.Module, name: str) -> cst.ImportFrom | None:
    """The first top-level, run-time ``from name import a, b`` statement."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and not small.relative
                and dotted(small.module) == name
                and not isinstance(small.names, cst.ImportStar)
            ):
                return small
    return None


def _import_line(ctx: Context, statement: str) -> InsertText | None:
    placed = _import_anchor(ctx.module)
    if placed is None:
        return None
    anchor, before = placed
    return InsertText(anchor, f"{statement}{ctx.newline}", before=before)


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


def _import_anchor(module: cst.Module) -> tuple[cst.CSTNode, bool] | None:
    """Where a new import line goes: after the last top-level import, else after
    the docstring, else before the first statement. A line that holds more than
    imports (``import x; x.get(u)``) gets the new line before it, so that what it
    runs sees the import; None if that line also holds a ``__future__`` import
    (nothing may come before it)."""
    last_import = None
    docstring = None
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                last_import = stmt
                if not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                    break  # imports then code on one line: the block ends here
                continue
            if (
                i == 0
                and isinstance(stmt.body[0], cst.Expr)
                and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
            ):
                docstring = stmt
                if len(stmt.body) > 1:
                    break  # `"""doc"""; run()`: the new line goes before it
                continue
        if last_import is not None or docstring is not None or i > 0:
            break
    line = last_import or docstring
    if line is None:
        return (module.body[0], True) if module.body else (module, True)
    assert isinstance(line, cst.SimpleStatementLine)
    if line is docstring:
        # Before `"""doc"""; run()` the string would stop being the docstring.
        return (line, False) if len(line.body) == 1 else None
    if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body):
        return line, False
    if any(
        isinstance(s, cst.ImportFrom) and s.module is not None and dotted(s.module) == "__future__" for s in line.body
    ):
        return None
    return line, True
