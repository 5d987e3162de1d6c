"""What the awaitable made per item of a fan-out does (edition 2, E5).

``classify(ctx, expr)`` reads the work one item starts - a coroutine call
``fetch(x)``, or a coroutine function handed to ``start_soon(fetch, x)`` - and
answers one of:

- ``THROTTLED``: the work, or a project function it calls within
  ``MAX_DEPTH`` calls, acquires a semaphore or capacity limiter, or hands its
  work to a bounded thread pool (``asyncio.to_thread``,
  ``run_in_executor(None | bounded, ...)``, ``submit`` on a bounded executor);
- ``LOCAL``: a coroutine of this module that awaits only local primitives
  (``asyncio.sleep``, queue/lock/event/condition waits, other local coroutines)
  and makes no catalog call;
- ``REMOTE``: anything else (a catalog call, an awaited method of an unknown
  object, an unresolved callee, an ``async with``/``async for`` on an unknown
  object): it may reach a dependency.

Only this module is read: a semaphore defined in another module is recognised
when it is acquired here by a name that says so (``async with SEMAPHORE``,
``async with self.sem``), since the project index (E2) is not available to rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rel05_lint.catalog import timeouts
from rel05_lint.catalog.throttles import ASYNC_THROTTLES
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import dotted, function_def

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context
    from rel05_lint.core.scope import Scope

LOCAL = "local"
THROTTLED = "throttled"
REMOTE = "remote"

MAX_DEPTH = 3  # E5: "within 3 calls"

THROTTLES = ASYNC_THROTTLES  # catalog/throttles.py
# A name that says it is a limiter: SEMAPHORE, self._sem, download_semaphore, limiter.
_THROTTLE_NAME = re.compile(r"(^|_)(sem|semaphore|semaphores|limiter|capacity_limiter)$|semaphore", re.IGNORECASE)

_LOCAL_PRIMITIVES = frozenset(
    {
        "asyncio.Queue",
        "asyncio.LifoQueue",
        "asyncio.PriorityQueue",
        "asyncio.Lock",
        "asyncio.Event",
        "asyncio.Condition",
        "asyncio.queues.Queue",
        "asyncio.locks.Lock",
        "asyncio.locks.Event",
        "asyncio.locks.Condition",
    }
)
_LOCAL_METHODS = frozenset({"get", "put", "join", "wait", "acquire", "wait_for"})
_LOCAL_FUNCTIONS = frozenset({"asyncio.sleep", "asyncio.tasks.sleep", "anyio.sleep", "trio.sleep"})
_THREAD_FUNCTIONS = frozenset({"asyncio.to_thread", "asyncio.threads.to_thread", "anyio.to_thread.run_sync"})
_SCOPE_EDGES = later(lambda: (cst.FunctionDef, cst.Lambda, cst.ClassDef))


def classify(ctx: Context, expr: cst.BaseExpression) -> str:
    """The kind of work ``expr`` (a coroutine call, or a coroutine function) starts."""
    return _Reader(ctx).expr(expr, 0)


class _Reader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen: set[int] = set()

    def expr(self, expr: cst.BaseExpression, depth: int) -> str:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            return self.call(expr, depth, awaited=True) or LOCAL
        fn = self.resolve(expr)
        return self.function(fn, depth) if fn is not None else REMOTE

    def call(self, call: cst.Call, depth: int, awaited: bool) -> str | None:
        """What one call contributes: a kind, or None for a plain local call."""
        ctx = self.ctx
        qual = ctx.qualname(call.func)
        if qual in _THREAD_FUNCTIONS or self._bounded_executor_call(call):
            return THROTTLED
        if qual in _LOCAL_FUNCTIONS:
            return LOCAL
        if (
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "acquire"
            and self._throttle(call.func.value)
        ):
            return THROTTLED
        if timeouts.lookup(ctx, call) is not None:
            return REMOTE
        fn = self.resolve(call.func)
        if fn is not None:
            return self.function(fn, depth)
        if not awaited:
            return None
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _LOCAL_METHODS:
            if ctx.instance(call.func.value, _LOCAL_PRIMITIVES) is not None:
                return LOCAL
        return REMOTE

    def function(self, fn: cst.FunctionDef, depth: int) -> str:
        if depth >= MAX_DEPTH or id(fn) in self.seen:
            return REMOTE if fn.asynchronous is not None else LOCAL
        self.seen.add(id(fn))
        scope = self.ctx.scopes.scope_of(fn)
        kinds: set[str] = set()
        with _inside(self.ctx, scope):
            for node, awaited in _own_nodes(fn.body):
                kind: str | None = None
                if isinstance(node, cst.With) and node.asynchronous is not None:
                    if any(self._throttle(item.item) for item in node.items):
                        kind = THROTTLED
                    elif all(self.ctx.instance(item.item, _LOCAL_PRIMITIVES) for item in node.items):
                        kind = LOCAL  # `async with self.lock:`
                    else:
                        kind = REMOTE
                elif isinstance(node, cst.For) and node.asynchronous is not None:
                    kind = REMOTE
                elif isinstance(node, cst.Call):
                    kind = self.call(node, depth + 1, awaited)
                elif isinstance(node, cst.Await) and not isinstance(node.expression, cst.Call):
                    kind = REMOTE  # awaiting a future or task of unknown origin
                if kind == THROTTLED:
                    return THROTTLED
                if kind is not None:
                    kinds.add(kind)
        return REMOTE if REMOTE in kinds else LOCAL

    def resolve(self, func: cst.BaseExpression) -> cst.FunctionDef | None:
        """The function of this module ``func`` names: ``f``, ``self.f`` or ``cls.f``."""
        scopes = self.ctx.scopes
        if isinstance(func, cst.Name):
            found = scopes.lookup(func.value)
            if found is None:
                return None
            defs = [function_def(b) for b in found[0]]
            return defs[0] if len(defs) == 1 else None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            cls = _enclosing_class(scopes.current, func.value.value)
            if cls is None:
                return None
            defs = [function_def(b) for b in cls.bindings.get(func.attr.value, [])]
            return defs[0] if len(defs) == 1 else None
        return None

    def _throttle(self, expr: cst.BaseExpression) -> bool:
        ctx = self.ctx
        if isinstance(expr, cst.Call):
            if ctx.qualname(expr.func) in THROTTLES:
                return True
            # `async with self.limits.acquire():`, `async with limiter(key):`
            return self._throttle(expr.func)
        if ctx.instance(expr, THROTTLES) is not None:
            return True
        spelled = dotted(expr)
        return spelled is not None and bool(_THROTTLE_NAME.search(spelled.rsplit(".", 1)[-1]))

    def _bounded_executor_call(self, call: cst.Call) -> bool:
        """``loop.run_in_executor(None | bounded pool, ...)`` or ``pool.submit(...)``.

        ``ThreadPoolExecutor()`` without ``max_workers`` is bounded too: CPython's
        default is min(32, CPUs + 4) threads (edition 2 decisions, E5)."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return False
        method = func.attr.value
        if method == "run_in_executor" and call.args:
            first = call.args[0].value
            return (isinstance(first, cst.Name) and first.value == "None") or self._bounded_pool(first)
        if method in ("submit", "map"):
            return self._bounded_pool(func.value)
        return False

    def _bounded_pool(self, expr: cst.BaseExpression) -> bool:
        inst = self.ctx.instance(expr, timeouts.EXECUTORS)
        if inst is None:
            return False
        for arg in inst.call.args:
            if arg.star:
                return False
            if (arg.keyword is None and arg is inst.call.args[0]) or (
                arg.keyword is not None and arg.keyword.value == "max_workers"
            ):
                return _literal_int(arg.value)
        return True  # CPython's bounded default


def _literal_int(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Integer)


def _enclosing_class(scope: Scope, name: str) -> Scope | None:
    """The class scope whose methods ``name`` (``self``/``cls``) refers to here."""
    s: Scope | None = scope
    while s is not None and s.kind == "function":
        if s.self_name is not None:
            return s.class_scope if s.self_name == name else None
        s = s.parent
    return None


def _own_nodes(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Nodes of ``root`` outside nested functions and classes, each with
    whether it is a call awaited on the spot."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, awaited = stack.pop()
        yield node, awaited
        for child in reversed(node.children):
            if isinstance(child, _SCOPE_EDGES):
                continue
            stack.append((child, isinstance(node, cst.Await) and child is node.expression))


@contextmanager
def _inside(ctx: Context, scope: Scope | None) -> Iterator[None]:
    """Resolve names as seen from ``scope`` (the tracker answers for its current scope)."""
    scopes = ctx.scopes
    if scope is None:
        yield
        return
    saved = scopes.current
    scopes.current = scope
    try:
        yield
    finally:
        scopes.current = saved
