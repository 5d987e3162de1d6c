"""Smoke run over the pinned corpus of real packages: never crash, never corrupt.

``python -m tools.smoke [--corpus DIR] [--jobs N] [--sample N]`` checks
every file, applies every fix (unsafe ones too) to a copy in memory, and
reports files, lines, findings, fixes applied, refused fixes, crashes (any
exception escaping the engine) and fixed files that ``compile()`` rejects.
Exit 1 if there is a crash or a compile failure. Nothing is ever written into
the corpus, and nothing in it is imported or run (``compile`` only builds
code objects). Not part of the default tests: it takes minutes.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine
from rel05_lint.registry import build_engine
from rel05_lint.runner.files import Unreadable, read
from tools.corpus import DEFAULT_DIR, corpus_files, ensure_corpus


@dataclass
class FileReport:
    path: str
    lines: int = 0
    findings: list[tuple[str, int, int, str]] = field(default_factory=list)  # code, row, col, message
    fixes: int = 0
    refused: list[str] = field(default_factory=list)
    crash: str | None = None
    compile_error: str | None = None
    unreadable: str | None = None


_engine: Engine | None = None


def _init(all_rules: bool = False) -> None:
    global _engine
    # The default rule set, as users run it; --all-rules adds the off-by-default ones.
    settings = Settings().with_overrides(select=("ALL",)) if all_rules else Settings()
    _engine = build_engine(settings)


def smoke_file(path: str) -> FileReport:
    """Check and fix one file in memory; never raises."""
    assert _engine is not None
    report = FileReport(path)
    source = read(path)
    if isinstance(source, Unreadable):
        report.unreadable = source.reason
        return report
    report.lines = source.text.count("\n") + (not source.text.endswith("\n") and bool(source.text))
    try:
        findings = _engine.check(source.text, path)
        result = _engine.fix(source.text, path, unsafe=True)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        report.crash = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return report
    report.findings = [(f.code, f.row, f.col, f.message) for f in findings]
    report.fixes = result.fixes_applied
    report.refused = list(result.refused)
    if result.fixed_text is not None:
        try:
            compile(result.fixed_text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            report.compile_error = f"{type(exc).__name__}: {exc}"
    return report


def run(root: Path, jobs: int, all_rules: bool = False) -> list[FileReport]:
    paths = [str(p) for p in corpus_files(root)]
    if jobs <= 1:
        _init(all_rules)
        reports = [smoke_file(p) for p in paths]
    else:
        with ProcessPoolExecutor(jobs, initializer=_init, initargs=(all_rules,)) as pool:
            reports = list(pool.map(smoke_file, paths, chunksize=16))
    return sorted(reports, key=lambda r: r.path)


def summarize(reports: list[FileReport], root: Path, seconds: float, sample: int) -> str:
    by_code = collections.Counter(code for r in reports for code, *_ in r.findings)
    out = [
        f"corpus: {root}",
        f"files: {len(reports)}",
        f"lines: {sum(r.lines for r in reports)}",
        f"findings: {sum(len(r.findings) for r in reports)}",
        f"fixes applied: {sum(r.fixes for r in reports)}",
        f"files changed by fixes: {sum(1 for r in reports if r.fixes)}",
        f"refused fixes: {sum(len(r.refused) for r in reports)}",
        f"crashes: {sum(1 for r in reports if r.crash)}",
        f"fixed files that fail to compile: {sum(1 for r in reports if r.compile_error)}",
        f"unreadable files: {sum(1 for r in reports if r.unreadable)}",
        f"seconds: {seconds:.1f}",
        "findings by rule: " + ", ".join(f"{code} {n}" for code, n in sorted(by_code.items())),
    ]
    for r in reports:
        if r.crash:
            out.append(f"CRASH {r.path}: {r.crash}")
        if r.compile_error:
            out.append(f"COMPILE {r.path}: {r.compile_error}")
    refused = collections.Counter(why.split(": ", 1)[-1] for r in reports for why in r.refused)
    for why, n in refused.most_common():
        out.append(f"refused ({n}): {why}")
    for r in reports:
        for why in r.refused:
            out.append(f"REFUSED {r.path}: {why}")
    if sample:
        # A deterministic spread of findings per rule, for reading by hand.
        for code in sorted(by_code):
            hits = [(r.path, row, col, msg) for r in reports for c, row, col, msg in r.findings if c == code]
            step = max(1, len(hits) // sample)
            for path, row, col, msg in hits[::step][:sample]:
                out.append(f"SAMPLE {path}:{row}:{col + 1}: {code} {msg}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_DIR, help="corpus folder (downloaded with pip if missing)"
    )
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=0, help="print this many findings per rule")
    parser.add_argument("--all-rules", action="store_true", help="also the rules that are off by default")
    args = parser.parse_args(argv)
    root = ensure_corpus(args.corpus)
    start = time.perf_counter()
    reports = run(root, args.jobs, args.all_rules)
    print(summarize(reports, root, time.perf_counter() - start, args.sample))
    failed = any(r.crash or r.compile_error for r in reports)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
