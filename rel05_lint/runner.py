"""Running the engine over files: in-process or in worker processes, check or fix.

Workers receive paths and return plain FileResult objects; the engine is
built once per process (``_init``), never per file.
"""

from __future__ import annotations

import difflib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from rel05_lint.config import Settings
from rel05_lint.engine import Engine
from rel05_lint.files import Unreadable, read, write_atomic
from rel05_lint.findings import FileResult, Finding

# A pool costs more to start than a handful of files take to check.
MIN_FILES_PER_WORKER = 8


@dataclass(frozen=True)
class Job:
    mode: str  # "check" | "fix"
    unsafe: bool = False
    diff: bool = False  # fix: compute a diff, write nothing


@dataclass
class RunResult:
    results: list[FileResult] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # refused fixes, skipped writes

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=lambda f: f.sort_key)

    @property
    def fixes_applied(self) -> int:
        return sum(r.fixes_applied for r in self.results)


_engine: Engine | None = None
_job: Job | None = None


def _init(settings: Settings, job: Job) -> None:
    global _engine, _job
    _engine = Engine(settings)
    _job = job


def _one(path: str) -> tuple[FileResult, str | None]:
    """Check or fix one file; never raises for anything the file contains."""
    assert _engine is not None and _job is not None
    source = read(path)
    if isinstance(source, Unreadable):
        return FileResult(path, [_tool_finding(path, source.reason)]), None
    try:
        if _job.mode == "check":
            return FileResult(path, _engine.check(source.text, path)), None
        result = _engine.fix(source.text, path, unsafe=_job.unsafe)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the run
        return FileResult(path, [_tool_finding(path, f"internal error: {type(exc).__name__}: {exc}")]), None
    diff = None
    if result.fixed_text is not None:
        if _job.diff:
            diff = "".join(
                difflib.unified_diff(
                    source.text.splitlines(keepends=True),
                    result.fixed_text.splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
            )
        else:
            try:
                data = source.to_bytes(result.fixed_text)
            except UnicodeEncodeError:
                why = f"the fixed text cannot be encoded as {source.encoding}"
            else:
                why = write_atomic(path, data, source.to_bytes())
            if why is not None:
                result.refused.append(f"not written: {why}")
                result.fixed_text = None
                result.fixes_applied = 0
    return result, diff


def _tool_finding(path: str, reason: str) -> Finding:
    return Finding("REL001", reason, path, 1, 0, 1, 0)


def run(paths: list[str], settings: Settings, job: Job, jobs: int | None = None) -> RunResult:
    workers = jobs or os.cpu_count() or 1
    workers = min(workers, max(1, len(paths) // MIN_FILES_PER_WORKER))
    out = RunResult()
    if workers <= 1:
        _init(settings, job)
        pairs = [_one(p) for p in paths]
    else:
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(settings, job)) as pool:
            pairs = list(pool.map(_one, paths, chunksize=max(1, len(paths) // (workers * 8))))
    for result, diff in sorted(pairs, key=lambda pair: pair[0].path):
        out.results.append(result)
        if diff:
            out.diffs.append(diff)
        out.notes.extend(f"{result.path}: {why}" for why in result.refused)
    return out
