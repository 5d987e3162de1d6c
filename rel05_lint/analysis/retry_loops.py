"""Hand-written retry loops, as BP03 of the spec defines them, shared by REL301-REL305.

A retry loop is ``while True``/``while 1``/``for _ in itertools.count()`` (the
unbounded forms) or ``for _ in range(...)``, whose body holds a ``try`` with a
handler that lets the loop go round again (it does not raise, return or
break unconditionally), and whose ``try`` calls a remote dependency or whose
handler catches a connection-type error.

Two refinements keep loops that are not retries silent (documented on the
rule pages):
- the loop must be able to stop on success (a ``break``/``return`` outside
  the handlers); a loop that goes round on success too is a worker loop;
- a loop that feeds new data to the ``try`` each round (the loop variable,
  or a name the loop body fetches with a call, read inside the ``try``) is a
  consumer, not a retry of the same call.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.analysis.loop_flow import handler_goes_round
from rel05_lint.catalog import waits
from rel05_lint.catalog.remote import REMOTE_NAMES, remote_call
from rel05_lint.catalog.retries import CELERY_APPS, CELERY_TASK_BASES, MECHANISMS, is_broad
from rel05_lint.catalog.timeouts import grpc_stub
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Context

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

SLEEPS = frozenset(
    {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep", "curio.sleep"}
)
# Errors that mean "the dependency did not answer", by resolved name.
CONNECTION_BUILTINS = frozenset(
    {
        "ConnectionError",
        "TimeoutError",
        "OSError",
        "IOError",
        "EnvironmentError",
        "ConnectionResetError",
        "ConnectionRefusedError",
        "ConnectionAbortedError",
        "BrokenPipeError",
    }
)
CONNECTION_ERRORS = frozenset(
    {
        "socket.error",
        "socket.timeout",
        "socket.gaierror",
        "asyncio.TimeoutError",
        "urllib.error.URLError",
        "http.client.HTTPException",
        "smtplib.SMTPException",
        "grpc.RpcError",
        "concurrent.futures.TimeoutError",
    }
)
# Client libraries whose own error classes (names ending in Error/Exception/Timeout) count.
CLIENT_PACKAGES = frozenset(
    {
        "requests",
        "httpx",
        "aiohttp",
        "urllib3",
        "redis",
        "botocore",
        "boto3",
        "grpc",
        "pymongo",
        "psycopg",
        "psycopg2",
        "pymysql",
        "MySQLdb",
        "sqlalchemy",
        "kafka",
        "confluent_kafka",
        "pika",
        "elasticsearch",
        "websockets",
        "httpcore",
        "google",
    }
)
# Calls in a handler that surely do not wait (so a loop without a sleep never waits).
_QUIET_CALLS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
        "print",
        "print_exc",
        "format_exc",
        "append",
        "capture_exception",
        "incr",
        "increment",
        "inc",
        "str",
        "repr",
        "len",
        "isinstance",
        "type",
        "format",
    }
)
# Optimistic-lock and serialization signals (E6): contention, not failure.
CONTENTION_ERRORS = frozenset({"WatchError", "StaleDataError", "SerializationFailure", "DeadlockDetected"})
# Waits on local primitives (E6): polling them is not retrying a dependency.
_LOCAL_WAITS = frozenset({"result", "get", "get_nowait", "wait", "acquire", "join", "exception"})
# Methods of builtin containers: never a wait.
_CONTAINER_CALLS = frozenset(
    {"add", "discard", "remove", "pop", "popleft", "update", "setdefault", "clear", "extend", "insert", "get", "items"}
)
# Unresolved helpers whose name says they may wait (kept as "unknown").
_WAIT_WORDS = ("sleep", "wait", "backoff", "delay", "pause", "throttle", "retry")
_NESTED = later(lambda: (cst.FunctionDef, cst.ClassDef, cst.For, cst.While, cst.Lambda))
_SCOPES = later(lambda: (cst.FunctionDef, cst.ClassDef, cst.Lambda))


@dataclass(frozen=True)
class RetryLoop:
    node: cst.While | cst.For
    label: str  # "hand-written `while True` retry loop"
    unbounded_form: bool
    unbounded: bool  # REL301: an unbounded form that nothing on the failure path ends
    wait: waits.Wait
    any_error: bool  # REL304: a going-round handler catches everything


def retry_loop(ctx: Context, node: cst.CSTNode) -> RetryLoop | None:
    """The retry loop ``node`` is, if it is one; ask while ``node`` is visited. Cached."""
    if not isinstance(node, (cst.While, cst.For)):
        return None
    return ctx.memo("retry_loop", node, _analyse)


# --- tree helpers --------------------------------------------------------------------


def _block(body) -> list:
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite, _Wrap)):
        return list(body.body)
    return []


def statements(body) -> list[cst.CSTNode]:
    """Statements of a block and of the if/with/try/match blocks inside it, not of
    nested loops, functions or classes (those have their own control flow)."""
    out = []
    for stmt in _block(body):
        out.append(stmt)
        if isinstance(stmt, _NESTED):
            continue
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
            continue
        for child in _sub_blocks(stmt):
            out.extend(statements(child))
    return out


def _sub_blocks(stmt) -> list:
    if isinstance(stmt, cst.If):
        blocks = [stmt.body]
        orelse = stmt.orelse
        while orelse is not None:
            blocks.append(orelse.body)
            orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        return blocks
    if isinstance(stmt, cst.With):
        return [stmt.body]
    if isinstance(stmt, (cst.Try, cst.TryStar)):
        blocks = [stmt.body, *(h.body for h in stmt.handlers)]
        blocks += [b.body for b in (stmt.orelse, stmt.finalbody) if b is not None]
        return blocks
    if isinstance(stmt, cst.Match):
        return [c.body for c in stmt.cases]
    return []


def nodes(root: cst.CSTNode, skip=_NESTED):
    """Every node under ``root`` (expressions included), not entering ``skip`` types."""
    stack = list(root.children)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, skip):
            stack.extend(node.children)


def _exits(stmt) -> bool:
    return isinstance(stmt, (cst.Raise, cst.Return, cst.Break))


def always_leaves(body) -> bool:
    """The block raises, returns or breaks on every path, with no ``continue`` first."""
    for stmt in _block(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Continue):
                    return False
                if _exits(small):
                    return True
            continue
        if any(isinstance(s, cst.Continue) for s in statements(_Wrap(stmt))):
            return False
        if isinstance(stmt, cst.If) and stmt.orelse is not None and all(always_leaves(b) for b in _sub_blocks(stmt)):
            return True
        if isinstance(stmt, cst.With) and always_leaves(stmt.body):
            return True
    return False


class _Wrap:
    """A one-statement block, so ``statements`` can scan a compound statement."""

    def __init__(self, stmt):
        self.body = [stmt]


# --- the analysis ------------------------------------------------------------------------


def _form(ctx: Context, node) -> tuple[str, bool] | None:
    if isinstance(node, cst.While):
        test = node.test
        if (isinstance(test, cst.Name) and test.value == "True") or (
            isinstance(test, cst.Integer) and test.value == "1"
        ):
            return f"`while {test.value}`", True
        return None
    it = node.iter
    if literal_schedule(ctx, it) is not None:
        return f"`for ... in {_short(ctx.code(it))}`", False
    if not isinstance(it, cst.Call):
        return None
    if ctx.qualname(it.func) == "itertools.count":
        return "`for ... in itertools.count()`", True
    if isinstance(it.func, cst.Name) and it.func.value == "range" and ctx.scopes.lookup("range") is None:
        return "`for ... in range()`", False
    return None


def _short(text: str) -> str:
    return text if len(text) <= 20 and "\n" not in text else "(...)"


def literal_schedule(ctx: Context, expr: cst.BaseExpression, depth: int = 0) -> list[float] | None:
    """``(1, 3, 5)`` or a name bound once to a literal sequence of numbers (E6)."""
    if isinstance(expr, cst.Name) and depth < 2:
        value = ctx.scopes.value_of(expr)
        return literal_schedule(ctx, value, depth + 1) if value is not None and value is not expr else None
    if not isinstance(expr, (cst.Tuple, cst.List)) or len(expr.elements) < 2:
        return None
    out = []
    for el in expr.elements:
        if isinstance(el, cst.StarredElement) or not isinstance(el.value, (cst.Integer, cst.Float)):
            return None
        out.append(float(el.value.evaluated_value))
    return out


def contention_only(ctx: Context, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The handler catches only optimistic-lock or serialization signals."""
    kind = handler.type
    if kind is None:
        return False
    exprs = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    for expr in exprs:
        spelled = ctx.qualname(expr) or (ctx.code(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else "")
        if spelled.rsplit(".", 1)[-1] not in CONTENTION_ERRORS:
            return False
    return True


def only_local_waits(ctx: Context, body) -> bool:
    """Every call in the ``try`` body waits on a local primitive
    (``future.result(timeout=...)``, ``q.get(timeout=...)``, ``event.wait()``...)."""
    calls = [n for n in nodes(body, _SCOPES) if isinstance(n, cst.Call)]
    if not calls:
        return False
    for call in calls:
        if _call_name(call) in _QUIET_CALLS:
            continue
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value in _LOCAL_WAITS):
            return False
        if ctx.qualname(call.func) is not None:
            return False  # a module function such as requests.get, not a method of a local object
    return True


