"""REL402 blocking-put. Page: rules/REL402.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.catalog.queues import QUEUE_NAMES, QueueCall, tracked_queue, unbounded
from rel05_lint.core import args
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

QUEUE_PUT = Kind("queue-put", "BP04", "puts on bounded queues", "with a timeout")

BLOCK = ArgSpec("block", 1)
TIMEOUT = ArgSpec("timeout", 2)
JANUS_SIDES = {"sync_q": "blocking", "async_q": "async"}

# Calls that bound an asyncio ``put`` from outside: the awaited call is their
# first argument (wait_for) or they open a timeout block (the rest).
WAIT_FOR = frozenset({"asyncio.wait_for", "asyncio.tasks.wait_for"})
TIMEOUT_BLOCKS = frozenset(
    {
        "asyncio.timeout",
        "asyncio.timeout_at",
        "asyncio.timeouts.timeout",
        "asyncio.timeouts.timeout_at",
        "async_timeout.timeout",
        "async_timeout.timeout_at",
        "anyio.fail_after",
        "anyio.move_on_after",
    }
)
_SCOPE_EDGES = later(lambda: (cst.FunctionDef, cst.Lambda, cst.ClassDef))


class BlockingPut(Rule):
    code = "REL402"
    name = "blocking-put"
    best_practice = "BP04"
    summary = "`put()` on a bounded queue with no timeout stalls the producer when the queue is full"
    default_enabled = False
    fix_applicability = None
    counts = (QUEUE_PUT,)
    triggers = ("put",)
    needs = QUEUE_NAMES  # a put on a queue the file builds

    def surveys(self, facts: Facts) -> bool:
        return facts.has("put") and facts.has("Queue")

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "put"):
            return
        target = self._target(func.value)
        if target is None:
            return
        qc, style = target
        if unbounded(self.ctx, qc) is not None:
            return  # REL401's business: a put on an unbounded queue never waits
        receiver = self.ctx.code(func.value)
        bounded = self._sync_put_bounded(node) if style == "blocking" else self._async_put_bounded(node)
        self.count(QUEUE_PUT, bounded, node)
        if style == "blocking":
            if bounded:
                return
            self.report(
                node,
                f"`{receiver}.put()` on a bounded queue has no timeout: when consumers fall "
                "behind and the queue fills, the producer blocks forever instead of failing "
                "fast; pass `timeout=` and handle `Full`, or call `put_nowait()`",
            )
        elif not bounded:
            self.report(
                node,
                f"`{receiver}.put()` on a bounded asyncio queue cannot time out: when consumers "
                "fall behind and the queue fills, the producer waits forever instead of failing "
                "fast; wrap it in `asyncio.wait_for(..., timeout)` or `asyncio.timeout()`, or "
                "call `put_nowait()` and handle `asyncio.QueueFull`",
            )

    def _target(self, expr: cst.BaseExpression, depth: int = 0) -> tuple[QueueCall, str] | None:
        """The queue a ``put`` receiver denotes, and which put signature it has."""
        if isinstance(expr, cst.Attribute) and expr.attr.value in JANUS_SIDES:
            qc = tracked_queue(self.ctx, expr.value)
            if qc is not None and qc.kind.put_style == "janus":
                return qc, JANUS_SIDES[expr.attr.value]
            return None
        qc = tracked_queue(self.ctx, expr)
        if qc is not None:
            style = qc.kind.put_style
            return (qc, style) if style in ("blocking", "async") else None
        if isinstance(expr, (cst.Name, cst.Attribute)) and depth < 4:
            # ``sync = q.sync_q`` then ``sync.put(...)``
            value = self.ctx.scopes.value_of(expr)
            if isinstance(value, cst.Attribute) and value is not expr:
                return self._target(value, depth + 1)
        return None

    def _sync_put_bounded(self, call: cst.Call) -> bool:
        block = args.find(call, BLOCK, self.ctx)
        timeout = args.find(call, TIMEOUT, self.ctx)
        if block is args.UNKNOWN or timeout is args.UNKNOWN:
            return True  # a spread may pass them: trusted
        if block is not None and not _literal_true(block):
            return True  # block=False never waits; a non-literal block is trusted
        return timeout is not None and not args.is_none(timeout)

    def _async_put_bounded(self, call: cst.Call) -> bool:
        stack = self.ctx.stack  # stack[-1] is the put call itself
        if len(stack) >= 3 and isinstance(stack[-2], cst.Arg) and isinstance(stack[-3], cst.Call):
            outer = stack[-3]
            if self.ctx.qualname(outer.func) in WAIT_FOR:
                limit = args.find(outer, ArgSpec("timeout", 1), self.ctx)
                return limit is not None and not args.is_none(limit)
        for node in reversed(stack[:-1]):
            if isinstance(node, _SCOPE_EDGES):
                return False
            if isinstance(node, cst.With) and self._timeout_block(node):
                return True
        return False

    def _timeout_block(self, node: cst.With) -> bool:
        for item in node.items:
            opened = item.item
            if isinstance(opened, cst.Call) and self.ctx.qualname(opened.func) in TIMEOUT_BLOCKS:
                if opened.args and not args.is_none(opened.args[0].value):
                    return True
        return False


def _literal_true(node: object) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    number = args.number_value(node)
    return number is not None and number != 0
