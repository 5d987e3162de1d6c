"""Benchmark on real code: ``python -m tools.bench [--corpus DIR] [--runs N]``.

Not part of the test run (it takes minutes). Downloads the pinned corpus
(``corpus.py``) once, then measures, each as its own subprocess and N times
(median): a bare ``libcst.parse_module`` of every file in one process,
rel05-lint cold with one job and with every CPU (``--no-cache``), rel05-lint
warm (an unchanged tree, cache primed by one unmeasured run), and
``ruff check --select S113`` as the reference. CPU time and peak memory come
from ``os.wait4`` on each subprocess (Linux counts the reaped workers in both;
peak memory is that of the largest single process, i.e. per worker). It also
prints how many files the prefilter lets through to libcst.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.corpus import DEFAULT_DIR, ensure_corpus

_BARE_PARSE = """
import sys, libcst
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    try:
        libcst.parse_module(open(path, "rb").read())
    except Exception:
        pass
"""


def measure(cmd: list[str], cwd: str | None = None) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one run of ``cmd`` and its workers."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: nothing can block on it
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # reaps it; Linux adds its reaped workers
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1: findings
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def ruff_command() -> list[str] | None:
    found = shutil.which("ruff") or shutil.which("ruff", path=os.path.dirname(sys.executable))
    if found is None:
        print("ruff is not installed: installing it with pip into this environment", file=sys.stderr)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "ruff"]
        done = subprocess.run(pip, check=False, timeout=900)  # noqa: REL504 - a download may take minutes
        if done.returncode != 0:
            return None
        found = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    return [found] if found else None


def prefilter_counts(files: list[Path]) -> tuple[int, int, int]:
    """(files parsed by libcst, lines in them, total lines) under the default rules."""
    from rel05_lint.core.config import Settings
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.registry import build_engine
    from rel05_lint.runner.files import Unreadable, read

    engine = build_engine(Settings())
    parsed = parsed_lines = total = 0
    for path in files:
        source = read(str(path))
        if isinstance(source, Unreadable):
            continue
        lines = source.text.count("\n")
        total += lines
        try:
            tree = ast.parse(source.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        facts = Facts(source.text, str(path), tree)
        if tree is None or any(rule.relevant(facts) for rule in engine.rules):
            parsed += 1
            parsed_lines += lines
    return parsed, parsed_lines, total


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR, help="corpus folder (downloaded there if missing)")
    parser.add_argument("--runs", type=int, default=3, help="runs per command; the median is reported")
    args = parser.parse_args(argv)

    root = ensure_corpus(args.corpus)
    # The files rel05-lint itself walks (its default excludes drop a few of
    # corpus_files(), e.g. under build/), so every row reads the same set.
    from rel05_lint.core.config import Settings
    from rel05_lint.runner.files import discover

    files = [Path(p) for p in discover([str(root)], Settings())]
    cpus = os.cpu_count() or 1
    parsed, parsed_lines, total_lines = prefilter_counts(files)
    print(f"machine: {machine()}")
    print(f"corpus: {root} ({len(files)} files, {total_lines:,} lines)")
    print(
        f"prefilter (default rules): {parsed} files parsed ({parsed_lines:,} lines, "
        f"{100 * parsed_lines / max(total_lines, 1):.1f}%), {len(files) - parsed} skipped"
    )

    lint = [sys.executable, "-m", "rel05_lint.cli", "check", str(root)]
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        cache = str(Path(tmp) / "cache")
        commands: list[tuple[str, list[str]]] = [
            ("bare libcst.parse_module, every file, 1 process", [sys.executable, "-c", _BARE_PARSE, str(listing)]),
            ("rel05-lint cold, --jobs 1", [*lint, "--no-cache", "--jobs", "1"]),
            (f"rel05-lint cold, --jobs {cpus} (all CPUs)", [*lint, "--no-cache", "--jobs", str(cpus)]),
            (f"rel05-lint warm (unchanged tree, --jobs {cpus})", [*lint, "--cache-dir", cache, "--jobs", str(cpus)]),
        ]
        ruff = ruff_command()
        if ruff is not None:
            commands.append(
                (
                    "ruff check --select S113 (reference)",
                    [*ruff, "check", "--no-cache", "--select", "S113", "--quiet", str(root)],
                )
            )
        else:
            print("ruff could not be installed: its row is missing")
        measure(commands[3][1])  # prime the cache for the warm runs
        rows = []
        for name, cmd in commands:
            runs = [measure(cmd) for _ in range(args.runs)]
            rows.append(
                (
                    name,
                    statistics.median(r[0] for r in runs),
                    statistics.median(r[1] for r in runs),
                    max(r[2] for r in runs),
                )
            )
            print(f"  measured: {name}: {rows[-1][1]:.2f} s", file=sys.stderr)

    bare = rows[0][1]
    print(f"\nmedian of {args.runs} run(s); ratio = wall / bare parse wall\n")
    print("| command | wall (s) | CPU (s) | peak RSS per process (MB) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, wall, cpu, rss in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {wall / bare:.3f} |")
    cold1, cold_n, warm = rows[1][1], rows[2][1], rows[3][1]
    print("\ntargets:")
    print(f"  cold, 1 job:       {cold1 / bare:.3f} x bare parse (target <= 0.6)")
    print(f"  cold, {cpus} jobs:      {cold_n / bare:.3f} x bare parse (target <= 0.35)")
    print(
        f"  warm:              {warm / cold_n:.3f} x cold, {cpus} jobs; {warm / cold1:.3f} x cold, 1 job (target <= 0.05)"
    )
    print(f"  peak RSS:          {max(r[3] for r in rows[1:4]):.0f} MB per process (target < 300)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
