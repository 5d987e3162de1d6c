"""REL303 retry-without-backoff. Page: rules/REL303.md"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import RetryLoop
from rel05_lint.analysis.retry_rule import RETRY_BACKOFF, RETRY_JUDGED, RetryRule, set_option, tenacity_name
from rel05_lint.catalog.retries import RetrySite
from rel05_lint.catalog.waits import NONE, UNKNOWN, Wait
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.source import number_literal

IMMEDIATE = "it retries at once, so a failing dependency gets a burst of back-to-back calls instead of time to recover"
STEADY = "the delay never grows, so a failing dependency gets a steady stream of retries instead of time to recover"


class RetryWithoutBackoff(RetryRule):
    code = "REL303"
    name = "retry-without-backoff"
    best_practice = "BP03"
    summary = "A retry that waits nothing or a constant time between attempts"
    fix_applicability = Applicability.UNSAFE
    fix_scope = "tenacity"
    options = ("max-backoff",)
    counts = (RETRY_JUDGED, RETRY_BACKOFF)

    def check_site(self, site: RetrySite) -> None:
        wait = site.wait
        judged = wait is not None and wait.growth != UNKNOWN  # not a custom wait, and retries configured
        self.count(RETRY_JUDGED, judged, site.node)
        if wait is not None and judged:
            self.count(RETRY_BACKOFF, not wait.no_backoff, site.node)
        if wait is None or not wait.no_backoff:
            return
        consequence = IMMEDIATE if wait.growth == NONE else STEADY
        self.report(wait.where or site.node, f"{site.label} {wait.describe}: {consequence}", fix=self._fix(site, wait))

    def _fix(self, site: RetrySite, wait: Wait) -> FixSpec | None:
        if site.mechanism.library != "tenacity":
            return None
        spelled = tenacity_name(self.ctx, site.func, "wait_random_exponential")
        if spelled is None:
            return None
        spelling, imports = spelled
        value = f"{spelling}(multiplier=1, max={number_literal(self.settings.max_backoff)})"
        where = wait.where
        existing = where.value if isinstance(where, cst.Arg) else where
        if existing is not None and not isinstance(existing, cst.BaseExpression):
            return None  # the wait is not an expression the fix can replace
        option = set_option(self.ctx, site, "wait", value, existing)
        if option is None:
            return None
        return FixSpec(Applicability.UNSAFE, f"Set `wait={value}` (max-backoff)", option + imports)

    def check_loop(self, loop: RetryLoop) -> None:
        wait = loop.wait
        self.count(RETRY_JUDGED, wait.growth != UNKNOWN, loop.node)
        if wait.growth != UNKNOWN:
            self.count(RETRY_BACKOFF, not wait.no_backoff, loop.node)
        if wait.no_backoff:
            consequence = IMMEDIATE if wait.growth == NONE else STEADY
            self.report(
                loop.node,
                f"{loop.label} {wait.describe}: {consequence}; sleep longer after each attempt, with jitter "
                "(e.g. `random.uniform(0, min(cap, base * 2 ** attempt))`)",
            )
