"""Plain, picklable results: nothing here refers to a CST node."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text from (row, col) to (end_row, end_col); rows 1-based, cols 0-based."""

    row: int
    col: int
    end_row: int
    end_col: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    row: int  # 1-based
    col: int  # 0-based; front ends add 1 where they print 1-based columns
    end_row: int
    end_col: int
    fix: Fix | None = None
    # Set by the engine from the text it checked (front ends have no text):
    # the row a noqa comment for this finding goes on (the last row of a
    # multi-line string or backslash continuation), and a hash of the
    # normalised flagged source that CI fingerprints are built from.
    noqa_row: int | None = None
    source_hash: str | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.row, self.col, self.code, self.message)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    fixed_text: str | None = None  # set by fix mode when the text changed
    fixes_applied: int = 0
    refused: list[str] = field(default_factory=list)  # why a fix was not written
    fixed: list[str] = field(default_factory=list)  # fix mode: the code of each fix applied
    unwritten: bool = False  # fix mode: the fixed text could not be written (findings are the old text's)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # survey: kind -> (sites, compliant)


def shown_path(path: str) -> str:
    """``path`` as every report prints it: valid UTF-8 whatever the file system holds.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as
    lone surrogates (surrogateescape); those bytes are written as ``\\xNN``
    (``caf\\xe9.py``), the same in every format. SARIF's URIs percent-encode
    the original bytes instead, as a URI must (``caf%E9.py``).
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path
