"""Queue and channel constructors, their bound argument, and how to read it.

Shared by REL401 (is this queue unbounded?) and REL402 (is this ``put`` on a
bounded queue able to block forever?). Facts, checked on the stdlib of
CPython 3.10-3.13 and on janus 2.0, gevent 26.9, trio 0.35, anyio 4.16:

- stdlib ``queue``, ``asyncio``, ``janus`` and ``multiprocessing`` queues take
  ``maxsize`` first and default to 0; ``maxsize <= 0`` means "no limit"
  (multiprocessing turns it into SEM_VALUE_MAX, about 2**31).
- gevent queues default to ``maxsize=None``; gevent maps ``0`` to ``None`` too.
  ``gevent.queue.UnboundQueue`` refuses any maxsize.
- ``SimpleQueue`` (stdlib and multiprocessing) has no bound at all.
- ``trio.open_memory_channel(n)`` requires ``n``; ``anyio`` defaults to 0 (a
  rendezvous). Only an infinite buffer is unbounded there.
- A ``Manager()`` queue is a proxy to ``queue.Queue`` (``SyncManager``
  registers both ``Queue`` and ``JoinableQueue`` as ``queue.Queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.core import args
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

MAXSIZE = ArgSpec("maxsize", 0)
BUFFER = ArgSpec("max_buffer_size", 0)


@dataclass(frozen=True)
class QueueKind:
    name: str  # the class as users know it, for messages
    bound: ArgSpec | None  # None: the class has no bound to set
    unbounded_when_absent: bool  # False where the default is already finite
    put_style: str | None  # "blocking" (put(item, block, timeout)), "async" (no timeout), None (no put)


def _kinds(names, bound, absent, put_style, prefix=""):
    return {f"{prefix}{n}": QueueKind(f"{prefix}{n}", bound, absent, put_style) for n in names}


_STD = ("Queue", "LifoQueue", "PriorityQueue")

# Constructors resolved by qualified name.
QUEUE_CONSTRUCTORS: dict[str, QueueKind] = {
    **_kinds(_STD, MAXSIZE, True, "blocking", "queue."),
    "queue.SimpleQueue": QueueKind("queue.SimpleQueue", None, True, None),
    **_kinds(_STD, MAXSIZE, True, "async", "asyncio."),
    **_kinds(_STD, MAXSIZE, True, "async", "asyncio.queues."),
    **_kinds(("Queue", "JoinableQueue"), MAXSIZE, True, "blocking", "multiprocessing."),
    "multiprocessing.SimpleQueue": QueueKind("multiprocessing.SimpleQueue", None, True, None),
    # janus puts go through .sync_q (blocking style) or .async_q (async style).
    **_kinds(_STD, MAXSIZE, True, "janus", "janus."),
    **_kinds(
        ("Queue", "JoinableQueue", "PriorityQueue", "LifoQueue", "SimpleQueue"),
        MAXSIZE,
        True,
        "blocking",
        "gevent.queue.",
    ),
    "gevent.queue.UnboundQueue": QueueKind("gevent.queue.UnboundQueue", None, True, None),
    # Channels: the buffer size is required (trio) or defaults to a rendezvous
    # (anyio), so only an explicit infinity is unbounded. REL402 skips them
    # (see rules/REL402.md).
    "trio.open_memory_channel": QueueKind("trio.open_memory_channel", BUFFER, False, None),
    "anyio.create_memory_object_stream": QueueKind("anyio.create_memory_object_stream", BUFFER, False, None),
    "anyio.streams.memory.create_memory_object_stream": QueueKind(
        "anyio.create_memory_object_stream", BUFFER, False, None
    ),
}

# Methods of a multiprocessing context (``get_context()``) and of a manager.
CONTEXT_METHODS: dict[str, QueueKind] = {
    "Queue": QueueKind("multiprocessing.Queue", MAXSIZE, True, "blocking"),
    "JoinableQueue": QueueKind("multiprocessing.JoinableQueue", MAXSIZE, True, "blocking"),
    "SimpleQueue": QueueKind("multiprocessing.SimpleQueue", None, True, None),
}
MANAGER_METHODS: dict[str, QueueKind] = {
    "Queue": QueueKind("Manager().Queue", MAXSIZE, True, "blocking"),
    "JoinableQueue": QueueKind("Manager().JoinableQueue", MAXSIZE, True, "blocking"),
}

CONTEXT_FACTORIES = frozenset(
    {
        "multiprocessing.get_context",
        "multiprocessing.context.SpawnContext",
        "multiprocessing.context.ForkContext",
        "multiprocessing.context.ForkServerContext",
    }
)
MANAGER_FACTORIES = frozenset({"multiprocessing.Manager", "multiprocessing.managers.SyncManager"})

INFINITY_NAMES = frozenset({"math.inf", "numpy.inf"})


@dataclass(frozen=True)
class QueueCall:
    kind: QueueKind
    call: cst.Call


def _callee(call: cst.Call) -> cst.BaseExpression:
    """The constructor expression, without a generic subscript (``asyncio.Queue[int]()``)."""
    func = call.func
    return func.value if isinstance(func, cst.Subscript) else func


def _factory(ctx: Context, expr: cst.BaseExpression, depth: int = 0) -> str | None:
    """ "context" or "manager" when ``expr`` is a multiprocessing context or manager."""
    if isinstance(expr, cst.Call):
        qual = ctx.qualname(expr.func)
        if qual in CONTEXT_FACTORIES:
            return "context"
        if qual in MANAGER_FACTORIES:
            return "manager"
        func = expr.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "Manager"
            and _factory(ctx, func.value, depth + 1) == "context"
        ):
            return "manager"
        return None
    if isinstance(expr, (cst.Name, cst.Attribute)) and depth < 4:
        value = ctx.scopes.value_of(expr)
        if value is not None and value is not expr:
            return _factory(ctx, value, depth + 1)
    return None


def queue_call(ctx: Context, call: cst.Call) -> QueueCall | None:
    """The queue kind ``call`` constructs, if it is a known queue constructor."""
    callee = _callee(call)
    qual = ctx.qualname(callee)
    if qual is not None:
        kind = QUEUE_CONSTRUCTORS.get(qual)
        return QueueCall(kind, call) if kind is not None else None
    if isinstance(callee, cst.Attribute):
        factory = _factory(ctx, callee.value)
        table = CONTEXT_METHODS if factory == "context" else MANAGER_METHODS if factory == "manager" else None
        if table is not None and callee.attr.value in table:
            return QueueCall(table[callee.attr.value], call)
    return None


def tracked_queue(ctx: Context, expr: cst.BaseExpression, depth: int = 0) -> QueueCall | None:
    """The queue constructor a name, ``self.x`` or call expression is bound to."""
    if isinstance(expr, cst.Call):
        return queue_call(ctx, expr)
    if isinstance(expr, (cst.Name, cst.Attribute)) and depth < 4:
        value = ctx.scopes.value_of(expr)
        if value is not None and value is not expr:
            return tracked_queue(ctx, value, depth + 1)
    return None


# --- reading the bound -------------------------------------------------------


@dataclass(frozen=True)
class Unbounded:
    """Why a queue is unbounded, and the literal that says so (if any)."""

    reason: str  # "missing" | "nonpositive" | "none" | "infinite" | "no-bound"
    value: cst.BaseExpression | None = None


def is_infinity(ctx: Context, node: object) -> bool:
    """``math.inf``, ``float("inf")`` (any case, optional sign) and friends."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        return ctx.qualname(node) in INFINITY_NAMES
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "float"
        and ctx.scopes.lookup("float") is None  # the builtin, not a local
        and len(node.args) == 1
    ):
        text = args.string_value(node.args[0].value)
        return text is not None and text.strip().lower().lstrip("+") in ("inf", "infinity")
    return False


