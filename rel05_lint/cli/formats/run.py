"""What every CI format is rendered from: the findings and the facts of the run."""

from __future__ import annotations

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

    @cached_property
    def relative(self) -> Relative:
        return Relative(self.root)

    @cached_property
    def fingerprints(self) -> list[str]:
        return fingerprint.fingerprints(self.findings, self.relative)


def fixable(f: Finding) -> Applicability | None:
    """The applicability of a fix that ``rel05-lint fix`` can apply, else None."""
    if f.fix is None or not f.fix.edits or f.fix.applicability is Applicability.DISPLAY_ONLY:
        return None
    return f.fix.applicability
