"""Reading fixtures: ``fixtures/<CODE>/*.py`` with inline ``# error:`` marks.

A line ending in ``# error: REL501`` (or ``# error: REL501, REL502``) must get
exactly those findings; every other line must get none. A mark may also give
the 1-based column and a fragment of the message:
``# error: REL501:5 "no timeout"``. A line
``# rel05-test-config: key = value`` (TOML) anywhere in the file sets options.

A sibling ``name.fixed.py`` holds the exact output of ``fix --unsafe-fixes``
with the marks taken out (it asserts the fix, not findings);
``pytest --update-fixed`` rewrites those files from the current fixes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rel05_lint.core.config import Settings, from_table
from rel05_lint.core.findings import Finding

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
_ENTRY = r'REL[0-9]{3}(?::[0-9]+)?(?:\s*"[^"]*")?'
_EXPECT = re.compile(rf"#\s*error:\s*(?P<entries>{_ENTRY}(?:\s*,\s*{_ENTRY})*)")
_ONE = re.compile(r'(?P<code>REL[0-9]{3})(?::(?P<col>[0-9]+))?(?:\s*"(?P<text>[^"]*)")?')
_MARK = re.compile(r"[ \t]*#\s*error:[^\r\n]*")
_CONFIG = re.compile(r"#\s*rel05-test-config:\s*(?P<toml>.+)$")


@dataclass(frozen=True)
class Mark:
    row: int
    code: str
    col: int | None = None  # 1-based, as printed
    text: str | None = None  # a fragment of the message


@dataclass(frozen=True)
class Case:
    code: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.code}/{self.path.name}"

    @property
    def fixed(self) -> Path:
        return self.path.with_name(self.path.name[:-3] + ".fixed.py")


def cases() -> list[Case]:
    out = []
    for folder in sorted(FIXTURES.glob("REL[0-9][0-9][0-9]")):
        for path in sorted(folder.glob("*.py")):
            if not path.name.endswith(".fixed.py"):
                out.append(Case(folder.name, path))
    return out


def marks(text: str) -> list[Mark]:
    out = []
    for row, line in enumerate(text.splitlines(), 1):
        m = _EXPECT.search(line)
        if m:
            for one in _ONE.finditer(m.group("entries")):
                col = one.group("col")
                out.append(Mark(row, one.group("code"), int(col) if col else None, one.group("text")))
    return out


def expected(text: str) -> set[tuple[int, str]]:
    return {(m.row, m.code) for m in marks(text)}


def mismatches(text: str, findings: list[Finding]) -> list[str]:
    """What the marks in ``text`` say that ``findings`` do not do, and the reverse."""
    problems = []
    got = {(f.row, f.code) for f in findings}
    want = expected(text)
    problems += [f"line {r}: {c} expected, not reported" for r, c in sorted(want - got)]
    problems += [f"line {r}: {c} reported, not marked" for r, c in sorted(got - want)]
    for mark in marks(text):
        here = [f for f in findings if (f.row, f.code) == (mark.row, mark.code)]
        if mark.col is not None and here and all(f.col + 1 != mark.col for f in here):
            problems.append(f"line {mark.row}: {mark.code} at column {[f.col + 1 for f in here]}, marked {mark.col}")
        if mark.text is not None and here and all(mark.text not in f.message for f in here):
            problems.append(f"line {mark.row}: {mark.code} message lacks {mark.text!r}: {here[0].message}")
    return problems


def strip_marks(text: str) -> str:
    """``text`` without its ``# error:`` marks (the form ``.fixed.py`` files hold)."""
    return _MARK.sub("", text)


def settings_for(case: Case, text: str) -> Settings:
    table: dict = {}
    for line in text.splitlines():
        m = _CONFIG.search(line)
        if m:
            table.update(tomllib.loads(m.group("toml")))
    table["select"] = [case.code]
    return from_table(table, case.path)
