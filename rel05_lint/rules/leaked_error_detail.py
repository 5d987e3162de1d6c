"""REL103 leaked-error-detail. Page: rules/REL103.md"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.analysis import request_handlers as handlers
from rel05_lint.analysis.retry_loops import statements
from rel05_lint.catalog.responses import (
    ABORTS,
    HTTP_STATUS,
    LIBRARY_PACKAGES,
    RESPONSE_NAMES,
    RESPONSES,
    STATUS_CONSTANT,
    STATUS_ENUMS,
    TEXT_BUILTINS,
    TRACEBACK_FORMATTERS,
)
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.core.rule import Context

ERROR_ANSWER = Kind(
    "error-answer",
    "BP01",
    "error answers of request handlers (a response returned or raised in `except`)",
    "without the exception's text or traceback",
    headline=True,
)
_SCOPES = later(lambda: (cst.FunctionDef, cst.ClassDef, cst.Lambda))


@dataclass(frozen=True)
class _Except:
    """The ``except`` clauses around the statement: exception names, and names
    their bodies bind to the exception's text before the statement."""

    names: frozenset[str]
    tainted: dict[str, bool]  # name -> it holds a traceback
    library_errors: bool  # a clause catches a builtin or a library's error (not only project classes)


class LeakedErrorDetail(Rule):
    code = "REL103"
    name = "leaked-error-detail"
    best_practice = "BP01"
    summary = "A request handler's error answer carries the exception's text or traceback"
    fix_applicability = Applicability.DISPLAY_ONLY
    counts = (ERROR_ANSWER,)

    def relevant(self, facts: Facts) -> bool:
        return facts.has("except") and (handlers.handlers_possible(facts) or RESPONSE_NAMES.found_in(facts))

    def surveys(self, facts: Facts) -> bool:
        return facts.has("except") and handlers.survey_handlers(facts)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self._answer(node, node.value, raised=False)

    def visit_Raise(self, node: cst.Raise) -> None:
        if node.exc is not None:
            self._answer(node, node.exc, raised=True)

    def visit_Expr(self, node: cst.Expr) -> None:
        # `abort(500, str(e))` raises the answer from an expression statement.
        value = node.value
        if isinstance(value, cst.Call) and is_abort(self.ctx, value):
            self._answer(node, value, raised=True)

    def _answer(self, stmt: cst.BaseSmallStatement, value: cst.BaseExpression, raised: bool) -> None:
        ctx = self.ctx
        around = _excepts(ctx)
        if around is None:
            return
        answer = _response(ctx, value, raised)
        if answer is None:
            return
        handler = handlers.enclosing_handler(ctx)
        if handler is None and not answer.raises:
            return  # a helper's return value may never reach the client
        leak = _leak_in(ctx, answer.body, around.names, around.tainted)
        ok = leak is None or (not leak.traceback and _meant_for_caller(ctx, answer, around))
        self.count(ERROR_ANSWER, ok, stmt)
        if ok or leak is None:
            return
        if handler is not None:
            verb = "raises" if raised else "returns"
            who = f"request handler `{handler.name}` {verb} an error answer holding `{leak.text}`: the caller gets"
        else:
            fn = _enclosing_function(ctx)
            where = f"`{fn}` raises" if fn else "this code raises"
            who = f"{where} an HTTP error holding `{leak.text}`: the handler that lets it through answers with"
        self.report(
            stmt,
            f"{who} the failure's internals (host names, SQL, file paths, stack frames) instead of a plain "
            '"unavailable", and an attacker learns how the service is built',
            fix=FixSpec(
                Applicability.DISPLAY_ONLY,
                "Log the exception (`logger.exception(...)`) and answer with a generic message and an error id",
            ),
        )


def _meant_for_caller(ctx: Context, answer: _Answer, around: _Except) -> bool:
    """An explicit status below 500 (a 4xx validation answer, a 2xx/3xx outcome), or
    the status a project error carries for its own message (``e.status_code``)."""
    if answer.statuses is not None:
        return all(code < 500 for code in answer.statuses)
    return answer.own_status and not around.library_errors


def _enclosing_function(ctx: Context) -> str | None:
    for node in ctx.ancestors():
        if isinstance(node, cst.FunctionDef):
            return node.name.value
    return None


def is_abort(ctx: Context, call: cst.Call) -> bool:
    qual = ctx.qualname(call.func)
    return qual is not None and qual in ABORTS


