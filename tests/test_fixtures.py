"""Every fixture: findings match the inline marks; fixes match ``*.fixed.py`` and round-trip."""

from __future__ import annotations

import libcst as cst
import pytest
from fixture_cases import cases, expected, mismatches, settings_for, strip_marks

from rel05_lint.registry import all_rules, build_engine

CASES = cases()
FIXED = [c for c in CASES if c.fixed.exists()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_findings_match_marks(case):
    text = case.path.read_text(encoding="utf-8")
    engine = build_engine(settings_for(case, text))
    assert mismatches(text, engine.check(text, str(case.path))) == []


@pytest.mark.parametrize("case", FIXED, ids=[c.id for c in FIXED])
def test_fix_round_trip(case, request):
    text = case.path.read_text(encoding="utf-8")
    engine = build_engine(settings_for(case, text))
    result = engine.fix(text, str(case.path), unsafe=True)
    assert result.refused == []
    assert result.fixed_text is not None
    got = strip_marks(result.fixed_text)
    if request.config.getoption("--update-fixed"):
        case.fixed.write_text(got, encoding="utf-8")
    want = case.fixed.read_text(encoding="utf-8")
    assert expected(want) == set(), f"{case.fixed.name} carries # error: marks; they assert nothing there"
    assert got == want
    cst.parse_module(want)
    assert [f for f in engine.check(want, str(case.path)) if f.code == case.code and f.fix and f.fix.edits] == []
    again = engine.fix(want, str(case.path), unsafe=True)
    assert again.fixed_text is None


def test_marks_are_read_with_columns_and_messages():
    text = 'a()  # error: REL501:3 "no timeout", REL502\nb()\n'
    assert [(m.row, m.code, m.col, m.text) for m in __import__("fixture_cases").marks(text)] == [
        (1, "REL501", 3, "no timeout"),
        (1, "REL502", None, None),
    ]
    assert strip_marks(text) == "a()\nb()\n"


def test_every_rule_has_fixtures_both_ways():
    for rule in all_rules():
        mine = [c for c in CASES if c.code == rule.code]
        marks = [expected(c.path.read_text(encoding="utf-8")) for c in mine]
        assert any(marks), f"{rule.code} has no positive fixture"
        negatives = sum(
            len(c.path.read_text(encoding="utf-8").splitlines()) - len(m) for c, m in zip(mine, marks, strict=False)
        )
        assert negatives > 0, f"{rule.code} has no negative lines"
