"""REL505 ignored-session-timeout. Page: rules/REL505.md"""

from __future__ import annotations

from rel05_lint.catalog.sessions import REQUESTS_SESSION
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule


class IgnoredSessionTimeout(Rule):
    code = "REL505"
    name = "ignored-session-timeout"
    best_practice = "BP05"
    summary = "`timeout` assigned on a requests Session, which requests never reads"
    fix_applicability = Applicability.DISPLAY_ONLY
    triggers = ("timeout",)
    needs = Names(REQUESTS_SESSION)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check(target.target, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(node.target, node)

    def _check(self, target: cst.BaseExpression, node: cst.CSTNode) -> None:
        if not (isinstance(target, cst.Attribute) and target.attr.value == "timeout"):
            return
        if self.ctx.instance(target.value, REQUESTS_SESSION) is None:
            return
        session = self.ctx.code(target.value)
        self.report(
            node,
            f"`{session}.timeout` is never read by requests: every call through "
            "the session still waits forever; pass `timeout=` on each call",
            fix=FixSpec(
                Applicability.DISPLAY_ONLY,
                "Remove the assignment and pass `timeout=` to each request made through the session",
            ),
        )