def _excepts(ctx: Context) -> _Except | None:
    """The ``except`` clauses the visited statement sits in, within its function; None if none."""
    names: set[str] = set()
    clauses: list[cst.ExceptHandler | cst.ExceptStarHandler] = []
    stack = ctx.stack
    for i in range(len(stack) - 2, -1, -1):
        node = stack[i]
        if isinstance(node, _SCOPES):
            break
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)) and stack[i + 1] is node.body:
            clauses.append(node)
            if node.name is not None and isinstance(node.name.name, cst.Name):
                names.add(node.name.name.value)
    if not clauses:
        return None
    # Names a clause's body binds to the exception's text (``msg = str(e)``), in order.
    frozen = frozenset(names)
    tainted: dict[str, bool] = {}
    for clause in reversed(clauses):
        for s in statements(clause.body):
            if isinstance(s, (cst.Assign, cst.AnnAssign)) and s.value is not None:
                leak = _leak_in(ctx, s.value, frozen, tainted)
                if leak is not None:
                    targets = [t.target for t in s.targets] if isinstance(s, cst.Assign) else [s.target]
                    for t in targets:
                        if isinstance(t, cst.Name):
                            tainted[t.value] = leak.traceback
    return _Except(frozen, tainted, any(_library_error(ctx, c) for c in clauses))


