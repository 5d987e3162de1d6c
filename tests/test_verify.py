"""Fix verification: a pass is kept only if the code means what it meant outside
the nodes its fixes target; a refused fix leaves the file untouched and says why."""

from __future__ import annotations

import dataclasses

import pytest

from rel05_lint import runner
from rel05_lint.core import verify
from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine, apply_edits
from rel05_lint.core.findings import Edit, Fix
from rel05_lint.registry import all_rules, build_engine
from rel05_lint.runner import Job

ENGINE = build_engine(Settings())


def _finding(text: str, code: str = "REL501"):
    return next(f for f in ENGINE.check(text, "t.py") if f.code == code and f.fix)


def _with_edit(finding, edit: Edit):
    return dataclasses.replace(finding, fix=Fix(finding.fix.applicability, "test", (edit,)))


def _verdict(text: str, edit_at) -> list[str]:
    finding = _finding(text)
    bad = _with_edit(finding, edit_at(finding))
    new = apply_edits(text, list(bad.fix.edits))
    return [why for _, why in verify.refusals(text, new, [bad])]


def test_real_fixes_pass():
    text = (
        '"""doc"""\nimport queue\nimport requests\nfrom tenacity import retry\n\n'
        "@retry\ndef f(url):\n    q = queue.Queue()\n    start(q)  # handed on, so it can grow (E4)\n    return requests.get(url, headers={'a': 1}) + 1\n"
    )
    findings = [f for f in ENGINE.check(text, "t.py") if f.fix]
    assert {f.code for f in findings} >= {"REL301", "REL401", "REL501"}
    result = ENGINE.fix(text, "t.py", unsafe=True)
    assert result.refused == [] and result.fixes_applied >= 3
    assert "timeout=10" in result.fixed_text and "maxsize=" in result.fixed_text


ESCAPES = {
    # The edit's text rebinds what surrounds the call: precedence, a tuple, a new statement.
    "precedence": ("x = 2 * requests.get(url)\n", lambda f: Edit(f.end_row, f.end_col, f.end_row, f.end_col, " + 1")),
    "tuple": ("x = requests.get(url)\n", lambda f: Edit(f.end_row, f.end_col, f.end_row, f.end_col, ", 2")),
    "conditional": (
        "x = g(requests.get(url)) if a else b\n",
        lambda f: Edit(f.end_row, f.end_col, f.end_row, f.end_col, ") if c else (d"),
    ),
    "statement": (
        "if x:\n    requests.get(url)\ny = 1\n",
        lambda f: Edit(f.end_row, f.end_col, f.end_row, f.end_col, "\ny = 2"),
    ),
    "between statements": ("requests.get(url)\ny = 1\n", lambda f: Edit(3, 0, 3, 0, "z = 3\n")),
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_edit_escaping_its_node_is_refused(name):
    body, edit_at = ESCAPES[name]
    reasons = _verdict("import requests\n" + body, edit_at)
    assert reasons and reasons[0].startswith("the fix would change "), reasons
    assert " ast " not in reasons[0]  # words a user can act on (issue 21 item 6), not the verifier's internals


def test_adding_a_keyword_inside_the_call_passes():
    text = "import requests\nx = 2 * requests.get(url)\n"
    assert _verdict(text, lambda f: Edit(f.end_row, f.end_col - 1, f.end_row, f.end_col - 1, ", timeout=10")) == []


def test_unparsable_result_is_refused():
    text = "import requests\nrequests.get(url)\n"
    assert _verdict(text, lambda f: Edit(f.end_row, f.end_col - 1, f.end_row, f.end_col - 1, ", timeout=(")) == [
        "the fixed file would not parse"
    ]


def test_inserted_import_line_is_allowed_but_other_lines_are_not():
    text = "import requests\n\nrequests.get(url)\n"
    finding = _finding(text)
    good = dataclasses.replace(
        finding,
        fix=Fix(
            finding.fix.applicability, "t", (Edit(2, 0, 2, 0, "from x import T\n"), Edit(3, 16, 3, 16, ", timeout=T"))
        ),
    )
    assert verify.refusals(text, apply_edits(text, list(good.fix.edits)), [good]) == []
    bad = dataclasses.replace(
        finding,
        fix=Fix(finding.fix.applicability, "t", (Edit(2, 0, 2, 0, "T = 1\n"), Edit(3, 16, 3, 16, ", timeout=T"))),
    )
    assert verify.refusals(text, apply_edits(text, list(bad.fix.edits)), [bad]) != []


class _LeakyEngine(Engine):
    """An engine whose REL501 fix leaks out of the call (a rule bug, simulated)."""

    def _lint(self, text, path, rules):
        findings, ok = super()._lint(text, path, rules)
        out = []
        for f in findings:
            if f.code == "REL501" and f.fix:
                f = _with_edit(f, Edit(f.end_row, f.end_col, f.end_row, f.end_col, " + 1"))
            out.append(f)
        return out, ok


def test_refused_fix_leaves_the_file_untouched_and_says_why(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    original = b"import requests\nx = 2 * requests.get(url)\n"
    path.write_bytes(original)
    monkeypatch.setattr(runner, "build_engine", lambda settings, **_: _LeakyEngine(settings, all_rules()))
    result = runner.run([str(path)], Settings(), Job("fix", unsafe=True), jobs=1)
    assert path.read_bytes() == original
    assert result.fixes_applied == 0
    assert any("REL501 at 2:9: the fix would change code outside the call" in note for note in result.notes), (
        result.notes
    )


def test_only_the_leaky_fix_is_refused_others_still_apply():
    text = "import queue\nimport requests\nq = queue.Queue()\nx = 2 * requests.get(url)\n"
    result = _LeakyEngine(Settings(), all_rules()).fix(text, "t.py", unsafe=True)
    assert result.fixed_text is not None and "queue.Queue(maxsize=" in result.fixed_text
    assert "requests.get(url) + 1" not in result.fixed_text
    assert [r.split(":")[0] for r in result.refused] == ["REL501 at 4"]
