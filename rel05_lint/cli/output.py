"""Printing findings in every ``--output-format``, the summary line, and where output goes.

``render`` turns a run's findings into one string in any format; ``deliver``
sends it to standard output or to ``--output-file``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import click

from rel05_lint.cli.formats import text as text_formats
from rel05_lint.cli.formats.run import Report, fixable
from rel05_lint.core import pages
from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Applicability, Finding, shown_path

FORMATS = ("full", "concise", "grouped", "json", "json-lines", "junit", "pylint", "sarif", "github", "gitlab")
ALIASES = {"text": "concise"}  # the old name of the one-line format
CHOICES = (*FORMATS, *ALIASES)
COLORS = ("auto", "always", "never")


def resolve_format(fmt: str | None, output_file: str | None) -> str:
    """The format to use: as asked, else full on a terminal and concise otherwise (pipes, files, CI logs)."""
    if fmt:
        return ALIASES.get(fmt, fmt)
    return "full" if output_file is None and _isatty(sys.stdout) else "concise"


def use_color(mode: str, output_file: str | None, fmt: str) -> bool:
    """Colour for people on a terminal: ``--color always`` forces it, ``never`` or NO_COLOR turns it off."""
    if fmt not in ("full", "concise", "grouped") or output_file is not None:
        return False
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return _isatty(sys.stdout)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def text(findings: list[Finding]) -> str:
    """The concise lines (``path:row:col: CODE [*] message``) of ``findings``, safe fixes marked."""
    return text_formats.concise(Report(findings, 0, Path.cwd()))


def _loc(row: int, col: int) -> dict:
    return {"row": row, "column": col + 1}


def as_json_obj(f: Finding, docs: str | None = None) -> dict:
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
        "filename": shown_path(os.path.abspath(f.path)) if f.path != "-" else "-",
        "fix": fix,
        "location": _loc(f.row, f.col),
        "message": f.message,
        "noqa_row": f.noqa_row or f.row,
        "url": pages.url(f.code, docs),
    }


def as_json(findings: list[Finding], docs: str | None = None) -> str:
    return json.dumps([as_json_obj(f, docs) for f in findings], indent=2, ensure_ascii=False) + "\n"


def as_json_lines(findings: list[Finding], docs: str | None = None) -> str:
    return "".join(json.dumps(as_json_obj(f, docs), ensure_ascii=False) + "\n" for f in findings)


@dataclass(frozen=True)
class Counts:
    """What the summary line says about a run's files."""

    checked: int
    tests_left_out: int = 0  # test files the REL1xx-REL6xx rules skipped (check-tests off)


def summary(findings: list[Finding], files: int | Counts, unsafe: bool = False, fix_hint: bool = True) -> str:
    """``Found N findings in M of K files.`` plus what ``check --fix`` could do, or ``All checks passed``.

    ``unsafe``: unsafe fixes are on (option or setting), so they count as fixable
    and no ``--unsafe-fixes`` hint is given.
    """
    counts = files if isinstance(files, Counts) else Counts(files)
    checked = counts.checked
    tests = ""
    if counts.tests_left_out:
        t = counts.tests_left_out
        tests = f"; {t} test file{'s' if t != 1 else ''} left out (`--check-tests` checks them)"
    if not findings:
        return f"All checks passed ({checked} file{'s' if checked != 1 else ''}{tests})."
    n = len(findings)
    with_findings = len({f.path for f in findings})
    where = f"{with_findings} file{'s' if with_findings != 1 else ''}"
    if with_findings != checked:
        where = f"{with_findings} of {checked} files"
    parts = [f"Found {n} finding{'s' if n != 1 else ''} in {where}{tests}."]
    if fix_hint:
        safe = sum(1 for f in findings if fixable(f) is Applicability.SAFE)
        risky = sum(1 for f in findings if fixable(f) is Applicability.UNSAFE)
        now = safe + risky if unsafe else safe
        if now:
            parts.append(f"[*] {now} fixable with `rel05-lint check --fix`.")
        if risky and not unsafe:
            parts.append(f"{risky} more fixable with `--unsafe-fixes`.")
    return " ".join(parts)


