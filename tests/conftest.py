"""Shared test setup: the checkout on sys.path, no bytecode, no Hypothesis
database, the ``--update-fixed`` option, and a guard that the run wrote
nothing into the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Subprocesses (the CLI, flake8, pre-commit) inherit this; this process set
# sys.dont_write_bytecode through `python -B` (the README's test command).
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
sys.dont_write_bytecode = True

try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
else:
    _hypothesis_settings.register_profile("rel05", database=None)
    _hypothesis_settings.load_profile("rel05")


def pytest_addoption(parser):
    parser.addoption(
        "--update-fixed",
        action="store_true",
        help="Rewrite fixtures/*/*.fixed.py from the current fixes (then review the diff).",
    )


def _tree_state() -> set[str] | None:
    """Every file in the checkout git does not track, ignored ones included (None outside git)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    paths = {line[3:] for line in out.splitlines() if line[:2] in ("??", "!!")}
    return {p for p in paths if not p.startswith(".venv/")}


def pytest_sessionstart(session):
    session.config._rel05_tree = _tree_state()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_rel05_tree", None)
    if before is None or session.config.getoption("--update-fixed") or session.config.option.collectonly:
        return
    after = _tree_state() or set()
    new = sorted(after - before)
    if new:
        shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
        session.config.get_terminal_writer().line(f"tests wrote into the checkout: {shown}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
