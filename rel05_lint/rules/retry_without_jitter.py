"""REL302 retry-without-jitter. Page: rules/REL302.md"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import RetryLoop
from rel05_lint.analysis.retry_rule import RETRY_JITTER, RetryRule, tenacity_name
from rel05_lint.catalog.retries import RetrySite
from rel05_lint.catalog.waits import GROWING, Wait
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import Change, FixSpec, Replace, remove_keyword
from rel05_lint.core.lazy import libcst as cst

CONSEQUENCE = (
    "the delay grows but has no randomness, so clients that failed together retry together, "
    "in waves that hit the recovering dependency at the same moment"
)


class RetryWithoutJitter(RetryRule):
    code = "REL302"
    name = "retry-without-jitter"
    best_practice = "BP03"
    summary = "A retry whose delay grows with no jitter"
    fix_applicability = Applicability.UNSAFE
    fix_scope = "tenacity and backoff"
    counts = (RETRY_JITTER,)

    def check_site(self, site: RetrySite) -> None:
        wait = site.wait
        if wait is not None and wait.growth == GROWING:  # jitter matters once the delay grows
            self.count(RETRY_JITTER, wait.random, site.node)
        if wait is None or not wait.unjittered:
            return
        self.report(wait.where or site.node, f"{site.label} {wait.describe}: {CONSEQUENCE}", fix=self._fix(site, wait))

    def _fix(self, site: RetrySite, wait: Wait) -> FixSpec | None:
        if wait.renames:
            changes: list[Change] = []
            for call in wait.renames:
                spelled = tenacity_name(self.ctx, call.func, "wait_random_exponential")
                if spelled is None:
                    return None
                spelling, imports = spelled
                changes += [Replace(call.func, cst.parse_expression(spelling)), *imports]
            return FixSpec(
                Applicability.UNSAFE, "Use `wait_random_exponential` (full jitter) with the same arguments", changes
            )
        if wait.jitter_off is not None and site.call is not None:
            new_call = remove_keyword(site.call, "jitter")
            return FixSpec(
                Applicability.UNSAFE,
                "Remove `jitter=None` (backoff then uses full jitter)",
                [Replace(site.call, new_call)],
            )
        return None

    def check_loop(self, loop: RetryLoop) -> None:
        if loop.wait.growth == GROWING:
            self.count(RETRY_JITTER, loop.wait.random, loop.node)
        if loop.wait.unjittered:
            self.report(
                loop.node,
                f"{loop.label} sleeps longer each round with no randomness: clients that failed together "
                "retry together, in waves that hit the recovering dependency at the same moment; "
                "add jitter, e.g. `time.sleep(random.uniform(0, delay))`",
            )
