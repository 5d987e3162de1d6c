"""Checking and fixing a buffer piped on standard input (``-``, ``--stdin-filename PATH``).

Editors and other tools pipe the unsaved buffer in and name the file it
belongs to: findings are reported under that name, and configuration,
per-file ignores and (with ``--force-exclude``) exclusions apply as if the
file had been named on the command line. The file need not exist on disk.
``fix`` writes the fixed source to standard output (or the diff with
``--diff``), in the buffer's own encoding and newlines, and the report to
standard error, so the output can replace the buffer as it is.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Finding
from rel05_lint.core.source import Source, SourceError, decode, unified_diff
from rel05_lint.registry import build_engine

STDIN = "-"


class StdinUsage(Exception):
    """Standard input was asked for in a way that cannot work (exit 2)."""


def requested(paths: tuple[str, ...], stdin_filename: str | None) -> str | None:
    """The name to report standard input under, or None when files are checked."""
    if stdin_filename is None and STDIN not in paths:
        return None
    if any(p != STDIN for p in paths):
        raise StdinUsage("standard input (`-` or --stdin-filename) cannot be combined with other paths")
    return stdin_filename or STDIN


def config_anchor(name: str) -> str:
    """Where to look for pyproject.toml: the nearest existing folder of ``name``."""
    if name == STDIN:
        return "."
    path = Path(name).absolute()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return str(candidate)
    return "."


@dataclass
class StdinResult:
    findings: list[Finding]
    output: bytes | None = None  # fix: what to write to standard output
    fixes_applied: int = 0
    notes: list[str] = field(default_factory=list)
    text: str | None = None  # the buffer as decoded (the full format shows its lines)


def _read() -> Source | str:
    data = sys.stdin.buffer.read()
    try:
        return decode(data)
    except SourceError as exc:
        return str(exc)


def _tool_finding(name: str, reason: str) -> Finding:
    return Finding("REL001", reason, name, 1, 0, 1, 0)


def check(settings: Settings, name: str, excluded: bool) -> StdinResult:
    source = _read()
    if excluded:
        return StdinResult([])
    if isinstance(source, str):
        return StdinResult([_tool_finding(name, source)])
    try:
        return StdinResult(build_engine(settings).check(source.text, name), text=source.text)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not lose the buffer
        return StdinResult([_tool_finding(name, f"internal error: {type(exc).__name__}: {exc}")])


def fix(settings: Settings, name: str, excluded: bool, unsafe: bool, diff: bool) -> StdinResult:
    """Fix the buffer; ``output`` is the fixed source (unchanged when nothing applies), or the diff."""
    data = sys.stdin.buffer.read()
    unchanged = b"" if diff else data
    if excluded:
        return StdinResult([], unchanged)
    try:
        source = decode(data)
    except SourceError as exc:
        return StdinResult([_tool_finding(name, str(exc))], unchanged)
    try:
        result = build_engine(settings).fix(source.text, name, unsafe=unsafe)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not lose the buffer
        return StdinResult([_tool_finding(name, f"internal error: {type(exc).__name__}: {exc}")], unchanged)
    notes = [f"{name}: {why}" for why in result.refused]
    fixed = result.fixed_text
    if fixed is None:
        return StdinResult(result.findings, unchanged, 0, notes)
    if diff:
        text = unified_diff(source.text, fixed, name)
        return StdinResult(result.findings, text.encode("utf-8", "surrogateescape"), result.fixes_applied, notes)
    if not source.round_trips:
        notes.append(f"{name}: not fixed: its encoding ({source.encoding}) does not give back the bytes read")
        return StdinResult(build_engine(settings).check(source.text, name), data, 0, notes)
    try:
        return StdinResult(result.findings, source.to_bytes(fixed), result.fixes_applied, notes)
    except UnicodeEncodeError:
        notes.append(f"{name}: not fixed: the fixed text cannot be encoded as {source.encoding}")
        # The findings of the original text, since the original is what goes out.
        return StdinResult(build_engine(settings).check(source.text, name), data, 0, notes)
