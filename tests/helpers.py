"""Running the real CLI in a subprocess, as users and pre-commit do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Runs from the checkout keep their result cache out of it.
_CACHE = tempfile.mkdtemp(prefix="rel05-test-cache-")


def cli(*args: str, cwd: Path | str | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    here = Path(cwd or os.getcwd()).resolve()
    if here == ROOT or ROOT in here.parents:
        env["REL05_LINT_CACHE_DIR"] = _CACHE
    return subprocess.run(
        [sys.executable, "-m", "rel05_lint.cli", *args],
        cwd=cwd,
        capture_output=True,
        input=input,
        env=env,
        timeout=120,
    )


def cli_json(*args: str, cwd=None) -> tuple[int, list]:
    proc = cli(*args, "--format", "json", cwd=cwd)
    return proc.returncode, json.loads(proc.stdout or b"[]")


SETPRIV = shutil.which("setpriv")


def cli_as_user(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    """The CLI as an ordinary user runs it: file permissions apply.

    Tests run as root on CI, and root reads and writes past permission bits;
    ``setpriv`` drops those two capabilities for the one subprocess.
    """
    if os.geteuid() != 0:
        return cli(*args, cwd=cwd)
    if SETPRIV is None:
        pytest.skip("needs setpriv to drop root's file-permission override")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--", sys.executable, "-m", "rel05_lint.cli", *args],
        cwd=cwd,
        capture_output=True,
        env=env,
        timeout=120,
    )


def flake8(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )
