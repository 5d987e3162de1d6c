"""Retried code: whether the node being visited runs inside a retry, and how
many attempts that retry makes (REL306).

Retried code is the own body of a function a BP03 mechanism retries (a
decorator from ``catalog.retries``, directly or through a name bound to one,
a Celery task with ``autoretry_for``), the ``try`` body of a hand-written
retry loop (``analysis.retry_loops``), and the body of
``for attempt in Retrying(...)``. A generator function is not retried by a
decorator: calling it only builds the generator, so the decorator's retry
never sees its body fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.analysis.retry_loops import always_leaves, nodes, retry_loop, statements
from rel05_lint.catalog.retries import ATTEMPT_ITERATORS, RetrySite, retried_by, retry_site
from rel05_lint.core import args
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

_STOP_AFTER_ATTEMPT = frozenset({"tenacity.stop_after_attempt", "tenacity.stop.stop_after_attempt"})
_RETRY_IF_TYPE = frozenset({"tenacity.retry_if_exception_type", "tenacity.retry.retry_if_exception_type"})
_SCOPES = later(lambda: (cst.FunctionDef, cst.Lambda, cst.ClassDef))


@dataclass(frozen=True)
class Outer:
    """A retry around the current node."""

    label: str  # "`@retry` (tenacity)", "hand-written `while True` retry loop"
    layer: str  # how the worst-case product names it: "tenacity", "loop"
    attempts: int | None  # None: not a literal count
    unbounded: bool  # no limit at all
    # Qualified names of the exceptions it retries on; None: any (or cannot tell).
    catches: tuple[str, ...] | None


def enclosing_retry(ctx: Context) -> Outer | None:
    """The retry the node being visited runs inside, if any (its own function
    or loop body; code in a nested function may run after the retry)."""
    stack = ctx.stack
    in_try = False
    for i in range(len(stack) - 2, -1, -1):
        node, child = stack[i], stack[i + 1]
        if isinstance(node, (cst.Try, cst.TryStar)) and child is node.body:
            in_try = True
        elif isinstance(node, (cst.While, cst.For)) and child is node.body:
            if isinstance(node, cst.For):
                attempt = _attempt_iterator(ctx, node)
                if attempt is not None:
                    return attempt
            if in_try:
                loop = retry_loop(ctx, node)
                if loop is not None:
                    return _loop_outer(ctx, node, loop.label, loop.unbounded_form)
        elif isinstance(node, cst.FunctionDef):
            if child is not node.body:
                return None  # a decorator or default: evaluated outside the function
            return _decorated(ctx, node)
        elif isinstance(node, (cst.Lambda, cst.ClassDef)):
            return None
    return None


def _decorated(ctx: Context, fn: cst.FunctionDef) -> Outer | None:
    if not fn.decorators or _is_generator(fn):
        return None
    return ctx.memo("retry_layers.decorated", fn, _decorated_outer)


def _decorated_outer(ctx: Context, fn: cst.CSTNode) -> Outer | None:
    assert isinstance(fn, cst.FunctionDef)
    scopes = ctx.scopes
    scope = scopes.scope_of(fn)
    saved = scopes.current
    if scope is not None and scope.parent is not None:
        scopes.current = scope.parent  # decorators resolve where they are written
    try:
        for decorator in fn.decorators:
            site = retried_by(ctx, decorator)
            if site is not None:
                return _site_outer(ctx, site)
    finally:
        scopes.current = saved
    return None


def _is_generator(fn: cst.FunctionDef) -> bool:
    return any(isinstance(n, (cst.Yield,)) for n in nodes(fn.body, _SCOPES))


def _int(value: object) -> int | None:
    number = args.number_value(value)
    return int(number) if number is not None and number == int(number) else None


def _site_outer(ctx: Context, site: RetrySite) -> Outer:
    lib = site.mechanism.library
    call = site.call
    attempts: int | None = None
    catches: tuple[str, ...] | None = None
    if call is not None:
        if lib == "tenacity":
            attempts = _tenacity_attempts(ctx, args.find(call, ArgSpec("stop", 1), ctx))
            catches = _tenacity_catches(ctx, args.find(call, ArgSpec("retry", 3), ctx))
        elif lib == "backoff":
            attempts = _int(args.find(call, ArgSpec("max_tries"), ctx))
            if site.qualname.endswith("on_exception"):
                catches = _exception_names(ctx, args.find(call, ArgSpec("exception", 1), ctx))
        elif lib == "retrying":
            attempts = _int(args.find(call, ArgSpec("stop_max_attempt_number"), ctx))
        elif lib == "retry":
            first = 0 if site.decorator is not None else 3
            attempts = _int(args.find(call, ArgSpec("tries", first + 1), ctx))
            catches = _exception_names(ctx, args.find(call, ArgSpec("exceptions", first), ctx))
        elif lib == "stamina":
            found = args.find(call, ArgSpec("attempts"), ctx)
            attempts = 10 if found is None else _int(found)
            catches = _exception_names(ctx, args.find(call, ArgSpec("on", 0 if site.decorator is None else None), ctx))
        elif lib == "celery":
            found = args.find(call, ArgSpec("max_retries"), ctx)
            count = 3 if found is None else _int(found)
            attempts = None if count is None else count + 1
            catches = _exception_names(ctx, args.find(call, ArgSpec("autoretry_for"), ctx))
    layer = "Celery" if lib == "celery" else lib
    return Outer(site.label, layer, attempts, site.unbounded is not None, catches)


def _tenacity_attempts(ctx: Context, stop: object, depth: int = 0) -> int | None:
    """``stop_after_attempt(n)``, alone or ``|`` with other stops (the first to fire wins)."""
    if depth > 4 or not isinstance(stop, cst.BaseExpression):
        return None
    if isinstance(stop, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(stop)
        return _tenacity_attempts(ctx, bound, depth + 1) if bound is not None and bound is not stop else None
    if isinstance(stop, cst.Call) and ctx.qualname(stop.func) in _STOP_AFTER_ATTEMPT:
        return _int(args.find(stop, ArgSpec("max_attempt_number", 0), ctx))
    if isinstance(stop, cst.BinaryOperation) and isinstance(stop.operator, cst.BitOr):
        counts = [_tenacity_attempts(ctx, stop.left, depth + 1), _tenacity_attempts(ctx, stop.right, depth + 1)]
        known = [c for c in counts if c is not None]
        return min(known) if known else None
    return None


def _tenacity_catches(ctx: Context, retry: object) -> tuple[str, ...] | None:
    if isinstance(retry, cst.Call) and ctx.qualname(retry.func) in _RETRY_IF_TYPE:
        return _exception_names(ctx, args.find(retry, ArgSpec("exception_types", 0), ctx))
    return None


def _exception_names(ctx: Context, value: object) -> tuple[str, ...] | None:
    """Qualified names of a literal exception class or tuple of them; None when
    any part cannot be named (a variable, a spread, a builtin)."""
    if not isinstance(value, cst.BaseExpression):
        return None
    if isinstance(value, (cst.Name, cst.Attribute)):
        qual = ctx.qualname(value)
        if qual is not None:
            return (qual,)
        bound = ctx.scopes.value_of(value)
        if isinstance(bound, (cst.Tuple, cst.List)):
            value = bound
        else:
            return None
    if isinstance(value, (cst.Tuple, cst.List)):
        out: list[str] = []
        for el in value.elements:
            if isinstance(el, cst.StarredElement):
                return None
            names = _exception_names(ctx, el.value)
            if names is None:
                return None
            out.extend(names)
        return tuple(out)
    return None


def _attempt_iterator(ctx: Context, node: cst.For) -> Outer | None:
    it = node.iter
    if isinstance(it, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(it)
        it = bound if bound is not None else it
    if not (isinstance(it, cst.Call) and ctx.qualname(it.func) in ATTEMPT_ITERATORS):
        return None
    site = retry_site(ctx, it)
    if site is None:
        return None
    outer = _site_outer(ctx, site)
    return Outer(
        f"a `for ... in {ctx.code(it.func)}()` retry", outer.layer, outer.attempts, outer.unbounded, outer.catches
    )


def _loop_outer(ctx: Context, node: cst.While | cst.For, label: str, unbounded_form: bool) -> Outer:
    attempts = None
    if isinstance(node, cst.For) and isinstance(node.iter, cst.Call):
        attempts = _range_count(node.iter)
    return Outer(label, "loop", attempts, unbounded_form, _loop_catches(ctx, node))


def _range_count(call: cst.Call) -> int | None:
    positional = args.positional(call)
    if len(positional) != len(call.args) or not 1 <= len(positional) <= 2:
        return None
    values = [_int(a.value) for a in positional]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        return max(values[0] or 0, 0)
    start, stop = values
    assert start is not None and stop is not None
    return max(stop - start, 0)


def _loop_catches(ctx: Context, node: cst.While | cst.For) -> tuple[str, ...] | None:
    """What the loop's going-round handlers catch (None: a bare except or unnamed class)."""
    out: list[str] = []
    for stmt in statements(node.body):
        if not isinstance(stmt, (cst.Try, cst.TryStar)):
            continue
        for handler in stmt.handlers:
            if always_leaves(handler.body):
                continue
            names = _exception_names(ctx, handler.type) if handler.type is not None else None
            if names is None:
                return None
            out.extend(names)
    return tuple(out) or None
