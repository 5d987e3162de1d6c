"""Running the engine's survey (findings plus inspected sites) over files.

The shared runner does the work (workers get paths and return plain results,
the engine is built once per process); this module only shapes its results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rel05_lint import registry
from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Finding
from rel05_lint.runner import Job, group, run


@dataclass
class FileSurvey:
    path: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (sites, compliant)

    @property
    def analysed(self) -> bool:
        """False when the file could not be read or parsed (a REL001 finding)."""
        return not any(f.code == "REL001" for f in self.findings)


def survey(
    paths: list[str], settings: Settings | Callable[[str], Settings], jobs: int | None = None
) -> tuple[list[FileSurvey], frozenset[str]]:
    """Each file's survey, sorted by path, and the rule codes that ran.

    ``settings``: one for all, or a function giving each file's own (``config.Resolver``);
    the codes are those of every configuration the files use. Test files add
    no sites while check-tests is off (the engine runs no rule there).
    """
    done = run(paths, settings, Job("survey"), jobs)
    results = [FileSurvey(r.path, r.findings, r.counts) for r in done.results]
    configs, _ = group(paths, settings)
    codes: set[str] = set()
    for one in configs:
        codes |= one.enabled_codes(registry.defaults())  # what build_engine(one) runs
    return results, frozenset(codes)
