"""REL304 retry-on-any-error. Page: rules/REL304.md"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import RetryLoop
from rel05_lint.analysis.retry_rule import RetryRule
from rel05_lint.catalog.retries import RetrySite
from rel05_lint.core.sites import Kind

RETRY_FILTER = Kind("retry-filter", "BP03", "retry sites", "retrying only chosen errors")

CONSEQUENCE = (
    "errors that can never succeed (bugs, bad input, refused credentials) are retried too, "
    "multiplying load on the dependency and delaying the real error"
)


class RetryOnAnyError(RetryRule):
    code = "REL304"
    name = "retry-on-any-error"
    best_practice = "BP03"
    summary = "A retry that retries every exception"
    default_enabled = False
    counts = (RETRY_FILTER,)

    def check_site(self, site: RetrySite) -> None:
        self.count(RETRY_FILTER, site.any_error is None, site.node)
        if site.any_error is not None:
            self.report(site.any_error.where, f"{site.label} {site.any_error.reason}: {CONSEQUENCE}")

    def check_loop(self, loop: RetryLoop) -> None:
        self.count(RETRY_FILTER, not loop.any_error, loop.node)
        if loop.any_error:
            self.report(
                loop.node,
                f"{loop.label} goes round again on any exception (bare `except` or `except Exception`): "
                f"{CONSEQUENCE}; catch only the transient errors",
            )
