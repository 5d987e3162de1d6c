"""``rel05-lint check --add-noqa``: suppress every current finding in place.

The way to adopt the linter on legacy code: record today's findings as
``# noqa: CODE`` comments, then let CI stop only new ones.

Where the comment goes: on the finding's ``noqa_row``, which the engine sets
to the last row of the line's token range. For an ordinary line that is the
line itself; when the line ends inside a multi-line string or with a backslash
continuation, it is the row that closes the string or ends the continuation,
the first place a comment is legal (the engine, like flake8, honours a noqa
anywhere in that range). An existing ``# noqa: CODES`` there is merged into
(codes kept, new ones added, sorted); a bare ``# noqa`` already covers every
code; another comment gets ``  # noqa: CODES`` appended after it. Each edited
file is checked again before it is written: it must still parse and have no
finding left, else it is left alone and named. Files keep their encoding, BOM
and newlines and are replaced atomically. Running it twice changes nothing.
"""

from __future__ import annotations

import io
import tokenize
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rel05_lint.core import noqa
from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine
from rel05_lint.core.findings import Finding
from rel05_lint.core.source import split_lines
from rel05_lint.registry import build_engine
from rel05_lint.runner import Job, run
from rel05_lint.runner.files import Unreadable, read, write_atomic

TOOL_CODE = "REL001"  # a file that cannot be parsed: no comment can suppress it


@dataclass
class Outcome:
    added: int = 0  # codes added to comments
    files: int = 0  # files written
    remaining: list[Finding] = field(default_factory=list)  # still reported afterwards
    notes: list[str] = field(default_factory=list)  # files left alone, and why


def add_noqa(paths: list[str], settings: Settings | Callable[[str], Settings], jobs: int | None = None) -> Outcome:
    """``settings``: one for all, or a function giving each file's own (``config.Resolver``)."""
    out = Outcome()
    checked = run(paths, settings, Job("check"), jobs)  # in parallel: which files have findings
    engines: dict[Settings, Engine] = {}

    def engine_for(path: str) -> Engine:
        own = settings if isinstance(settings, Settings) else settings(path)
        if own not in engines:
            engines[own] = build_engine(own)
        return engines[own]

    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in checked.findings:
        by_path[f.path].append(f)
    for path, found in by_path.items():
        if all(f.code == TOOL_CODE for f in found):
            out.remaining.extend(found)
            continue
        source = read(path)
        if isinstance(source, Unreadable):
            out.remaining.extend(found)
            continue
        # Check again the very text that is edited (the file may have changed since).
        engine = engine_for(path)
        current = engine.check(source.text, path)
        new_text, added = add_to_text(source.text, [f for f in current if f.code != TOOL_CODE])
        if added == 0:
            out.remaining.extend(current)
            continue
        after = engine.check(new_text, path)
        if after:
            out.remaining.extend(current)
            out.notes.append(f"{path}: not written: the comments would not suppress every finding")
            continue
        why: str | None = None
        if not source.round_trips:
            why = f"its encoding ({source.encoding}) does not give back the bytes read; not written"
        else:
            try:
                data = source.to_bytes(new_text)
            except UnicodeEncodeError:
                why = f"the new text cannot be encoded as {source.encoding}; not written"
        if why is None:
            why = write_atomic(path, data, source.to_bytes())
        if why is not None:
            out.remaining.extend(current)
            out.notes.append(f"{path}: {why}")
            continue
        out.added += added
        out.files += 1
    out.remaining.sort(key=lambda f: f.sort_key)
    return out


def add_to_text(text: str, findings: list[Finding]) -> tuple[str, int]:
    """``text`` with a noqa comment for every finding; and how many codes were added."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for f in findings:
        wanted[f.noqa_row or f.row].add(f.code)
    if not wanted:
        return text, 0
    lines = split_lines(text)
    comments = _comments(text)
    added = 0
    for row, codes in sorted(wanted.items()):
        if row - 1 >= len(lines):
            continue
        line = lines[row - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        new_body, count = _with_codes(body, comments.get(row), codes)
        lines[row - 1] = new_body + ending
        added += count
    return "".join(lines), added


def _with_codes(body: str, comment: tuple[int, str] | None, codes: set[str]) -> tuple[str, int]:
    if comment is None:
        return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}", len(codes)
    col, ctext = comment
    match = noqa.NOQA.search(ctext)
    if match is None:
        new = f"{ctext.rstrip()}  # noqa: {', '.join(sorted(codes))}"
        count = len(codes)
    elif match.group("codes") is None:
        return body, 0  # a bare noqa covers every code already
    else:
        have = noqa.CODE.findall(match.group("codes"))  # as written: flake8 compares them so
        new_codes = sorted(c for c in codes if not any(noqa.covers(h, c) for h in have))
        if not new_codes:
            return body, 0
        merged = have + new_codes  # existing codes keep their order
        listed = match.group("codes")
        space = listed[len(listed.rstrip()) :]  # flake8's pattern takes the space after the codes
        new = f"{ctext[: match.start()]}# noqa: {', '.join(merged)}{space}{ctext[match.end() :]}"
        count = len(new_codes)
    return body[:col] + new + body[col + len(ctext) :], count


def _comments(text: str) -> dict[int, tuple[int, str]]:
    """Row -> (column, text) of the comment token on that row."""
    out = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = (tok.start[1], tok.string)
    except (tokenize.TokenError, SyntaxError):
        pass  # the file parsed, so this is unexpected; the re-check guards the result
    return out
