"""What every format is rendered from: the findings and the facts of the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rel05_lint.cli.formats.paths import Relative
from rel05_lint.core import fingerprint
from rel05_lint.core.findings import Applicability, Finding


@dataclass
class Report:
    findings: list[Finding]
    files: int  # files checked
    root: Path  # repository root (see formats.paths)
    codes: frozenset[str] = field(default_factory=frozenset)  # rules selected for this run
    docs: str | None = None  # where the rule pages are published (pages.docs_base), None: unknown
    unsafe: bool = False  # unsafe fixes are on: `[*]` marks them too
    show_fixes: bool = False  # full format: print each fix's diff
    color: bool = False
    # The text of a file, for the source lines of the full format (None: not available).
    source: Callable[[str], str | None] = field(default=lambda path: None)

    @cached_property
    def relative(self) -> Relative:
        return Relative(self.root)

    @cached_property
    def fingerprints(self) -> list[str]:
        return fingerprint.fingerprints(self.findings, self.relative)

    def applicable(self, f: Finding) -> bool:
        """Whether `check --fix` as run would apply this finding's fix (the `[*]` mark)."""
        a = fixable(f)
        return a is Applicability.SAFE or (a is Applicability.UNSAFE and self.unsafe)


def fixable(f: Finding) -> Applicability | None:
    """The applicability of a fix that ``rel05-lint check --fix`` can apply, else None."""
    if f.fix is None or not f.fix.edits or f.fix.applicability is Applicability.DISPLAY_ONLY:
        return None
    return f.fix.applicability
