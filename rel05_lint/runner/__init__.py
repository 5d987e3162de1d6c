"""Running the engine over files: in-process or in worker processes, check or fix.

Workers receive paths and return plain FileResult objects; the engine is
built once per process (``_init``), never per file. In check mode the main
process first answers what it can from the result cache (``cache.py``), so
an unchanged tree starts no worker at all; workers store what they compute.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from rel05_lint import registry
from rel05_lint.cli.progress import Progress
from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine
from rel05_lint.core.findings import FileResult, Finding
from rel05_lint.registry import build_engine
from rel05_lint.runner.cache import Cache
from rel05_lint.runner.files import Unreadable, read, write_atomic

# A pool costs more to start than a handful of files take to check.
MIN_FILES_PER_WORKER = 8


@dataclass(frozen=True)
class Job:
    mode: str  # "check" | "fix" | "survey" (check plus inspected-site counts, for the report)
    unsafe: bool = False
    diff: bool = False  # fix: compute a diff, write nothing
    cache_dir: str | None = None  # check: the result cache folder; None: no cache (fix never uses one)


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
_cache: Cache | None = None


def _init(settings: Settings, job: Job) -> None:
    global _engine, _job, _cache
    _engine = build_engine(settings)
    _job = job
    _cache = _make_cache(settings, job, _engine.codes)


def _make_cache(settings: Settings, job: Job, codes: frozenset[str]) -> Cache | None:
    return Cache(job.cache_dir, settings, codes) if job.mode == "check" and job.cache_dir else None


_stop = None  # in workers: set by the parent on Ctrl-C


def _init_worker(settings: Settings, job: Job, stop) -> None:
    # Ctrl-C reaches the whole process group; only the parent acts on it, so a
    # worker is never stopped halfway through a file: it skips the files it has
    # not started once the parent sets ``stop``.
    global _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stop = stop
    _init(settings, job)


def _one(path: str) -> tuple[FileResult, str | None]:
    """Check or fix one file; never raises for anything the file contains."""
    assert _engine is not None and _job is not None
    if _stop is not None and _stop.is_set():
        return FileResult(path), None
    source = read(path)
    if isinstance(source, Unreadable):
        return FileResult(path, [_tool_finding(path, source.reason)]), None
    try:
        if _job.mode == "survey":
            findings, counts = _engine.survey(source.text, path)
            return FileResult(path, findings, counts=counts), None
        if _job.mode == "check":
            findings = _engine.check(source.text, path)
            if _cache is not None:  # keyed by the text this process read and checked
                _cache.put(_cache.key(path, source.text), path, findings)
            return FileResult(path, findings), None
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
            why: str | None
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


def _cached(paths: list[str], settings: Settings, job: Job, progress: Progress) -> tuple[list, list[str]]:
    """(results the cache holds, paths left to check)."""
    cache = _make_cache(settings, job, settings.enabled_codes(registry.defaults()))
    if cache is None:
        return [], paths
    hits, todo = [], []
    for path in paths:
        source = read(path)
        found = None if isinstance(source, Unreadable) else cache.get(cache.key(path, source.text), path)
        if found is None:
            todo.append(path)
        else:
            hits.append((FileResult(path, found), None))
            progress.advance()
    return hits, todo


def run(
    paths: list[str], settings: Settings, job: Job, jobs: int | None = None, progress: Progress | None = None
) -> RunResult:
    progress = progress or Progress(len(paths), enabled=False)
    pairs, todo = _cached(paths, settings, job, progress)
    workers = jobs or os.cpu_count() or 1
    workers = min(workers, max(1, len(todo) // MIN_FILES_PER_WORKER))
    out = RunResult()
    if todo and workers <= 1:
        _init(settings, job)
        for p in todo:
            pairs.append(_one(p))
            progress.advance()
    elif todo:
        stop = multiprocessing.Event()
        pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(settings, job, stop))
        try:
            # Small chunks: results (and the progress line) arrive steadily, and
            # the last chunks do not leave one worker busy while the other waits.
            for pair in pool.map(_one, todo, chunksize=max(1, min(16, len(todo) // (workers * 16)))):
                pairs.append(pair)
                progress.advance()
        except KeyboardInterrupt:
            # Ctrl-C: start no new file; those in progress finish (each write is atomic).
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            progress.close()
            raise
        pool.shutdown()
    progress.close()
    for result, diff in sorted(pairs, key=lambda pair: pair[0].path):
        out.results.append(result)
        if diff:
            out.diffs.append(diff)
        out.notes.extend(f"{result.path}: {why}" for why in result.refused)
    return out
