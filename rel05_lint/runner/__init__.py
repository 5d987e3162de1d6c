"""Running the engine over files: in-process or in worker processes, check or fix.

Workers receive paths and return plain FileResult objects. Each file is
checked with its own settings (its nearest configuration): the run groups
files by settings, and a process builds one engine per distinct settings,
on first use, never per file. In check mode the main
process first answers what it can from the result cache (``cache.py``), so
an unchanged tree starts no worker at all; workers store what they compute.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from rel05_lint import registry
from rel05_lint.cli.progress import Progress
from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine
from rel05_lint.core.findings import FileResult, Finding
from rel05_lint.core.source import unified_diff
from rel05_lint.registry import build_engine
from rel05_lint.runner.cache import Cache
from rel05_lint.runner.files import Unreadable, inside, read, write_atomic

# A pool costs more to start than a handful of files take to check.
MIN_FILES_PER_WORKER = 8


@dataclass(frozen=True)
class Job:
    mode: str  # "check" | "fix" | "survey" (check plus inspected-site counts, for the report)
    unsafe: bool | None = False  # None: each file's `unsafe-fixes` setting decides
    diff: bool = False  # fix: compute a diff, write nothing
    cache_dir: str | None = None  # check: the result cache folder; None: no cache (fix never uses one)
    # fix: the named paths, resolved; a file found while walking that resolves
    # outside all of them (a symlink out of the tree) is checked, never written.
    roots: tuple[str, ...] = ()


@dataclass
class RunResult:
    results: list[FileResult] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # refused fixes, skipped writes
    unwritten: list[str] = field(default_factory=list)  # files whose fixes could not be written

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=lambda f: f.sort_key)

    @property
    def fixes_applied(self) -> int:
        return sum(r.fixes_applied for r in self.results)


_job: Job | None = None
_configs: tuple[Settings, ...] = ()  # the run's distinct settings
_which: dict[str, int] = {}  # path -> index into _configs (absent: index 0)
_engines: dict[int, tuple[Engine, Cache | None]] = {}  # built on first use, once per process


def _init(configs: tuple[Settings, ...], which: dict[str, int], job: Job) -> None:
    global _job, _configs, _which, _engines
    _job, _configs, _which, _engines = job, configs, which, {}


def _engine_for(path: str) -> tuple[Engine, Cache | None]:
    assert _job is not None
    index = _which.get(path, 0)
    found = _engines.get(index)
    if found is None:
        settings = _configs[index]
        engine = build_engine(settings, cache_dir=_job.cache_dir if _job.mode == "check" else None)
        found = _engines[index] = (engine, _make_cache(settings, _job, engine.codes))
    return found


def _make_cache(settings: Settings, job: Job, codes: frozenset[str]) -> Cache | None:
    return Cache(job.cache_dir, settings, codes) if job.mode == "check" and job.cache_dir else None


_stop = None  # in workers: set by the parent on Ctrl-C


def _init_worker(configs: tuple[Settings, ...], which: dict[str, int], job: Job, stop) -> None:
    # Ctrl-C reaches the whole process group; only the parent acts on it, so a
    # worker is never stopped halfway through a file: it skips the files it has
    # not started once the parent sets ``stop``.
    global _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (to the group, or from the parent's death below) ends a worker at
    # once, except inside a write, which defers it to the end (``files``): no
    # temporary file is left and no worker outlives the run.
    signal.signal(signal.SIGTERM, _exit_now)
    _die_with_parent()
    _stop = stop
    _init(configs, which, job)


def _exit_now(signum, _frame) -> None:
    os._exit(128 + signum)


def _die_with_parent() -> None:
    """Linux: have the kernel send this worker SIGTERM when the parent process ends.

    A wrapper that stops the run by its PID (``Popen.terminate()``, a timeout,
    SIGKILL) reaches only the parent; without this the workers would go on
    fixing files after the caller saw the run end.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(128 + signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM reached the main process: stop as for Ctrl-C (no new file; writes finish)."""


def _raise_terminated(_signum, _frame) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_stops():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _one(path: str) -> tuple[FileResult, str | None]:
    """Check or fix one file; never raises for anything the file contains."""
    assert _job is not None
    if _stop is not None and _stop.is_set():
        return FileResult(path), None
    _engine, _cache = _engine_for(path)
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
                # E2: the other modules this file's findings were resolved through.
                project = _engine.project
                deps = {f: d for f, d in project.consulted.items() if f != os.path.abspath(path)} if project else {}
                _cache.put(_cache.key(path, source.text), path, findings, deps)
            return FileResult(path, findings), None
        unsafe = _engine.settings.unsafe_fixes if _job.unsafe is None else _job.unsafe
        result = _engine.fix(source.text, path, unsafe=unsafe)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the run
        return FileResult(path, [_tool_finding(path, f"internal error: {type(exc).__name__}: {exc}")]), None
    diff = None
    if result.fixed_text is not None:
        if _job.diff:
            diff = unified_diff(source.text, result.fixed_text, path)
        else:
            why: str | None = None
            if _job.roots and not inside(path, _job.roots):
                why = f"a symbolic link to {os.path.realpath(path)}, outside the paths given; not written"
            elif not source.round_trips:
                why = f"its encoding ({source.encoding}) does not give back the bytes read, so a rewrite would change every line; not written"
            else:
                try:
                    data = source.to_bytes(result.fixed_text)
                except UnicodeEncodeError:
                    why = f"the fixed text cannot be encoded as {source.encoding}; not written"
            if why is None:
                why = write_atomic(path, data, source.to_bytes())
            if why is not None:
                result.refused.append(why)
                result.fixed_text = None
                result.fixes_applied = 0
                result.fixed = []
                result.unwritten = True
                # The file keeps its old text: report that text's findings, never
                # those of the fixed text that was not written.
                try:
                    result.findings = _engine.check(source.text, path)
                except Exception as exc:  # noqa: BLE001 - as above
                    result.findings = [_tool_finding(path, f"internal error: {type(exc).__name__}: {exc}")]
    return result, diff


def _tool_finding(path: str, reason: str) -> Finding:
    return Finding("REL001", reason, path, 1, 0, 1, 0)


def _cached(
    paths: list[str], configs: tuple[Settings, ...], which: dict[str, int], job: Job, progress: Progress
) -> tuple[list, list[str]]:
    """(results the cache holds, paths left to check)."""
    caches = [_make_cache(s, job, s.enabled_codes(registry.defaults())) for s in configs]
    if all(cache is None for cache in caches):
        return [], paths
    hits, todo = [], []
    for path in paths:
        cache = caches[which.get(path, 0)]
        if cache is None:
            todo.append(path)
            continue
        source = read(path)
        found = None if isinstance(source, Unreadable) else cache.get(cache.key(path, source.text), path)
        if found is None:
            todo.append(path)
        else:
            hits.append((FileResult(path, found), None))
            progress.advance()
    return hits, todo


def group(
    paths: list[str], settings: Settings | Callable[[str], Settings]
) -> tuple[tuple[Settings, ...], dict[str, int]]:
    """The distinct settings of ``paths`` and which one each path uses.

    ``settings``: one for all, or a function giving each file's (``config.Resolver``).
    """
    if isinstance(settings, Settings):
        return (settings,), {}
    configs: dict[Settings, int] = {}
    which = {}
    for path in paths:
        which[path] = configs.setdefault(settings(path), len(configs))
    return tuple(configs) or (Settings(),), which


def run(
    paths: list[str],
    settings: Settings | Callable[[str], Settings],
    job: Job,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Check or fix ``paths``, each with its own settings (one Settings, or a function giving each file's)."""
    with _sigterm_stops():
        return _run(paths, settings, job, jobs, progress or Progress(len(paths), enabled=False))


def _run(
    paths: list[str],
    settings: Settings | Callable[[str], Settings],
    job: Job,
    jobs: int | None,
    progress: Progress,
) -> RunResult:
    configs, which = group(paths, settings)
    pairs, todo = _cached(paths, configs, which, job, progress)
    workers = jobs or os.cpu_count() or 1
    workers = min(workers, max(1, len(todo) // MIN_FILES_PER_WORKER))
    out = RunResult()
    if todo and workers <= 1:
        _init(configs, which, job)
        for p in todo:
            pairs.append(_one(p))
            progress.advance()
    elif todo:
        # Imported here: a single-file run (pre-commit, an editor) never starts a pool.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        stop = multiprocessing.Event()
        pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(configs, which, job, stop))
        try:
            # Small chunks: results (and the progress line) arrive steadily, and
            # the last chunks do not leave one worker busy while the other waits.
            for pair in pool.map(_one, todo, chunksize=max(1, min(16, len(todo) // (workers * 16)))):
                pairs.append(pair)
                progress.advance()
        except KeyboardInterrupt:
            # Ctrl-C or SIGTERM: start no new file; those in progress finish (each
            # write is atomic), and the run ends only once every worker has.
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
        if result.unwritten:
            out.unwritten.append(result.path)
    return out
