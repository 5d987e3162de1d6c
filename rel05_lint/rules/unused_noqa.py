"""REL002 unused-noqa. Page: rules/REL002.md

Not a tree visitor: the engine hands it the file's text and the findings
its ``# noqa`` comments hid, after the other rules ran (``Rule.check_noqa``).
"""

from __future__ import annotations

from rel05_lint.core import noqa
from rel05_lint.core.findings import Applicability, Edit, Fix
from rel05_lint.core.prefilter import Facts
from rel05_lint.core.rule import NoqaReport, Rule


class UnusedNoqa(Rule):
    code = "REL002"
    name = "unused-noqa"
    best_practice = ""
    summary = "A `# noqa` code that suppresses no finding on its line"
    default_enabled = False
    fix_applicability = Applicability.SAFE
    reads_noqa = True

    def relevant(self, facts: Facts) -> bool:
        return False  # never asks for a tree; see check_noqa

    def check_noqa(self, text, used, checkable) -> list[NoqaReport]:
        out = []
        for item in noqa.unused(text, used, checkable, lambda listed: noqa.covers(listed, self.code)):
            codes = ", ".join(f"`{c}`" for c in item.codes)
            plural = "s" if len(item.codes) > 1 else ""
            start, end, content = item.edit
            fix = Fix(
                Applicability.SAFE,
                f"Remove the unused code{plural} {codes}"
                if content or len(item.codes) > 1
                else f"Remove `{item.codes[0]}`",
                (Edit(item.row, start, item.row, end, content),),
            )
            message = (
                f"unused `noqa` code{plural} {codes}: nothing on this line is reported under {'them' if plural else 'it'}, "
                "so the comment would silently hide the next real finding here"
            )
            out.append(NoqaReport(item.row, item.col, item.end_col, message, fix))
        return out
