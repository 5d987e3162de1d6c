"""Reading fixtures: ``fixtures/<CODE>/*.py`` with inline ``# error: CODE`` marks.

A line ending in ``# error: REL501`` (or ``# error: REL501, REL502``) must get
exactly those findings; every other line must get none. A line
``# rel05-test-config: key = value`` (TOML) anywhere in the file sets options.
A sibling ``name.fixed.py`` holds the exact output of ``fix --unsafe-fixes``.
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

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
_EXPECT = re.compile(r"#\s*error:\s*(?P<codes>REL[0-9]{3}(?:\s*,\s*REL[0-9]{3})*)")
_CONFIG = re.compile(r"#\s*rel05-test-config:\s*(?P<toml>.+)$")


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


def expected(text: str) -> set[tuple[int, str]]:
    out = set()
    for row, line in enumerate(text.splitlines(), 1):
        m = _EXPECT.search(line)
        if m:
            for code in re.split(r"\s*,\s*", m.group("codes")):
                out.add((row, code))
    return out


def settings_for(case: Case, text: str) -> Settings:
    table: dict = {}
    for line in text.splitlines():
        m = _CONFIG.search(line)
        if m:
            table.update(tomllib.loads(m.group("toml")))
    table["select"] = [case.code]
    return from_table(table, case.path)
