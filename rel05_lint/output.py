"""Printing findings: text for people, JSON in ruff's shape for tools."""

from __future__ import annotations

import json
import os

from rel05_lint.findings import Applicability, Finding

FORMATS = ("text", "json")


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
        "noqa_row": f.row,
        "url": None,
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
