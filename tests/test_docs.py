"""The README's rule tables are generated from the registry (``python -m tools.docs``)."""

from __future__ import annotations

from tools import docs


def test_readme_tables_are_up_to_date():
    text = docs.README.read_text(encoding="utf-8")
    assert docs.render(text) == text, "run `python -m tools.docs` and commit README.md"


def test_every_rule_is_in_the_tables():
    from rel05_lint.registry import all_rules

    for rule in all_rules():
        assert f"{rule.code} {rule.name}" in docs.families()
        assert f"| [{rule.code}](rules/{rule.code}.md) | {rule.name} |" in docs.rules_table()