def _library_error(ctx: Context, clause: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The clause catches a builtin or a known library's class (their text is internal),
    not only the project's own error classes."""
    kind = clause.type
    if kind is None:
        return True
    for expr in (e.value for e in kind.elements) if isinstance(kind, cst.Tuple) else (kind,):
        if isinstance(expr, cst.Name) and ctx.scopes.lookup(expr.value) is None:
            return True  # a builtin
        qual = ctx.qualname(expr)
        if qual is not None and qual.split(".")[0] in LIBRARY_PACKAGES:
            return True
    return False


@dataclass(frozen=True)
class _Answer:
    body: cst.BaseExpression
    statuses: frozenset[int] | None  # explicit literal statuses (a conditional gives several); None: none given
    own_status: bool  # the status is read from the caught exception (``e.status_code``)
    raises: bool  # an HTTP error raised (HTTPException, abort): it is an answer wherever it is raised


def _response(ctx: Context, value: cst.BaseExpression, raised: bool) -> _Answer | None:
    """The answer ``value`` is, when it is one of the response forms."""
    statuses: frozenset[int] | None = None
    own = False
    if not raised and isinstance(value, cst.Tuple) and 2 <= len(value.elements) <= 3:
        # Flask: return body, status[, headers]
        statuses, own = _statuses(ctx, value.elements[1].value)
        value = value.elements[0].value
    if isinstance(value, cst.Call):
        qual = ctx.qualname(value.func)
        form = RESPONSES.get(qual) if qual is not None else None
        if form is not None:
            if raised and not form.raises:
                return None
            if form.fixed is not None:
                statuses, own = frozenset({form.fixed}), False
            elif form.status is not None:
                given = args.find(value, form.status, ctx)
                if given is not None and given is not UNKNOWN:
                    statuses, own = _statuses(ctx, given)
            return _Answer(value, statuses, own, form.raises)
    if raised:
        return None
    # A literal body: a dict, a list, a string, or text built from the exception
    # (`return str(e)`, `return f"failed: {e}"`, `return "..." % e`).
    if isinstance(value, (cst.Dict, cst.List, cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return _Answer(value, statuses, own, False)
    if isinstance(value, cst.BinaryOperation) or (isinstance(value, cst.Call) and _text_call(ctx, value)):
        return _Answer(value, statuses, own, False)
    return None


def _text_call(ctx: Context, call: cst.Call) -> bool:
    """``str(...)``, ``repr(...)``, ``"...".format(...)``, ``traceback.format_exc()``: text, not another object."""
    func = call.func
    if isinstance(func, cst.Name) and func.value in TEXT_BUILTINS:
        return ctx.scopes.lookup(func.value) is None
    if isinstance(func, cst.Attribute) and func.attr.value == "format":
        return _is_string(func.value)
    return ctx.qualname(func) in TRACEBACK_FORMATTERS


_OWN_STATUS = frozenset({"status_code", "status", "code", "http_status", "status_int"})


def _statuses(ctx: Context, value: object, depth: int = 0) -> tuple[frozenset[int] | None, bool]:
    """Literal statuses of ``value`` (both branches of a conditional), and whether it is
    read from an exception's own attribute (``e.status_code``)."""
    if isinstance(value, cst.IfExp) and depth < 3:
        a = _statuses(ctx, value.body, depth + 1)[0]
        b = _statuses(ctx, value.orelse, depth + 1)[0]
        return (a | b if a is not None and b is not None else None), False
    if isinstance(value, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(value)
        if bound is not None and bound is not value and not isinstance(bound, (cst.Name, cst.Attribute)):
            value = bound
    number = args.number_value(value)
    if number is not None:
        return frozenset({int(number)}), False
    if isinstance(value, cst.Attribute):
        match = STATUS_CONSTANT.match(value.attr.value)
        if match:
            return frozenset({int(match.group(1))}), False
        if ctx.qualname(value.value) in STATUS_ENUMS and value.attr.value in HTTP_STATUS:
            return frozenset({HTTP_STATUS[value.attr.value]}), False
        if value.attr.value in _OWN_STATUS and isinstance(value.value, cst.Name):
            return None, True
    return None, False


@dataclass(frozen=True)
class _Leak:
    text: str  # how the message names it
    traceback: bool  # a stack trace, never a validation message


def _leak_in(ctx: Context, expr: cst.BaseExpression, names: frozenset[str], tainted: dict[str, bool]) -> _Leak | None:
    """The first piece of ``expr`` that carries the exception's text or a traceback."""
    todo: list[cst.CSTNode] = [expr]
    while todo:  # in source order, so the message names the first piece
        node = todo.pop()
        found = _leaks(ctx, node, names, tainted)
        if found is not None:
            return found
        if not isinstance(node, _SCOPES) and not _sanitizes(node):
            todo.extend(reversed(node.children))
    return None


# A helper that cleans the text before it is answered: what it returns is its business.
_SANITIZER = re.compile(r"saniti|redact|scrub|mask|user_?facing|generic|clean", re.IGNORECASE)


def _sanitizes(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return bool(_SANITIZER.search(name))


def _leaks(ctx: Context, node: cst.CSTNode, names: frozenset[str], tainted: dict[str, bool]) -> _Leak | None:
    if isinstance(node, cst.Name) and node.value in tainted:
        return _Leak(f"{node.value}` (built from the exception", tainted[node.value])
    if isinstance(node, cst.Call):
        func = node.func
        if ctx.qualname(func) in TRACEBACK_FORMATTERS:
            return _Leak(f"{_short(ctx, func)}()", True)
        if _formatter_name(func, node, names):
            return _Leak(f"{_short(ctx, func)}()", False)
        if (
            isinstance(func, cst.Name)
            and func.value in TEXT_BUILTINS
            and ctx.scopes.lookup(func.value) is None
            and len(node.args) == 1
            and _is_exc(node.args[0].value, names)
        ):
            return _Leak(ctx.code(node), False)
        if isinstance(func, cst.Attribute) and func.attr.value == "format" and _is_string(func.value):
            if any(_is_exc(a.value, names) for a in node.args):
                return _Leak(
                    '"...".format(' + next(ctx.code(a.value) for a in node.args if _is_exc(a.value, names)) + ")", False
                )
        return None
    if isinstance(node, cst.Attribute) and node.attr.value == "args" and _is_exc(node.value, names):
        return _Leak(ctx.code(node), False)
    if isinstance(node, cst.FormattedStringExpression) and _is_exc(node.expression, names):
        return _Leak(f"{{{ctx.code(node.expression)}}}", False)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo) and _is_string(node.left):
        right = node.right
        parts = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
        exc = next((p for p in parts if _is_exc(p, names)), None)
        if exc is not None:
            return _Leak(f'"..." % {ctx.code(exc)}', False)
    return None


def _formatter_name(func: cst.BaseExpression, call: cst.Call, names: frozenset[str]) -> bool:
    """A project helper named like traceback's formatters, given the exception:
    ``utils.format_exception(e)`` (its text, not necessarily a stack trace)."""
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name in _FORMATTER_NAMES and any(_is_exc(a.value, names) for a in call.args)


_FORMATTER_NAMES = frozenset({"format_exception", "format_exc", "format_exception_only", "format_tb"})


def _short(ctx: Context, func: cst.BaseExpression) -> str:
    text = ctx.code(func)
    return text if len(text) <= 40 else text.rsplit(".", 1)[-1]


def _is_exc(expr: cst.BaseExpression, names: frozenset[str]) -> bool:
    return isinstance(expr, cst.Name) and expr.value in names


def _is_string(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
