"""Each rule has one page in rules/, in the agreed shape, and its examples behave."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rel05_lint.core.config import Settings
from rel05_lint.registry import build_engine
from rel05_lint.registry import all_rules

PAGES = Path(__file__).resolve().parent.parent / "rules"
SECTIONS = ["## What it does", "## Why is this bad?", "## Known problems", "## Example", "## Fix safety", "## Options", "## References"]
RULES = all_rules()


def _blocks(text: str) -> tuple[str, str]:
    example = text.split("## Example", 1)[1]
    bad = re.search(r"```python\n(.*?)```", example, re.S).group(1)
    good = re.search(r"Use instead:\s*```python\n(.*?)```", example, re.S).group(1)
    return bad, good


def test_pages_and_rules_match_one_to_one():
    pages = {p.stem for p in PAGES.glob("REL*.md")}
    assert pages == {r.code for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_shape(rule):
    text = (PAGES / f"{rule.code}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {rule.code} {rule.name}\n")
    positions = [text.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), [s for s, p in zip(SECTIONS, positions) if p < 0]
    assert positions == sorted(positions)
    default = "on" if rule.default_enabled else "off"
    assert f"Default: {default}." in text.split("\n## ", 1)[0]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_examples(rule):
    bad, good = _blocks((PAGES / f"{rule.code}.md").read_text(encoding="utf-8"))
    engine = build_engine(Settings(select=(rule.code,)))
    path = "views.py"  # so Django-style examples count as views
    found = engine.check(bad, path)
    assert found and {f.code for f in found} == {rule.code}
    assert [f for f in engine.check(good, path) if f.code == rule.code] == []