def _sleeps_on_failure(ctx: Context, region, t, handlers) -> bool:
    """A sleep in a going-round handler or elsewhere in the loop body outside
    the ``try`` body (before it counts, E12)."""
    in_try = {id(s) for s in statements(t.body)}
    for stmt in region:
        if id(stmt) in in_try or stmt is t or not isinstance(stmt, cst.BaseSmallStatement):
            continue
        if any(isinstance(n, cst.Call) and _is_sleep(ctx, n) is not None for n in [stmt, *nodes(stmt, _NESTED)]):
            return True
    return False


def _may_wait(ctx: Context, call: cst.Call, depth: int = 0) -> bool:
    """Could this call (in a handler, outside the ``try``) wait? Only when it is
    resolved to a module function that sleeps, or its name says so (E6)."""
    name = _call_name(call)
    if name is None or name in _QUIET_CALLS or name in _CONTAINER_CALLS:
        return False
    if any(word in name.lower() for word in _WAIT_WORDS):
        return True
    if isinstance(call.func, cst.Name) and depth < 3:
        found = ctx.scopes.lookup(call.func.value)
        if found is not None:
            for b in found[0]:
                if b.kind == "def" and isinstance(b.node, cst.FunctionDef):
                    for n in nodes(b.node.body, _SCOPES):
                        if isinstance(n, cst.Call) and (_is_sleep(ctx, n) is not None or _may_wait(ctx, n, depth + 1)):
                            return True
                elif b.kind != "def":
                    return b.kind != "import" or ctx.qualname(call.func) is None
    return False


