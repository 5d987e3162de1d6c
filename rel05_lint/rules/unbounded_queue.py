"""REL401 unbounded-queue. Page: rules/REL401.md"""

from __future__ import annotations

from rel05_lint.analysis.queue_growth import can_grow
from rel05_lint.catalog.queues import QUEUE_NAMES, Unbounded, in_call, queue_call, unbounded
from rel05_lint.core.args import may_add_keyword
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec, Replace, add_keyword
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

QUEUE = Kind("queue", "BP04", "queues and memory channels", "bounded", headline=True)

_CONSEQUENCE = (
    "when producers outpace consumers it grows until the process runs out of "
    "memory, instead of pushing back or failing fast"
)

# What to use instead of a class that cannot take a bound.
_BOUNDED_ALTERNATIVE = {
    "queue.SimpleQueue": "queue.Queue(maxsize=...)",
    "multiprocessing.SimpleQueue": "multiprocessing.Queue(maxsize=...)",
    "gevent.queue.UnboundQueue": "gevent.queue.Queue(maxsize=...)",
}


class UnboundedQueue(Rule):
    code = "REL401"
    name = "unbounded-queue"
    best_practice = "BP04"
    summary = "A queue or memory channel with no bound grows without limit under overload"
    fix_applicability = Applicability.UNSAFE
    fix_scope = "display-only for `SimpleQueue`, `UnboundQueue` and explicit infinities"
    options = ("default-queue-size",)
    counts = (QUEUE,)
    survey_words = ("Queue", "open_memory_channel", "create_memory_object_stream")
    needs = QUEUE_NAMES

    def visit_Call(self, node: cst.Call) -> None:
        qc = queue_call(self.ctx, node)
        if qc is None:
            return
        problem = unbounded(self.ctx, qc)
        # E4: only a queue that can grow with load is a risk.
        if problem is not None and not can_grow(self.ctx, node):
            problem = None
        self.count(QUEUE, problem is None, node)
        if problem is None:
            return
        spelled = self.ctx.code(node.func)
        size = str(self.settings.default_queue_size)
        if problem.reason == "no-bound":
            alternative = _BOUNDED_ALTERNATIVE.get(qc.kind.name, "a queue class that takes maxsize")
            self.report(
                node,
                f"`{spelled}()` cannot be given a bound: {_CONSEQUENCE}",
                fix=FixSpec(Applicability.DISPLAY_ONLY, f"Use `{alternative}` instead"),
            )
        elif problem.reason == "missing":
            assert qc.kind.bound is not None  # a class without a bound is "no-bound"
            keyword = qc.kind.bound.keyword
            self.report(
                node,
                f"`{spelled}()` has no {keyword}: {_CONSEQUENCE}",
                fix=FixSpec(
                    Applicability.UNSAFE,
                    f"Add `{keyword}={size}` (producers then wait or fail when the queue is full)",
                    [Replace(node, add_keyword(node, keyword, size))],
                )
                if may_add_keyword(node, keyword, self.ctx)
                else None,
            )
        else:
            assert qc.kind.bound is not None and problem.value is not None  # a bad value was given
            self._bad_value(node, spelled, problem, problem.value, size, qc.kind.bound.keyword)

    def _bad_value(
        self, node: cst.Call, spelled: str, problem: Unbounded, value: cst.BaseExpression, size: str, keyword: str
    ) -> None:
        text = self.ctx.code(value)
        direct = in_call(node, value)
        # Point at the argument when it is one; a value inside a **spread is
        # reported at the call (where a noqa comment would go).
        where = next((a for a in node.args if a.value is value), node)
        if problem.reason == "infinite":
            message = f"`{spelled}()` is given an infinite buffer ({text}): {_CONSEQUENCE}"
            # An explicit infinity is a deliberate choice: advise, never rewrite.
            fix = FixSpec(
                Applicability.DISPLAY_ONLY, f"Pass a finite size such as {size}; senders then wait when it is full"
            )
        else:
            message = f"`{spelled}()` with `{keyword}={text}` has no limit: {_CONSEQUENCE}"
            if direct:
                fix = FixSpec(
                    Applicability.UNSAFE,
                    f"Set `{keyword}={size}` (producers then wait or fail when the queue is full)",
                    [Replace(value, cst.Integer(size))],
                )
            else:
                fix = FixSpec(Applicability.DISPLAY_ONLY, f"Set `{keyword}` to a positive size such as {size}")
        self.report(where, message, fix=fix)
