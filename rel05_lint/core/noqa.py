"""``# noqa`` and ``# noqa: REL501,REL502`` on the line a finding points at.

Read exactly as flake8 reads it, so the CLI and the plugin agree: ``noqa``
in any case, codes as written (``# noqa: rel501`` names no code of ours), and
a listed code suppresses every code it begins (``# noqa: REL5`` covers REL501).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.source import split_lines

# flake8's own pattern (flake8/defaults.py NOQA_INLINE_REGEXP), so both front
# ends read a comment the same way. The code list ends at the first token that
# is not a code, so a directive listing REL501 and then a second comment suppresses REL501 only.
_NOQA = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
NOQA, CODE = _NOQA, _CODE  # public for add_noqa, which merges codes into a directive

ALL = None  # a bare noqa


def parse(line: str) -> frozenset[str] | Literal[False] | None:
    """False: no noqa; None: bare noqa (all codes); else the codes listed, as written."""
    if "#" not in line:
        return False
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return ALL
    return frozenset(_CODE.findall(codes))


def covers(listed: str, code: str) -> bool:
    """Whether a code listed in a noqa comment suppresses ``code`` (flake8: equal, or a prefix)."""
    return code.startswith(listed)


def suppressed(line: str, code: str) -> bool:
    result = parse(line)
    if result is False:
        return False
    return result is ALL or any(covers(listed, code) for listed in result)


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


_STRINGS = later(lambda: (cst.SimpleString, cst.FormattedString))


_HAS_CODES = re.compile(r"# noqa:", re.IGNORECASE)


@dataclass(frozen=True)
class Unused:
    """Codes of one ``# noqa: ...`` comment that suppressed nothing, and the edit removing them."""

    row: int
    col: int  # where the directive starts (0-based)
    end_col: int
    codes: tuple[str, ...]  # the unused codes, as written
    edit: tuple[int, int, str]  # (start col, end col, replacement) on ``row``


def unused(
    text: str, used: list[tuple[int, int, str]], checkable: Callable[[str], bool], exempt: Callable[[str], bool]
) -> list[Unused]:
    """The codes in ``# noqa: ...`` comments that hid no finding.

    ``used``: (first row, last row, code) of each finding a noqa hid (the rows
    of its token range, where a noqa counts). ``checkable(code)``: whether a
    listed code names a rule that ran on this file (any other code, another
    tool's or a rule that is off here, is left alone: nothing says it is
    unused). ``exempt(codes)``: the comment also lists a code covering the
    unused-noqa rule itself.
    """
    if _HAS_CODES.search(text) is None:
        return []
    lines = split_lines(text)
    out = []
    for row, col, comment in _comment_tokens(text):
        match = _NOQA.search(comment)
        if match is None or not match.group("codes"):
            continue
        listed = _CODE.findall(match.group("codes"))
        if any(exempt(code) for code in listed):
            continue
        dead = [
            code
            for code in listed
            if checkable(code) and not any(first <= row <= last and covers(code, c) for first, last, c in used)
        ]
        if not dead:
            continue
        keep = [code for code in listed if code not in dead]
        line = lines[row - 1] if row <= len(lines) else ""
        out.append(
            Unused(row, col + match.start(), col + match.end(), tuple(dead), _removal(line, col, comment, match, keep))
        )
    return out


def _removal(line: str, col: int, comment: str, match: re.Match[str], keep: list[str]) -> tuple[int, int, str]:
    """The edit on the comment's line that drops the unused codes (or the whole directive)."""
    start, end = col + match.start(), col + match.end()
    if keep:
        codes_start, codes_end = col + match.start("codes"), col + match.end("codes")
        trailing = line[codes_start:codes_end][len(line[codes_start:codes_end].rstrip(", \t")) :]
        return codes_start, codes_end, ", ".join(keep) + trailing
    before = comment[: match.start()]
    after = comment[match.end() :]
    if after.strip():  # a second comment follows the directive: keep it
        return start, end + (len(after) - len(after.lstrip())), ""
    if before.strip():  # another comment comes first ("# type: ignore"): drop the directive and the space before it
        return col + len(before.rstrip()), col + len(comment), ""
    # The comment is only the directive: drop it and the whitespace before it.
    code_end = len(line[:col].rstrip(" \t"))
    return code_end, col + len(comment), ""


def _comment_tokens(text: str) -> list[tuple[int, int, str]]:
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.COMMENT and "noqa" in tok.string.lower():
                out.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError):
        return []  # the file parsed, so this is unexpected: report nothing rather than guess
    return out
