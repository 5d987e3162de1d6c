"""``# noqa`` and ``# noqa: REL501,REL502`` on the line a finding points at."""

from __future__ import annotations

import re

# The code list ends at the first token that is not a code:
# "# noqa: REL501  # why" suppresses REL501 only.
_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL = None  # a bare noqa


def parse(line: str) -> "frozenset[str] | None | bool":
    """False: no noqa; None: bare noqa (all codes); else the codes listed."""
    if "#" not in line:
        return False
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return ALL
    return frozenset(c.upper() for c in _CODE.findall(codes))


def suppressed(line: str, code: str) -> bool:
    result = parse(line)
    if result is False:
        return False
    return result is ALL or code in result
