"""The formats for people: full (source line and carets), concise, grouped, pylint.

``full`` is the default on a terminal; ``concise`` is one
``path:row:col: CODE [*] message`` line per finding (the default when the
output is not a terminal, and what ``text`` meant before); ``grouped`` puts
the findings under their file; ``pylint`` is ``path:row: [CODE] message``.
``[*]`` marks a finding that ``check --fix`` (with ``--unsafe-fixes`` when
that is on) would fix. Colour only when asked (see cli.output.use_color).
"""

from __future__ import annotations

from itertools import groupby

import click

from rel05_lint.cli.formats.run import Report
from rel05_lint.core.findings import Finding, shown_path
from rel05_lint.core.source import split_lines

TAB = 4


def _style(report: Report, text: str, **kw) -> str:
    return click.style(text, **kw) if report.color else text


def _head(report: Report, f: Finding, path: str | None = None) -> str:
    where = _style(report, shown_path(path if path is not None else f.path), bold=True)
    mark = " " + _style(report, "[*]", fg="cyan") if report.applicable(f) else ""
    code = _style(report, f.code, fg="red", bold=True)
    return f"{where}:{f.row}:{f.col + 1}: {code}{mark} {f.message}"


def concise(report: Report) -> str:
    return "".join(_head(report, f) + "\n" for f in report.findings)


def pylint(report: Report) -> str:
    return "".join(f"{shown_path(f.path)}:{f.row}: [{f.code}] {f.message}\n" for f in report.findings)


def grouped(report: Report) -> str:
    out = []
    for path, items in groupby(report.findings, key=lambda f: f.path):
        out.append(_style(report, shown_path(path), bold=True, underline=True) + ":\n")
        found = list(items)
        width = max(len(f"{f.row}:{f.col + 1}") for f in found)
        for f in found:
            mark = " " + _style(report, "[*]", fg="cyan") if report.applicable(f) else ""
            code = _style(report, f.code, fg="red", bold=True)
            out.append(f"  {f'{f.row}:{f.col + 1}':<{width}} {code}{mark} {f.message}\n")
        out.append("\n")
    return "".join(out)


def full(report: Report) -> str:
    """Each finding with its source line and a caret range under the flagged code;
    with ``show_fixes``, the fix's lines before and after."""
    out = []
    texts: dict[str, list[str] | None] = {}
    for f in report.findings:
        out.append(_head(report, f) + "\n")
        if f.path not in texts:
            text = report.source(f.path)
            texts[f.path] = split_lines(text) if text is not None else None
        lines = texts[f.path]
        if lines and 1 <= f.row <= len(lines):
            out.extend(_snippet(report, f, lines))
        if f.fix is not None and f.fix.message:
            label = "fix" if f.fix.edits else "help"
            kind = f" ({f.fix.applicability.value})" if f.fix.edits else ""
            out.append(f"  = {_style(report, label + kind, fg='cyan')}: {f.fix.message}\n")
            if report.show_fixes and f.fix.edits and lines:
                out.extend(_fix_diff(report, f, lines))
        out.append("\n")
    return "".join(out)


def _expand(line: str) -> str:
    return line.rstrip("\r\n").expandtabs(TAB)


def _snippet(report: Report, f: Finding, lines: list[str]) -> list[str]:
    raw = lines[f.row - 1].rstrip("\r\n")
    number = str(f.row)
    pad = " " * len(number)
    start = len(raw[: f.col].expandtabs(TAB))
    # A multi-line node: mark to the end of its first line.
    end = len(raw[: f.end_col].expandtabs(TAB)) if f.end_row == f.row else len(_expand(raw))
    carets = "^" * max(end - start, 1)
    more = " ..." if f.end_row > f.row else ""
    bar = _style(report, "|", fg="blue")
    return [
        f"{pad} {bar}\n",
        f"{_style(report, number, fg='blue')} {bar} {_expand(raw)}\n",
        f"{pad} {bar} {' ' * start}{_style(report, carets + more, fg='red')}\n",
        f"{pad} {bar}\n",
    ]


def _fix_diff(report: Report, f: Finding, lines: list[str]) -> list[str]:
    """The lines each part of the fix touches, before (-) and after (+)."""
    from rel05_lint.core.engine import apply_edits  # only with --show-fixes

    assert f.fix is not None
    groups: list[list] = []
    for e in sorted(f.fix.edits):
        if groups and e.row <= groups[-1][-1].end_row + 1:
            groups[-1].append(e)
        else:
            groups.append([e])
    out = []
    for edits in groups:
        first, last = edits[0].row, max(e.end_row for e in edits)
        if last > len(lines):
            return []
        before = lines[first - 1 : last]
        # Edits count rows in the whole text; apply them to the rows they touch.
        shifted = [type(e)(e.row - first + 1, e.col, e.end_row - first + 1, e.end_col, e.content) for e in edits]
        after = split_lines(apply_edits("".join(before), shifted))
        out += [f"    {_style(report, '- ' + _expand(line), fg='red')}\n" for line in before]
        out += [f"    {_style(report, '+ ' + _expand(line), fg='green')}\n" for line in after]
    return out