def catches_connection_error(ctx: Context, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    kind = handler.type
    if kind is None:
        return False
    for expr in (e.value for e in kind.elements) if isinstance(kind, cst.Tuple) else (kind,):
        if isinstance(expr, cst.Name) and expr.value in CONNECTION_BUILTINS and ctx.scopes.lookup(expr.value) is None:
            return True
        qual = ctx.qualname(expr)
        if qual is None:
            continue
        if qual in CONNECTION_ERRORS:
            return True
        last = qual.rsplit(".", 1)[-1]
        if qual.split(".")[0] in CLIENT_PACKAGES and last.endswith(("Error", "Exception", "Timeout")):
            return True
    return False


def _catches_everything(ctx: Context, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    return handler.type is None or is_broad(ctx, handler.type)


def _names_read(root) -> set[str]:
    """Names read under ``root`` (not the ones only assigned), ignoring logging/print calls."""
    out: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and _call_name(node) in _QUIET_CALLS:
            continue
        if isinstance(node, cst.Name):
            out.add(node.value)
        if isinstance(node, cst.Assign):
            stack.append(node.value)  # the targets are written, not read
        elif isinstance(node, cst.AnnAssign):
            stack.extend(n for n in (node.value,) if n is not None)
        elif not isinstance(node, _SCOPES):
            stack.extend(node.children)
    return out


def _targets(stmt) -> set[str]:
    if isinstance(stmt, cst.Assign):
        roots = [t.target for t in stmt.targets]
    elif isinstance(stmt, (cst.AnnAssign, cst.AugAssign)):
        roots = [stmt.target]
    else:
        return set()
    return {n.value for r in roots for n in [r, *nodes(r)] if isinstance(n, cst.Name)}


def _call_name(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def _is_sleep(ctx: Context, call: cst.Call) -> cst.BaseExpression | None:
    """The delay of ``time.sleep(x)`` and friends, or of ``event.wait(x)`` (an
    interruptible sleep); None when ``call`` does not sleep."""
    qual = ctx.qualname(call.func)
    # `event.wait(x)` on an object (not a module function such as asyncio.wait).
    method = qual is None and isinstance(call.func, cst.Attribute) and call.func.attr.value == "wait"
    if qual not in SLEEPS and not method:
        return None
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
        if arg.keyword is not None and arg.keyword.value in ("seconds", "delay", "timeout", "secs"):
            return arg.value
    return None if qual not in SLEEPS else cst.Integer("0")


def _analyse(ctx: Context, node) -> RetryLoop | None:
    form = _form(ctx, node)
    if form is None:
        return None
    text, unbounded_form = form
    region = statements(node.body)
    tries = [s for s in region if isinstance(s, (cst.Try, cst.TryStar))]
    if not tries:
        return None
    qualifying: list[tuple[cst.Try | cst.TryStar, list[cst.ExceptHandler | cst.ExceptStarHandler]]] = []
    for t in tries:
        # E6: the handler must let the loop go round again (nothing after the
        # try leaves unconditionally), and contention is not failure.
        round_handlers = [h for h in t.handlers if handler_goes_round(node, t, h) and not contention_only(ctx, h)]
        if not round_handlers:
            continue
        remote = any(isinstance(n, cst.Call) and remote_call(ctx, n) is not None for n in nodes(t.body, _SCOPES))
        connection = any(catches_connection_error(ctx, h) for h in round_handlers)
        if (
            remote
            or (connection and not only_local_waits(ctx, t.body))
            or _sleeps_on_failure(ctx, region, t, round_handlers)
        ):
            qualifying.append((t, round_handlers))
    if not qualifying:
        return None
    handlers = [h for _, hs in qualifying for h in hs]
    handler_ids = {id(s) for h in handlers for s in statements(h.body)}
    # Success must be able to end the loop, or it is a worker loop.
    outside = [s for s in region if id(s) not in handler_ids]
    if not any(isinstance(s, (cst.Break, cst.Return)) for s in outside):
        return None
    schedule = literal_schedule(ctx, node.iter) if isinstance(node, cst.For) else None
    if schedule is None and _feeds_data(ctx, node, region, qualifying):
        return None
    facts = _loop_facts(ctx, node, region)
    wait = _loop_wait(ctx, region, qualifying, facts)
    if schedule is not None:
        wait = _schedule_wait(ctx, node, region, schedule, wait)
    return RetryLoop(
        node=node,
        label=f"hand-written {text} retry loop",
        unbounded_form=unbounded_form,
        unbounded=unbounded_form and _never_gives_up(region, qualifying, handlers),
        wait=wait,
        any_error=any(_catches_everything(ctx, h) for h in handlers),
    )


def _feeds_data(ctx: Context, node, region, qualifying) -> bool:
    """The ``try`` works on something new each round, so the loop is not retrying it:
    the loop variable, a name the loop fetches with a call (or derives from one),
    or a name a handler switches to an alternative (`mode = next_mode`)."""
    read: set[str] = set()
    for t, _ in qualifying:
        read |= _names_read(t.body)
    if isinstance(node, cst.For):
        if {n.value for n in [node.target, *nodes(node.target)] if isinstance(n, cst.Name)} & read:
            return True
    try_ids = {id(s) for t, _ in qualifying for s in [t, *statements(_Wrap(t))]}
    assigns = [s for s in region if id(s) not in try_ids and isinstance(s, (cst.Assign, cst.AnnAssign))]
    fetched: set[str] = set()
    changed = True
    while changed:  # a fixpoint over the few assignments of one loop body
        changed = False
        for stmt in assigns:
            value = stmt.value
            if value is None or _targets(stmt) <= fetched:
                continue
            inner = [value, *nodes(value)]
            if any(
                isinstance(n, cst.Await)
                or (isinstance(n, cst.Call) and _is_sleep(ctx, n) is None)
                or (isinstance(n, cst.Name) and n.value in fetched)
                for n in inner
            ):
                fetched |= _targets(stmt)
                changed = True
    if fetched & read:
        return True
    switched = {name for _, hs in qualifying for h in hs for s in statements(h.body) for name in _targets(s)}
    return bool(switched & read - _counters_only(region))


def _counters_only(region) -> set[str]:
    """Names only ever updated in place (`attempt += 1`): reading them is not new data."""
    aug = {n for s in region if isinstance(s, cst.AugAssign) for n in _targets(s)}
    plain = {n for s in region if isinstance(s, (cst.Assign, cst.AnnAssign)) for n in _targets(s)}
    return aug - plain


def _never_gives_up(region, qualifying, handlers) -> bool:
    """No handler can end the loop, and no check outside the ``try`` ends it on
    failure (a ``raise``, or an exit under a test of something a handler updates)."""
    if any(any(_exits(s) for s in statements(h.body)) for h in handlers):
        return False
    handler_names: set[str] = set()
    for h in handlers:
        for s in statements(h.body):
            targets = [s.target] if isinstance(s, (cst.AugAssign, cst.AnnAssign)) else []
            targets += [t.target for t in s.targets] if isinstance(s, cst.Assign) else []
            handler_names.update(n.value for t in targets for n in [t, *nodes(t)] if isinstance(n, cst.Name))
    try_ids = {id(s) for t, _ in qualifying for s in [t, *statements(_Wrap(t))]}
    for stmt in region:
        if id(stmt) in try_ids:
            continue
        if isinstance(stmt, cst.Raise):
            return False
        if isinstance(stmt, cst.If) and any(_exits(s) for s in statements(_Wrap(stmt))):
            if {n.value for n in [stmt.test, *nodes(stmt.test)] if isinstance(n, cst.Name)} & handler_names:
                return False
    return True


def _schedule_wait(ctx: Context, node, region, schedule: list[float], wait: waits.Wait) -> waits.Wait:
    """``for delay in (1, 3, 5): ... sleep(delay)``: the schedule is the wait (E6).
    Increasing numbers grow, equal numbers do not; a decreasing schedule is left
    alone."""
    target = node.target
    if not isinstance(target, cst.Name):
        return wait
    uses_target = any(
        isinstance(n, cst.Call)
        and (d := _is_sleep(ctx, n)) is not None
        and isinstance(d, cst.Name)
        and d.value == target.value
        for s in region
        for n in [s, *nodes(s, _NESTED)]
    )
    if not uses_target:
        return wait
    if all(a == schedule[0] for a in schedule):
        return waits.Wait(waits.CONSTANT, False, "sleeps the same time between attempts")
    if all(a <= b for a, b in itertools.pairwise(schedule)):
        return waits.Wait(waits.GROWING, wait.random, "sleeps longer each round")
    return waits.UNKNOWN_WAIT


def _loop_facts(ctx: Context, node, region) -> waits.LoopFacts:
    counters: set[str] = set()
    values: dict[str, list] = {}
    if isinstance(node, cst.For):
        counters.update(ctx.code(n) for n in [node.target, *nodes(node.target)] if isinstance(n, cst.Name))
    for stmt in region:
        if isinstance(stmt, cst.AugAssign):
            counters.add(ctx.code(stmt.target))
            values.setdefault(ctx.code(stmt.target), []).append(stmt.value)
        elif isinstance(stmt, (cst.Assign, cst.AnnAssign)) and stmt.value is not None:
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            for target in targets:
                if not isinstance(target, (cst.Name, cst.Attribute)):
                    continue
                name = ctx.code(target)
                values.setdefault(name, []).append(stmt.value)
                # `delay = delay * 2`, `delay = min(delay * 2, cap)`: changes every round.
                if any(isinstance(n, (cst.Name, cst.Attribute)) and ctx.code(n) == name for n in nodes(stmt.value)):
                    counters.add(name)
    return waits.LoopFacts(frozenset(counters), values)


def _loop_wait(ctx: Context, region, qualifying, facts: waits.LoopFacts) -> waits.Wait:
    """Classify the loop's sleeps together; no sleep at all means no wait, unless
    the code outside the ``try`` bodies calls a helper that may sleep."""
    in_try = {id(s) for t, _ in qualifying for s in statements(t.body)}
    smalls = [s for s in region if isinstance(s, cst.BaseSmallStatement)]
    delays = []
    helpers = False
    for stmt in smalls:
        if isinstance(stmt, cst.Raise):
            continue  # `raise Error(...)` builds an exception; it never waits
        for n in [stmt, *nodes(stmt, _NESTED)]:
            if not isinstance(n, cst.Call):
                continue
            delay = _is_sleep(ctx, n)
            if delay is not None:
                delays.append(waits.expression_wait(ctx, delay, facts))
            elif id(stmt) not in in_try and _may_wait(ctx, n):
                helpers = True
    if delays:
        w = waits.combine(delays)
        if w.growth == waits.UNKNOWN:
            return w
        text = "sleeps longer each round" if w.growth == waits.GROWING else "sleeps the same time between attempts"
        return waits.Wait(w.growth, w.random, text)
    if helpers:
        return waits.UNKNOWN_WAIT  # it may wait inside a helper
    return waits.Wait(waits.NONE, describe="never sleeps between attempts")


# --- the prefilter of REL301-REL305 (core/prefilter.py) ---------------------------------
# The prefilter of REL301-REL305: a necessary
# condition for any retry site or retry loop the analyses above recognise.
RETRY_NAMES = Names(MECHANISMS, CELERY_APPS, CELERY_TASK_BASES)  # ATTEMPT_ITERATORS are mechanisms
_LOOP_CALLS = REMOTE_NAMES | Names(CONNECTION_ERRORS)


def may_retry(facts: Facts) -> bool:
    # A library retry; a Celery app may come from a module named celery/celery_app.
    if RETRY_NAMES.found_in(facts) or facts.has("celery"):
        return True
    # A hand-written loop: a `try` in one of the loop forms (_form), that calls
    # a remote dependency or catches a connection-type error.
    if not facts.loop_with_try:
        return False
    return bool(
        _LOOP_CALLS.found_in(facts)
        or grpc_stub(facts)
        or (facts.imports & CLIENT_PACKAGES and facts.has("Error", "Exception", "Timeout"))
        or facts.has(*CONNECTION_BUILTINS)
    )
