"""Rule pages: shipped in the wheel as rel05_lint/_pages, read from rules/ in a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def page(code: str) -> str | None:
    for folder in (_HERE / "_pages", _HERE.parent / "rules"):
        candidate = folder / f"{code}.md"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None
