"""Printing findings: text for people, JSON in ruff's shape, and the CI formats.

``render`` turns a run's findings into one string in any format; ``deliver``
sends it to standard output or to ``--output-file``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click

from rel05_lint import registry
from rel05_lint.cli.formats import github, gitlab, sarif, statistics
from rel05_lint.cli.formats.paths import repo_root
from rel05_lint.cli.formats.run import Report
from rel05_lint.core import pages
from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Applicability, Finding

FORMATS = ("text", "json", "sarif", "github", "gitlab")


def text(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        mark = " [*]" if f.fix and f.fix.edits and f.fix.applicability is not Applicability.DISPLAY_ONLY else ""
        lines.append(f"{f.path}:{f.row}:{f.col + 1}: {f.code}{mark} {f.message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _loc(row: int, col: int) -> dict:
    return {"row": row, "column": col + 1}


def as_json_obj(f: Finding) -> dict:
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [
                {"content": e.content, "location": _loc(e.row, e.col), "end_location": _loc(e.end_row, e.end_col)}
                for e in f.fix.edits
            ],
        }
    return {
        "cell": None,
        "code": f.code,
        "end_location": _loc(f.end_row, f.end_col),
        "filename": os.path.abspath(f.path) if f.path != "-" else "-",
        "fix": fix,
        "location": _loc(f.row, f.col),
        "message": f.message,
        "noqa_row": f.noqa_row or f.row,
        "url": pages.url(f.code),
    }


def as_json(findings: list[Finding]) -> str:
    return json.dumps([as_json_obj(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def summary(findings: list[Finding], files: int, unsafe_shown: bool = True) -> str:
    if not findings:
        return f"All checks passed ({files} file{'s' if files != 1 else ''})."
    safe = sum(1 for f in findings if f.fix and f.fix.edits and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix and f.fix.edits and f.fix.applicability is Applicability.UNSAFE)
    n = len(findings)
    parts = [f"Found {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}."]
    if safe:
        parts.append(f"{safe} fixable with `rel05-lint fix`.")
    if unsafe and unsafe_shown:
        parts.append(f"{unsafe} more fixable with `rel05-lint fix --unsafe-fixes`.")
    return " ".join(parts)


def render(fmt: str, report: Report, summary_line: str | None = None, stats: bool = False) -> str:
    """The whole report in ``fmt``; ``summary_line`` ends the text format only.

    ``stats`` replaces the findings by a table of counts per rule (text) or
    its JSON form; the CI formats have no statistics form.
    """
    if stats:
        return statistics.as_json(report.findings) if fmt == "json" else statistics.text(report.findings)
    if fmt == "json":
        return as_json(report.findings)
    if fmt == "sarif":
        return sarif.render(report)
    if fmt == "github":
        return github.render(report)
    if fmt == "gitlab":
        return gitlab.render(report)
    return text(report.findings) + (summary_line + "\n" if summary_line else "")


def deliver(content: str, output_file: str | None) -> str | None:
    """Write ``content`` to ``output_file`` (parents created) or standard output; the error, if any."""
    if output_file is None:
        click.echo(content, nl=False)
        return None
    try:
        Path(output_file).parent.mkdir(parents=True, exist_ok=True)
        with open(output_file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except OSError as exc:
        return f"{output_file}: cannot write the report: {exc.strerror or exc}"
    return None


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Reporting:
    """The reporting options of ``check`` and ``fix``."""

    output_file: str | None = None
    exit_zero: bool = False
    statistics: bool = False
    stdin_filename: str | None = None


def selected_codes(settings: Settings) -> frozenset[str]:
    """The rules this run checks, plus the tool's own REL001 unless it is ignored."""
    codes = set(settings.enabled_codes(registry.defaults()))
    codes.update(code for code in registry.TOOL_CODES if code not in settings.ignore)
    return frozenset(codes)


def finish(
    fmt: str,
    findings: list[Finding],
    files: int,
    settings: Settings,
    first_path: str | None,
    opts: Reporting,
    summary_line: str,
    to_stderr: bool = False,
) -> int:
    """Render and deliver the report; the exit code (0 clean or --exit-zero, 1 findings, 2 cannot write).

    ``to_stderr``: standard output is taken (``fix`` of standard input writes
    the fixed source there), so a report without --output-file goes to stderr.
    """
    report = Report(findings, files, repo_root(first_path, settings.config_file), selected_codes(settings))
    content = render(fmt, report, summary_line, opts.statistics)
    if to_stderr and opts.output_file is None:
        click.echo(content, nl=False, err=True)
    else:
        error = deliver(content, opts.output_file)
        if error is not None:
            click.echo(f"rel05-lint: error: {error}", err=True)
            return EXIT_ERROR
        if opts.output_file is not None:
            click.echo(summary_line, err=True)  # so the CI log still says what was found
    return EXIT_CLEAN if opts.exit_zero or not findings else EXIT_FINDINGS
