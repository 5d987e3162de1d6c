"""Paths as CI systems want them: relative to the repository root, with ``/``.

The repository root is the nearest folder holding ``.git`` (a folder, or a
file in worktrees and submodules) above the first checked path (the current
folder when none is named, the ``--stdin-filename`` for standard input).
Outside a repository it is the folder of the configuration file, else the
current folder. ``.git`` is looked for on disk rather than asking ``git``, so
the answer does not depend on git being installed, and is the same on every run.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from rel05_lint.core.findings import shown_path


def repo_root(first_path: str | None, config_file: str | None) -> Path:
    start = Path(first_path) if first_path and first_path != "-" else Path.cwd()
    start = start.resolve()
    if not _is_dir(start):
        start = start.parent
    for folder in (start, *start.parents):
        if _exists(folder / ".git"):
            return folder
    if config_file:
        return Path(config_file).resolve().parent
    return Path.cwd().resolve()


class Relative:
    """Maps a finding's path to its repository path (memoised: one per file, many findings)."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        """The repository path as printed (bytes that are not UTF-8 as ``\\xNN``, see ``shown_path``)."""
        found = self._cache.get(path)
        if found is None:
            found = self._cache[path] = shown_path(self._relative(path))
        return found

    def _relative(self, path: str) -> str:
        if path == "-":
            return "-"
        # The folder resolved like the root (symlinks such as /tmp -> /private/tmp),
        # the file itself not: a symlinked file is reported where it was found.
        full = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
        rel = os.path.relpath(full, self.root)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            return Path(full).as_posix()  # outside the repository: keep it whole
        return Path(rel).as_posix()

    def uri(self, path: str) -> str:
        """A SARIF artifact URI: relative reference inside the repository, file URI outside."""
        rel = self._relative(path)
        raw = rel.encode("utf-8", "surrogateescape")  # the name's own bytes, percent-encoded
        if os.path.isabs(rel):
            return "file://" + quote(raw, safe="/")
        return quote(raw, safe="/")


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # an unreadable folder on the way: treat it as not there
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False
