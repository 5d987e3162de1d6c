"""Every fixture: findings match the inline marks; fixes match ``*.fixed.py`` and round-trip."""

from __future__ import annotations

import libcst as cst
import pytest

from fixture_cases import cases, expected, settings_for
from rel05_lint.registry import build_engine

CASES = cases()
FIXED = [c for c in CASES if c.fixed.exists()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_findings_match_marks(case):
    text = case.path.read_text(encoding="utf-8")
    engine = build_engine(settings_for(case, text))
    got = {(f.row, f.code) for f in engine.check(text, str(case.path))}
    assert got == expected(text)


@pytest.mark.parametrize("case", FIXED, ids=[c.id for c in FIXED])
def test_fix_round_trip(case):
    text = case.path.read_text(encoding="utf-8")
    engine = build_engine(settings_for(case, text))
    result = engine.fix(text, str(case.path), unsafe=True)
    want = case.fixed.read_text(encoding="utf-8")
    assert result.refused == []
    assert result.fixed_text == want
    cst.parse_module(want)
    assert [f for f in engine.check(want, str(case.path)) if f.code == case.code and f.fix and f.fix.edits] == []
    again = engine.fix(want, str(case.path), unsafe=True)
    assert again.fixed_text is None


def test_every_rule_has_fixtures_both_ways():
    from rel05_lint.registry import all_rules

    for rule in all_rules():
        mine = [c for c in CASES if c.code == rule.code]
        marks = [expected(c.path.read_text(encoding="utf-8")) for c in mine]
        assert any(marks), f"{rule.code} has no positive fixture"
        negatives = sum(
            len(c.path.read_text(encoding="utf-8").splitlines()) - len(m) for c, m in zip(mine, marks)
        )
        assert negatives > 0, f"{rule.code} has no negative lines"
