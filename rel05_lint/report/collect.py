"""Running the engine's survey (findings plus inspected sites) over files.

Like ``rel05_lint.runner`` for ``check``: workers get paths and return plain
results, and the engine is built once per process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from rel05_lint import registry
from rel05_lint.config import Settings
from rel05_lint.engine import Engine
from rel05_lint.files import Unreadable, read
from rel05_lint.findings import Finding

MIN_FILES_PER_WORKER = 8  # a pool costs more to start than a handful of files take


@dataclass
class FileSurvey:
    path: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (sites, compliant)

    @property
    def analysed(self) -> bool:
        """False when the file could not be read or parsed (a REL001 finding)."""
        return not any(f.code == "REL001" for f in self.findings)


_engine: Engine | None = None


def _init(settings: Settings) -> None:
    global _engine
    _engine = Engine(settings)


def _one(path: str) -> FileSurvey:
    assert _engine is not None
    source = read(path)
    if isinstance(source, Unreadable):
        return FileSurvey(path, [_tool_finding(path, source.reason)])
    try:
        findings, counts = _engine.survey(source.text, path)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the run
        return FileSurvey(path, [_tool_finding(path, f"internal error: {type(exc).__name__}: {exc}")])
    return FileSurvey(path, findings, counts)


def _tool_finding(path: str, reason: str) -> Finding:
    return Finding("REL001", reason, path, 1, 0, 1, 0)


def survey(paths: list[str], settings: Settings, jobs: int | None = None) -> tuple[list[FileSurvey], frozenset[str]]:
    """Each file's survey, sorted by path, and the rule codes that ran."""
    workers = min(jobs or os.cpu_count() or 1, max(1, len(paths) // MIN_FILES_PER_WORKER))
    if workers <= 1:
        _init(settings)
        results = [_one(p) for p in paths]
    else:
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(settings,)) as pool:
            results = list(pool.map(_one, paths, chunksize=max(1, len(paths) // (workers * 8))))
    codes = settings.enabled_codes(registry.defaults())  # what Engine(settings) runs
    return sorted(results, key=lambda r: r.path), frozenset(codes)