def unbounded(ctx: Context, qc: QueueCall) -> Unbounded | None:
    """None when the queue has a bound (a non-literal bound is trusted)."""
    kind = qc.kind
    if kind.bound is None:
        return Unbounded("no-bound")
    value = args.find(qc.call, kind.bound, ctx)
    if value is args.UNKNOWN:
        return None  # a spread may pass it: trusted, like any non-literal
    if value is None:
        return Unbounded("missing") if kind.unbounded_when_absent else None
    if is_infinity(ctx, value):
        return Unbounded("infinite", value)
    if kind.bound is BUFFER:
        return None  # channels: 0 is a rendezvous, not "unbounded"
    if args.is_none(value):
        return Unbounded("none", value)
    number = args.number_value(value)
    if number is not None and number <= 0:
        return Unbounded("nonpositive", value)
    return None


def in_call(call: cst.Call, value: cst.BaseExpression) -> bool:
    """True when ``value`` is written in the call itself: an argument, or a value
    in an inline ``**{...}`` dict (not a dict bound to a name elsewhere)."""
    for arg in call.args:
        if arg.value is value and not arg.star:
            return True
        if arg.star == "**" and isinstance(arg.value, cst.Dict):
            if any(isinstance(el, cst.DictElement) and el.value is value for el in arg.value.elements):
                return True
    return False


# What queue_call() can resolve, for the prefilter: constructors, and
# multiprocessing contexts/managers.
QUEUE_NAMES = Names(QUEUE_CONSTRUCTORS, CONTEXT_FACTORIES, MANAGER_FACTORIES)
