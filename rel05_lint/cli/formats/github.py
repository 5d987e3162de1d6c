"""GitHub Actions workflow commands: one ``::error`` annotation per finding.

GitHub parses these from a step's standard output and pins each to its file
and line in the pull request. Property values must escape ``% \\r \\n : ,``
and the message ``% \\r \\n``, or GitHub cuts the annotation short.
"""

from __future__ import annotations

from rel05_lint.cli.formats.levels import github_command
from rel05_lint.cli.formats.run import Report


def escape_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def escape_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        props = (
            ("file", report.relative(f.path)),
            ("line", str(f.row)),
            ("col", str(f.col + 1)),
            ("endLine", str(f.end_row)),
            ("endColumn", str(f.end_col + 1)),
            ("title", f.code),
        )
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        lines.append(f"::{github_command(f.code)} {joined}::{escape_message(f.message)}")
    return "".join(line + "\n" for line in lines)