def render(fmt: str, report: Report, summary_line: str | None = None, stats: bool = False) -> str:
    """The whole report in ``fmt``; ``summary_line`` ends the formats for people only.

    ``stats`` replaces the findings by a table of counts per rule (text) or
    its JSON form; the CI formats have no statistics form.
    """
    fmt = ALIASES.get(fmt, fmt)
    if stats:
        from rel05_lint.cli.formats import statistics

        return statistics.as_json(report.findings) if fmt == "json" else statistics.text(report.findings)
    if fmt == "json":
        return as_json(report.findings, report.docs)
    if fmt == "json-lines":
        return as_json_lines(report.findings, report.docs)
    if fmt in ("sarif", "github", "gitlab", "junit"):
        import importlib

        return importlib.import_module(f"rel05_lint.cli.formats.{fmt}").render(report)
    if fmt == "pylint":
        return text_formats.pylint(report)
    body = {"full": text_formats.full, "grouped": text_formats.grouped}.get(fmt, text_formats.concise)(report)
    return body + (summary_line + "\n" if summary_line else "")


_URL_FORMATS = frozenset({"json", "json-lines", "sarif"})


def deliver(content: str, output_file: str | None, color: bool = False) -> str | None:
    """Write ``content`` to ``output_file`` (parents created) or standard output; the error, if any."""
    if output_file is None:
        click.echo(content, nl=False, color=color or None)
        return None
    try:
        Path(output_file).parent.mkdir(parents=True, exist_ok=True)
        with open(output_file, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
            handle.write(content)
    except OSError as exc:
        return f"{shown_path(output_file)}: cannot write the report: {exc.strerror or exc}"
    return None


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Reporting:
    """The reporting options of ``check``."""

    output_file: str | None = None
    exit_zero: bool = False
    statistics: bool = False
    stdin_filename: str | None = None
    fmt: str = "concise"
    color: bool = False
    quiet: bool = False  # findings only: no summary
    silent: bool = False  # nothing at all: the exit code says it
    show_fixes: bool = False

    def with_format(self, fmt: str) -> Reporting:
        return replace(self, fmt=fmt)


def selected_codes(settings: Settings) -> frozenset[str]:
    """The rules this run checks, plus the tool's own REL001 unless it is ignored."""
    from rel05_lint import registry

    codes = set(settings.enabled_codes(registry.defaults()))
    codes.update(code for code in registry.TOOL_CODES if code not in settings.ignore)
    return frozenset(codes)


def _reader(sources: dict[str, str] | None):
    def source(path: str) -> str | None:
        if sources is not None and path in sources:
            return sources[path]
        if path == "-":
            return None
        from rel05_lint.runner.files import Unreadable, read

        got = read(path)
        return None if isinstance(got, Unreadable) else got.text

    return source


def finish(
    findings: list[Finding],
    files: int | Counts,
    settings: Settings,
    first_path: str | None,
    opts: Reporting,
    summary_line: str,
    to_stderr: bool = False,
    unsafe: bool = False,
    sources: dict[str, str] | None = None,
    codes: frozenset[str] | None = None,
) -> int:
    """Render and deliver the report; the exit code (0 clean or --exit-zero, 1 findings, 2 cannot write).

    ``to_stderr``: standard output is taken (``fix`` of standard input writes
    the fixed source there), so a report without --output-file goes to stderr.
    """
    from rel05_lint.cli.formats.paths import repo_root

    code = EXIT_CLEAN if opts.exit_zero or not findings else EXIT_FINDINGS
    if opts.silent:
        return code
    counted = files.checked if isinstance(files, Counts) else files
    report = Report(
        findings,
        counted,
        repo_root(first_path, settings.config_file),
        selected_codes(settings) if codes is None else codes,
        # Only these formats print page addresses; finding the installed
        # package's [project.urls] imports importlib.metadata, which costs a
        # single clean file's run about a fifth of its time.
        docs=pages.docs_base(settings.docs_url) if ALIASES.get(opts.fmt, opts.fmt) in _URL_FORMATS else None,
        unsafe=unsafe,
        show_fixes=opts.show_fixes,
        color=opts.color,
        source=_reader(sources),
    )
    shown_summary = None if opts.quiet else summary_line
    content = render(opts.fmt, report, shown_summary, opts.statistics)
    if to_stderr and opts.output_file is None:
        click.echo(content, nl=False, err=True, color=opts.color or None)
    else:
        error = deliver(content, opts.output_file, opts.color)
        if error is not None:
            click.echo(f"rel05-lint: error: {error}", err=True)
            return EXIT_ERROR
        if opts.output_file is not None and shown_summary:
            click.echo(shown_summary, err=True)  # so the CI log still says what was found
    return code
