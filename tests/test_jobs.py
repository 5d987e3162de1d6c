"""Workers: same output for any --jobs, one engine per process, small runs in-process; progress line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers import ROOT, cli

from rel05_lint import runner
from rel05_lint.cli import progress
from rel05_lint.core.config import Settings
from rel05_lint.runner import Job, run

SAMPLE = ROOT / "fixtures" / "sample_service"


@pytest.mark.slow
def test_output_is_identical_for_any_number_of_jobs():
    outs = {cli("check", "--no-cache", "--jobs", str(n), str(SAMPLE), str(ROOT / "fixtures")).stdout for n in (1, 2, 3)}
    assert len(outs) == 1 and b"REL501" in outs.pop()


def test_a_single_file_runs_in_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one file")

    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    path = str(sorted(SAMPLE.rglob("*.py"))[0])
    result = run([path], Settings(), Job("check"), jobs=8)
    assert [r.path for r in result.results] == [path]


def test_the_engine_is_built_once_per_process_not_per_file(monkeypatch):
    built = []
    real = runner.build_engine

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "build_engine", counting)
    paths = sorted(str(p) for p in SAMPLE.rglob("*.py"))
    assert len(paths) > 1
    run(paths, Settings(), Job("check"), jobs=1)
    assert built == [1]


def test_results_come_back_sorted_by_path_with_cache_hits_mixed_in(tmp_path):
    paths = sorted(str(p) for p in SAMPLE.rglob("*.py"))
    job = Job("check", cache_dir=str(tmp_path / "cache"))
    cold = run(paths[::2], Settings(), job, jobs=1)  # half the files cached
    warm = run(list(reversed(paths)), Settings(), job, jobs=1)
    assert [r.path for r in warm.results] == sorted(paths)
    assert {r.path: r.findings for r in cold.results}.items() <= {r.path: r.findings for r in warm.results}.items()


def test_progress_is_silent_off_a_terminal_and_erased_on_one(monkeypatch):
    quiet = io.StringIO()
    bar = progress.Progress(10, stream=quiet)
    for _ in range(10):
        bar.advance()
    bar.close()
    assert quiet.getvalue() == ""

    monkeypatch.setattr(progress, "DELAY", 0.0)
    shown = io.StringIO()
    bar = progress.Progress(4, stream=shown, enabled=True)
    for _ in range(4):
        bar.advance()
    bar.close()
    assert "4/4 files (100%)" in shown.getvalue() and shown.getvalue().endswith("\r\x1b[K")


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_cli_prints_no_progress_when_stderr_is_captured(tmp_path: Path, jobs):
    for i in range(20):
        (tmp_path / f"m{i}.py").write_text("x = 1\n")
    proc = cli("check", "--jobs", str(jobs), ".", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == b""
