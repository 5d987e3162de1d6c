"""Finding the Python files to check, reading them, and writing fixes atomically."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rel05_lint.core.config import Settings
from rel05_lint.core.source import Source, SourceError, decode


class PathError(Exception):
    """A path given on the command line cannot be used (exit 2)."""


@dataclass(frozen=True)
class Unreadable:
    path: str
    reason: str


SettingsFor = Callable[[str], Settings]


def discover(
    paths: list[str],
    settings: Settings | SettingsFor,
    force_exclude: bool = False,
    missing: list[str] | None = None,
    warnings: list[str] | None = None,
) -> list[str]:
    """Python files under ``paths``, each once, in the order found (folders sorted).

    ``settings``: one Settings for every file, or a function giving each
    file's or folder's own (the nearest configuration, ``config.Resolver``);
    each folder's excludes are read from the settings that govern it.
    Paths named on the command line are taken as given unless
    ``force_exclude`` (pre-commit passes every staged file by name);
    files found while walking a folder honour ``exclude`` and, unless
    ``respect-gitignore`` is off, the ignore files (``IgnoreFiles``).
    A named path that does not exist or a named folder that cannot be read
    raises PathError, or, when a ``missing`` list is given, is recorded there
    so the other paths are still checked. A subfolder that cannot be read is
    skipped with a line in ``warnings``, as ruff does; a file that cannot be
    read is kept, and reading it reports REL001.
    """
    settings_for: SettingsFor = _always(settings) if isinstance(settings, Settings) else settings
    ignores = IgnoreFiles()
    warned = warnings if warnings is not None else []
    out: dict[str, None] = {}
    for raw in paths:
        if raw == "-":
            out[raw] = None
            continue
        path = Path(raw)
        problem = None
        is_dir = _is_dir(path)
        if is_dir is None:
            is_dir = False  # under an unreadable folder: kept, and reading it reports REL001
        elif not is_dir and not os.path.lexists(raw):
            problem = f"{raw}: no such file or directory"
        elif is_dir:
            try:
                with os.scandir(raw):
                    pass
            except OSError as exc:
                problem = f"{raw}: cannot read folder: {exc.strerror or exc}"
        if problem is not None:
            if missing is None:
                raise PathError(problem)
            missing.append(problem)
            continue
        if force_exclude:
            here = settings_for(raw)
            if here.is_excluded(raw) or (here.respect_gitignore and ignores.ignored(raw, is_dir)):
                continue
        if is_dir:
            for found in _walk(raw, settings_for, ignores, warned):
                out[found] = None
        else:
            out[raw] = None  # a file, a broken symlink, or a special file: reading reports it
    return list(out)


def _is_dir(path: Path) -> bool | None:
    """Whether ``path`` is a folder; None when that cannot be known (a parent is unreadable)."""
    try:
        return path.is_dir()
    except OSError:
        return None


def _always(settings: Settings) -> SettingsFor:
    def settings_for(_path: str) -> Settings:
        return settings

    return settings_for


def _walk(root: str, settings_for: SettingsFor, ignores: IgnoreFiles, warnings: list[str]) -> list[str]:
    """Files under ``root``, depth first and sorted; iterative, so depth costs no stack."""
    found = []
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"{folder}: cannot read folder: {exc.strerror or exc}; skipped")
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        settings = settings_for(folder)
        subfolders = []
        for entry in entries:
            full = os.path.join(folder, entry.name)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                here = settings_for(full)  # a subfolder may hold its own configuration
                if here.is_excluded(full, walked=True) or (here.respect_gitignore and ignores.ignored(full, True)):
                    continue
                subfolders.append(full)
            elif entry.name.endswith((".py", ".pyi")):
                if settings.is_excluded(full, walked=True):
                    continue
                if settings.respect_gitignore and ignores.ignored(full, False):
                    continue
                found.append(full)
        stack.extend(reversed(subfolders))
    return found


class IgnoreFiles:
    """The ignore files that apply to a path, as git (and ruff) read them.

    Per folder: ``.gitignore`` (inside a git repository only, as git itself),
    ``.ignore`` (ripgrep's and ruff's tool-neutral file), and at the
    repository root ``.git/info/exclude``; a deeper folder's file overrides
    a shallower one's, and within one folder the last matching line wins
    (``!pattern`` re-includes). Each folder's files are read once per run.
    """

    def __init__(self) -> None:
        self._levels: dict[str, tuple[tuple[str, object], ...]] = {}
        self._repo: dict[str, bool] = {}

    def ignored(self, path: str, is_dir: bool) -> bool:
        full = os.path.abspath(path)
        for base, spec in reversed(self._levels_of(os.path.dirname(full))):
            rel = os.path.relpath(full, base).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(rel)  # type: ignore[attr-defined]
            if result.include is not None:
                return bool(result.include)
        return False

    def _levels_of(self, folder: str) -> tuple[tuple[str, object], ...]:
        chain = []
        current = folder
        while current not in self._levels:
            chain.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        levels = self._levels.get(current, ())
        for here in reversed(chain):
            if here in self._levels:
                levels = self._levels[here]
                continue
            spec = self._spec(here)
            levels = (*levels, (here, spec)) if spec is not None else levels
            self._levels[here] = levels
        return self._levels[folder]

    def _in_repo_cached(self, folder: str) -> bool:
        # Iterative climb for the uncached part, so deep trees cost no stack.
        chain = []
        current = folder
        while current not in self._repo:
            chain.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        answer = self._repo.get(current, False)
        for here in reversed(chain):
            answer = answer or os.path.exists(os.path.join(here, ".git"))
            self._repo[here] = answer
        return self._repo[folder]

    def _spec(self, folder: str):
        lines: list[str] = []
        if self._in_repo_cached(folder):
            if os.path.isdir(os.path.join(folder, ".git")):
                lines += _lines(os.path.join(folder, ".git", "info", "exclude"))
            lines += _lines(os.path.join(folder, ".gitignore"))
        lines += _lines(os.path.join(folder, ".ignore"))
        if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            return None
        import pathspec  # only when some ignore file exists

        return pathspec.GitIgnoreSpec.from_lines(lines)


def _lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return []


def read(path: str) -> Source | Unreadable:
    try:
        if os.path.isdir(path):
            return Unreadable(path, "is a directory, not a Python file")
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        reason = "broken symbolic link" if os.path.islink(path) else "file vanished before it could be read"
        return Unreadable(path, reason)
    except OSError as exc:
        return Unreadable(path, f"cannot read: {exc.strerror or exc}")
    try:
        return decode(data)
    except SourceError as exc:
        return Unreadable(path, str(exc))


def write_atomic(path: str, data: bytes, expected: bytes) -> str | None:
    """Replace ``path``'s content with ``data`` unless it changed since it was read.

    Returns None on success, else why nothing was written. The new content goes
    to a temporary file in the same folder, then ``os.replace``: a reader (or a
    Ctrl-C) sees either the old file or the new one, never half of either.
    """
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as handle:
            if handle.read() != expected:
                return "the file changed on disk since it was read; not written"
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except OSError as exc:
        return f"cannot re-read before writing: {exc.strerror or exc}"
    folder = os.path.dirname(real) or "."
    with _sigint_deferred():
        try:
            fd, made = tempfile.mkstemp(prefix=".rel05-", suffix=".tmp", dir=folder)
        except OSError as exc:
            return f"cannot write: {exc.strerror or exc}"
        tmp: str | None = made
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(made, mode)
            os.replace(made, real)
            tmp = None
        except OSError as exc:
            return f"cannot write: {exc.strerror or exc}"
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
    return None


@contextlib.contextmanager
def _sigint_deferred():
    """Hold a Ctrl-C that arrives mid-write until the write is done (or undone).

    Only the main thread can set handlers; worker processes ignore SIGINT.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
