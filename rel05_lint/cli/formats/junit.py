"""JUnit XML: one test suite per file, one failed test case per finding (as ruff writes it).

CI systems that show test reports (GitLab's `reports: junit:`, Jenkins,
Azure Pipelines) list each finding as a failure; a run without findings is
one passing test case, so the report is never empty.
"""

from __future__ import annotations

from itertools import groupby
from xml.sax.saxutils import quoteattr

from rel05_lint.cli.formats.run import Report


def render(report: Report) -> str:
    n = len(report.findings)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="rel05-lint" tests="{max(n, 1)}" failures="{n}" errors="0">',
    ]
    if not n:
        out.append(
            '  <testsuite name="rel05-lint" tests="1" disabled="0" errors="0" failures="0" package="org.rel05-lint">'
        )
        out.append('    <testcase name="No findings" classname="rel05-lint"/>')
        out.append("  </testsuite>")
    for path, items in groupby(report.findings, key=lambda f: f.path):
        found = list(items)
        shown = report.relative(path)
        out.append(
            f'  <testsuite name={quoteattr(shown)} tests="{len(found)}" disabled="0" errors="0" '
            f'failures="{len(found)}" package="org.rel05-lint">'
        )
        for f in found:
            where = f"line {f.row}, col {f.col + 1}, {f.message}"
            out.append(
                f"    <testcase name={quoteattr('org.rel05-lint.' + f.code)} classname={quoteattr(shown)} "
                f'line="{f.row}" column="{f.col + 1}">'
            )
            out.append(f"      <failure message={quoteattr(f.message)}>{_text(where)}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
