"""Ctrl-C during ``fix`` leaves every file whole: the old bytes or the new ones.

A real ``rel05-lint fix`` process is interrupted mid-run (SIGINT to its
process group, as a terminal's Ctrl-C does, or to the main process alone),
with and without worker processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT

FILES = 600
CALLS = 25


def _old(i: int) -> bytes:
    body = "".join(f"    requests.get(base + '/{i}/{n}', headers={{'n': '{n}'}})\n" for n in range(CALLS))
    return f"import requests\n\n\ndef fetch_{i}(base):\n{body}".encode()


def _new(i: int) -> bytes:
    return _old(i).replace(b"})\n", b"}, timeout=10)\n")


@pytest.mark.slow
@pytest.mark.parametrize("jobs,group", [(1, True), (2, True), (2, False)])
def test_interrupted_fix_leaves_each_file_old_or_new(tmp_path, jobs, group):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    src = tmp_path / "src"
    src.mkdir()
    paths = [src / f"m{i:04d}.py" for i in range(FILES)]
    for i, path in enumerate(paths):
        path.write_bytes(_old(i))
    inodes = {entry.inode() for entry in os.scandir(src)}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rel05_lint.cli", "fix", "--unsafe-fixes", "-j", str(jobs), "src"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        # Interrupt as soon as the first file has been rewritten: mid-run.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if _rewritten(src, inodes):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert proc.returncode == 130, (proc.returncode, err.decode()[-2000:])
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert b"interrupted" in err
    states = []
    for i, path in enumerate(paths):
        data = path.read_bytes()
        assert data in (_old(i), _new(i)), f"{path.name} is neither the old nor the new text"
        states.append(data == _new(i))
    assert any(states), "no file was fixed before the interrupt"
    assert not all(states), "every file was fixed: the interrupt did not stop the run"
    leftovers = [p.name for p in src.iterdir() if not p.name.endswith(".py")]
    assert leftovers == [], leftovers


def _rewritten(folder, inodes: set[int]) -> bool:
    # os.replace gives a rewritten file a new inode: cheaper than reading every file.
    return any(entry.name.endswith(".py") and entry.inode() not in inodes for entry in os.scandir(folder))
