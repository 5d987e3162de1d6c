"""Shared test setup: the checkout on sys.path, no bytecode, no Hypothesis
database, the ``--update-fixed`` option, and a guard that the run wrote
nothing into the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Subprocesses (the CLI, flake8, pre-commit) inherit this; this process set
# sys.dont_write_bytecode through `python -B` (the README's test command).
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
sys.dont_write_bytecode = True

# Hypothesis keeps more than its example database in .hypothesis/ (unicode
# tables, constants); send all of it to a temporary folder.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="rel05-hypothesis-"))

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
    """Every file in the checkout that git does not track (None outside a git checkout)."""
    try:
        tracked = set(
            subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60, check=True)
            .stdout.decode("utf-8", "surrogateescape")
            .split("\0")
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        rel = Path(folder).relative_to(ROOT)
        dirs[:] = [d for d in dirs if not (rel == Path(".") and d in _OWN_TREES)]
        found.update((rel / name).as_posix() for name in files)
    return found - tracked


# What the developer's own tools keep in the checkout, not the tests.
_OWN_TREES = {".git", ".venv", ".mypy_cache", ".ruff_cache"}


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
        session.config.get_terminal_writer().line(f"\nerror: tests wrote into the checkout: {shown}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
