"""Each rule has one page in rules/, in the agreed shape, whose header and
options say what the rule class declares, and whose examples behave as marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixture_cases import expected

from rel05_lint.core.config import KEYS, Settings
from rel05_lint.registry import all_rules, build_engine, kinds
from rel05_lint.report.practices import PRACTICES, sections

PAGES = Path(__file__).resolve().parent.parent / "rules"
SECTIONS = [
    "## What it does",
    "## Why is this bad?",
    "## Known problems",
    "## Example",
    "## Fix safety",
    "## Options",
    "## References",
]
RULES = all_rules()


def _blocks(text: str) -> tuple[str, str]:
    example = text.split("## Example", 1)[1]
    bad = re.search(r"```python\n(.*?)```", example, re.S).group(1)
    good = re.search(r"Use instead:\s*```python\n(.*?)```", example, re.S).group(1)
    return bad, good


def _section(text: str, title: str) -> str:
    return text.split(title, 1)[1].split("\n## ", 1)[0]


def test_pages_and_rules_match_one_to_one():
    pages = {p.stem for p in PAGES.glob("REL*.md")}
    assert pages == {r.code for r in RULES} | {"REL001"}  # REL001: the tool's own code, no rule class


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_shape_and_header(rule):
    text = (PAGES / f"{rule.code}.md").read_text(encoding="utf-8")
    title, blank, header = text.split("\n")[:3]
    assert title == f"# {rule.code} {rule.name}"
    assert blank == ""
    assert header == rule.header()  # default, fix level and best practice, from the class
    positions = [text.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), [s for s, p in zip(SECTIONS, positions, strict=False) if p < 0]
    assert positions == sorted(positions)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_lists_the_options_the_rule_reads(rule):
    options = _section((PAGES / f"{rule.code}.md").read_text(encoding="utf-8"), "## Options")
    listed = set(re.findall(r"^- `([a-z-]+)`", options, re.M))
    assert set(rule.options) <= KEYS, set(rule.options) - KEYS
    assert listed == set(rule.options), (listed, rule.options)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_page_examples(rule):
    bad, good = _blocks((PAGES / f"{rule.code}.md").read_text(encoding="utf-8"))
    # A noqa rule judges the codes of the rules that ran: run it beside the defaults.
    engine = build_engine(Settings(extend_select=(rule.code,)) if rule.reads_noqa else Settings(select=(rule.code,)))
    path = "views.py"  # so Django-style examples count as views
    found = engine.check(bad, path)
    assert expected(bad), "the bad example carries no # error: mark"
    assert {(f.row, f.code) for f in found} == expected(bad)
    assert [f for f in engine.check(good, path) if f.code == rule.code] == []


def test_every_counted_kind_belongs_to_a_practice_of_its_rules():
    codes = {p.code for p in PRACTICES}
    shown = {id(k) for s in sections() for k in (*s.headline, *s.details)}
    for rule in RULES:
        for kind in rule.counts:
            assert kind.best_practice in codes
            assert kind.best_practice == rule.best_practice, (rule.code, kind.key)
    for kind in kinds():
        # A combined kind is the headline; its aspects are details. Nothing is dropped.
        assert id(kind) in shown, kind.key
    assert all(s.headline for s in sections() if any(r.best_practice == s.practice.code for r in RULES))


def test_rules_that_count_say_where_the_survey_finds_sites():
    """The review runs a rule where ``relevant`` or ``surveys`` admits a file; a rule
    that counts sites must declare where it may find them."""
    for rule in RULES:
        overrides = any("surveys" in vars(cls) for cls in rule.__mro__[:-2])  # not Rule, object
        if rule.counts:
            assert rule.survey_words or overrides, rule.code
