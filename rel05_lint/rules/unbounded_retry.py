"""REL301 unbounded-retry. Page: rules/REL301.md"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import RetryLoop
from rel05_lint.analysis.retry_rule import RETRY_BOUNDED, RetryRule, set_option, tenacity_name
from rel05_lint.catalog.retries import RetrySite, Unbounded, is_celery_task_class
from rel05_lint.core import args
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst

CONSEQUENCE = "it retries forever, so a dependency that stays down gets an endless stream of calls"


class UnboundedRetry(RetryRule):
    code = "REL301"
    name = "unbounded-retry"
    best_practice = "BP03"
    summary = "A retry with no limit on attempts or time"
    fix_applicability = Applicability.UNSAFE
    fix_scope = "libraries only"
    options = ("max-attempts",)
    counts = (RETRY_BOUNDED,)

    def check_site(self, site: RetrySite) -> None:
        bound = site.unbounded
        self.count(RETRY_BOUNDED, bound is None, site.node)
        if bound is None:
            return
        self.report(bound.where, f"{site.label} {bound.reason}: {CONSEQUENCE}", fix=self._fix(site, bound))

    def _fix(self, site: RetrySite, bound: Unbounded) -> FixSpec | None:
        if bound.keyword is None:
            return None
        n = self.settings.max_attempts
        changes: list = []
        if site.mechanism.library == "tenacity":
            spelled = tenacity_name(self.ctx, site.func, "stop_after_attempt")
            if spelled is None:
                return None
            spelling, changes = spelled
            value = f"{spelling}({n})"
            if bound.compose and bound.existing is not None:
                old = bound.existing
                old_code = self.ctx.code(old)
                if not isinstance(old, (cst.Name, cst.Attribute, cst.Call, cst.BinaryOperation)):
                    old_code = f"({old_code})"
                value = f"{old_code} | {value}"
        else:
            value = str(n)
        option = set_option(self.ctx, site, bound.keyword, value, bound.existing)
        if option is None:
            return None
        return FixSpec(Applicability.UNSAFE, f"Set `{bound.keyword}={value}` (max-attempts)", option + changes)

    def check_loop(self, loop: RetryLoop) -> None:
        self.count(RETRY_BOUNDED, not loop.unbounded, loop.node)
        if loop.unbounded:
            self.report(
                loop.node,
                f"{loop.label} never gives up (no handler raises, returns or breaks): {CONSEQUENCE}; "
                "count the attempts and re-raise after a limit",
            )

    def visit_Assign(self, node: cst.Assign) -> None:
        # `max_retries = None` as a class attribute of a Celery task class
        # (any other value is a bounded one, counted for the review report).
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not (isinstance(target, cst.Name) and target.value == "max_retries"):
            return
        stack = self.ctx.stack
        cls = stack[-4] if len(stack) >= 4 else None
        if isinstance(cls, cst.ClassDef) and is_celery_task_class(self.ctx, cls):
            unbounded = args.is_none(node.value)
            self.count(RETRY_BOUNDED, not unbounded, node)
            if unbounded:
                self.report(node, f"Celery task `{cls.name.value}` sets `max_retries = None`: {CONSEQUENCE}")
