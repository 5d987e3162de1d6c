"""``# noqa`` and ``# noqa: REL501,REL502`` on the line a finding points at."""

from __future__ import annotations

import re
from typing import Literal

import libcst as cst

# The code list ends at the first token that is not a code:
# "# noqa: REL501  # why" suppresses REL501 only.
_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
NOQA, CODE = _NOQA, _CODE  # public for add_noqa, which merges codes into a directive

ALL = None  # a bare noqa


def parse(line: str) -> frozenset[str] | Literal[False] | None:
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


def multiline_ranges(lines: list[str], positions) -> dict[int, tuple[int, int]]:
    """For each row inside a multi-line token range, the (first, last) row of that range.

    A range is what lies between two NL/NEWLINE tokens, as flake8 groups lines
    for ``noqa``: physical lines joined by a multi-line string or a backslash
    continuation (a newline inside brackets ends a range, so each line of a
    bracketed call is its own). A ``# noqa`` anywhere in the range applies to
    all of it, and its last row is where a comment can always be written.
    Rows not in the result are their own range.

    ``positions`` is libcst's PositionProvider mapping of the parsed module:
    its string nodes give the multi-line strings, its comments tell a comment
    ending in a backslash from a continuation. (Python's tokenize module would
    give the same ranges at several times the cost of this on 3.11.)
    """
    text_has_triple = any('"""' in line or "'''" in line for line in lines)
    backslashed = [row for row, line in enumerate(lines, 1) if line.rstrip("\r\n").endswith("\\")]
    if not text_has_triple and not backslashed:
        return {}  # no token can span lines (a one-quote string needs a backslash to)
    joins: list[tuple[int, int]] = []
    comment_rows: set[int] = set()
    if text_has_triple or any("#" in lines[row - 1] for row in backslashed):
        for node, rng in positions.items():
            if isinstance(node, _STRINGS) and rng.end.line > rng.start.line:
                joins.append((rng.start.line, rng.end.line))
            elif isinstance(node, cst.Comment) and node.value.endswith("\\"):
                comment_rows.add(rng.start.line)
    joins.extend((row, row + 1) for row in backslashed if row not in comment_rows and row < len(lines))
    out: dict[int, tuple[int, int]] = {}
    first = last = 0
    for start, end in [*sorted(joins), (len(lines) + 2, len(lines) + 2)]:
        if start > last:  # a new range starts: record the one that ended
            if last > first:
                for row in range(first, last + 1):
                    out[row] = (first, last)
            first, last = start, end
        else:
            last = max(last, end)
    return out


_STRINGS = (cst.SimpleString, cst.FormattedString)
