"""Bytes <-> text with the file's own encoding and newlines; (row, col) <-> offsets."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache

# Python's tokenizer ends lines only at \r\n, \r and \n (not at \f or \u2028,
# which str.splitlines() would also split on), so positions must use the same.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class SourceError(Exception):
    """The bytes cannot be turned into Python source text."""


@dataclass(frozen=True)
class Source:
    text: str
    encoding: str  # codec name; "utf-8-sig" keeps a BOM on write
    raw: bytes | None = None  # the bytes as read (None: text.encode(encoding))

    def to_bytes(self, text: str | None = None) -> bytes:
        if text is None and self.raw is not None:
            return self.raw  # what is on disk, even where re-encoding would differ
        return (self.text if text is None else text).encode(self.encoding)

    @property
    def round_trips(self) -> bool:
        """Whether encoding the decoded text gives back the bytes read.

        Not so for codecs such as ``unicode_escape`` (every newline comes back
        as a literal backslash-n): writing a fix there would rewrite the file.
        """
        return self.raw is None or self.text.encode(self.encoding, "replace") == self.raw


def decode(data: bytes) -> Source:
    if b"\x00" in data:
        raise SourceError("source contains a NUL byte")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot detect encoding: {exc}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc}") from None
    return Source(text, encoding, data)


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split exactly where Python's tokenizer splits."""
    return _LINE.findall(text)


def line_starts(text: str) -> list[int]:
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


def offset(starts: list[int], row: int, col: int) -> int:
    """1-based row, 0-based column (characters) to a string offset."""
    if row - 1 >= len(starts):
        return starts[-1]
    return starts[row - 1] + col


def number_literal(value: float) -> str:
    """A number as Python source: ``10`` for 10.0, ``2.5`` for 2.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def newline_of(text: str) -> str:
    m = re.search(r"\r\n|\r|\n", text)
    return m.group(0) if m else "\n"


@lru_cache(maxsize=2)
def python_tree(text: str) -> ast.Module:
    """CPython's tree of ``text`` (raises as ``ast.parse`` does); read-only for callers.

    The fix loop asks for the same text up to three times per pass (the
    verification of the old and the new text, then the lint of the new one);
    the last two trees are kept so each text is parsed once.
    """
    return ast.parse(text)


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff that ``patch`` and ``git apply`` accept, whatever the line endings.

    Those tools end lines only at ``\n`` (a ``\r`` stays part of its line), so
    the diff does the same: never ``str.splitlines``, which also splits at
    ``\f``, ``\x85``, U+2028 and more. A CR-only file is one line to them,
    and a last line without ``\n`` gets the "No newline" marker, so no hunk
    line runs into the next.
    """
    import difflib

    out = []
    lines = difflib.unified_diff(_NL_LINE.findall(old), _NL_LINE.findall(new), fromfile=f"a/{name}", tofile=f"b/{name}")
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


_NL_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
