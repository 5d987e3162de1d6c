"""Rule pages: shipped in the wheel as rel05_lint/_pages, read from rules/ in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # rel05_lint/

# Where the rule pages (rules/<CODE>.md of the repository) are published: the
# only place this address is written. SARIF's helpUri, the JSON `url` field and
# the help text all derive from it; change it here when the repository moves.
DOCS_BASE_URL = "https://example.com/your-mirror/rel05-lint/blob/main/rules/"


def page(code: str) -> str | None:
    for folder in (_PACKAGE / "_pages", _PACKAGE.parent / "rules"):
        candidate = folder / f"{code}.md"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


@cache
def url(code: str) -> str | None:
    """The published page of rule ``code``, or None for a code without a page (REL001)."""
    return f"{DOCS_BASE_URL}{code}.md" if page(code) is not None else None


@cache
def description(code: str) -> str | None:
    """The first paragraph of the page's "What it does" section, on one line."""
    text = page(code)
    if text is None or "## What it does" not in text:
        return None
    section = text.split("## What it does", 1)[1].lstrip("\n")
    paragraph = section.split("\n\n", 1)[0].split("\n#", 1)[0]
    flat = " ".join(paragraph.split())
    # The paragraph often leads into a table or list ("...made without a timeout:").
    return (flat[:-1] + "." if flat.endswith(":") else flat) or None
