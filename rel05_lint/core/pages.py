"""Rule pages: shipped in the wheel as rel05_lint/_pages, read from rules/ in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # rel05_lint/

# Where the rule pages are published is not known to the code: a `docs-url`
# setting names it (a folder, or an address with `{code}`), else a `Rules` or
# `Documentation` entry of the installed package's [project.urls]. With
# neither, JSON `url`, SARIF `helpUri` and `informationUri` are left out:
# no URL is better than a wrong one.
_PAGE_LABELS = ("rules", "documentation", "docs")
_HOME_LABELS = ("homepage", "repository", "source", "documentation")


@cache
def _project_urls() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    try:
        entries = metadata.metadata("rel05-lint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return ()
    out = []
    for entry in entries:
        label, _, address = entry.partition(",")
        if address.strip():
            out.append((label.strip().lower(), address.strip()))
    return tuple(out)


def _first(labels: tuple[str, ...]) -> str | None:
    urls = dict(reversed(_project_urls()))
    return next((urls[label] for label in labels if label in urls), None)


def docs_base(setting: str | None = None) -> str | None:
    """Where the rule pages live: the ``docs-url`` setting, else the package's [project.urls]."""
    return setting or _first(_PAGE_LABELS)


def information_uri() -> str | None:
    """The tool's home page, when the installed package names one."""
    return _first(_HOME_LABELS)


@cache
def page(code: str) -> str | None:
    for folder in (_PACKAGE / "_pages", _PACKAGE.parent / "rules"):
        candidate = folder / f"{code}.md"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def url(code: str, base: str | None = None) -> str | None:
    """The published page of rule ``code`` under ``base`` (see ``docs_base``), or None when unknown."""
    if base is None or page(code) is None:
        return None
    if "{code}" in base:
        return base.replace("{code}", code)
    return f"{base.rstrip('/')}/{code}.md"


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


def _folders() -> list[Path]:
    return [folder for folder in (_PACKAGE / "_pages", _PACKAGE.parent / "rules") if folder.is_dir()]


@cache
def codes() -> tuple[str, ...]:
    """Every code with a page, sorted (read from the pages: no rule module is imported)."""
    found: set[str] = set()
    for folder in _folders():
        found.update(p.stem for p in folder.glob("REL*.md"))
    return tuple(sorted(found))


def name(code: str) -> str | None:
    """The rule's name from its page title (``# REL501 missing-timeout``)."""
    text = page(code)
    if text is None:
        return None
    first = text.split("\n", 1)[0].split()
    return first[2] if len(first) >= 3 and first[0] == "#" else None


def header(code: str) -> dict[str, str]:
    """The page's header line as fields: default, fix, best practice."""
    text = page(code)
    if text is None:
        return {}
    lines = text.split("\n")
    line = lines[2] if len(lines) > 2 else ""
    out = {}
    for part in line.split(". "):
        key, _, value = part.partition(": ")
        if value:
            out[key.strip().lower().replace(" ", "_")] = value.rstrip(".")
    return out
