"""REL503 unbounded-wait. Page: rules/REL503.md"""

from __future__ import annotations

from rel05_lint.catalog.timeouts import ASYNC_DEADLINE_CALLS, ASYNC_DEADLINE_CONTEXTS, LOCAL_WAIT_NAMES, local_wait
from rel05_lint.core.args import find, is_none
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

LOCAL_WAIT = Kind("local-wait", "BP05", "subprocess, future and connection waits", "with a deadline")

_CONSEQUENCE = {
    "subprocess": "a child process that hangs (on a lock, a full pipe or the network) blocks this caller forever",
    "concurrent": "a task that never finishes blocks this caller forever",
}
_OPEN_CONNECTION = (
    "`asyncio.open_connection()` is not under `asyncio.wait_for()` or `async with asyncio.timeout()`: "
    "it takes no timeout of its own, so a peer that stalls the connect or the TLS handshake holds this task "
    "for minutes with nothing to cut it short"
)


class UnboundedWait(Rule):
    code = "REL503"
    name = "unbounded-wait"
    best_practice = "BP05"
    summary = "Waiting on a subprocess, a future or an asyncio connection with no deadline"
    default_enabled = False
    counts = (LOCAL_WAIT,)
    survey_words = ("subprocess", "concurrent", "futures", "open_connection")
    needs = LOCAL_WAIT_NAMES | Names(["asyncio.open_connection"])

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        if ctx.qualname(node.func) == "asyncio.open_connection":
            bounded = self._under_deadline()
            self.count(LOCAL_WAIT, bounded, node)
            if not bounded:
                self.report(node, _OPEN_CONNECTION)
            return
        hit = local_wait(ctx, node)
        if hit is None:
            return
        value = find(node, hit.target.arg, ctx)
        self.count(LOCAL_WAIT, value is not None and not is_none(value), node)
        if value is not None and not is_none(value):
            return  # given, or a spread that may hold it; None waits forever like no value
        self.report(node, f"`{hit.display}()` has no timeout: {_CONSEQUENCE[hit.target.library]}")

    def _under_deadline(self) -> bool:
        """Inside ``asyncio.wait_for(...)`` or an ``async with asyncio.timeout(...)`` body,
        within the same function (a nested def runs later, outside the deadline)."""
        ctx = self.ctx
        for node in ctx.ancestors():
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                return False
            if isinstance(node, cst.Call) and ctx.qualname(node.func) in ASYNC_DEADLINE_CALLS:
                return True
            if isinstance(node, cst.With):
                for item in node.items:
                    call = item.item
                    if isinstance(call, cst.Call) and ctx.qualname(call.func) in ASYNC_DEADLINE_CONTEXTS:
                        return True
        return False
