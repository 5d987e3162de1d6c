"""Finding the Python files to check, reading them, and writing fixes atomically."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
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


def discover(
    paths: list[str], settings: Settings, force_exclude: bool = False, missing: list[str] | None = None
) -> list[str]:
    """Python files under ``paths``, sorted, each once.

    Paths named on the command line are taken as given unless
    ``force_exclude`` (pre-commit passes every staged file by name);
    files found while walking a folder honour ``exclude``. A path that does
    not exist raises PathError, or, when a ``missing`` list is given, is
    recorded there so the other paths are still checked.
    """
    out: dict[str, None] = {}
    for raw in paths:
        if raw == "-":
            out[raw] = None
            continue
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            if missing is None:
                raise PathError(f"{raw}: no such file or directory")
            missing.append(f"{raw}: no such file or directory")
            continue
        if force_exclude and settings.is_excluded(raw):
            continue
        if path.is_dir():
            for found in _walk(path, settings):
                out[found] = None
        else:
            out[raw] = None  # a file, a broken symlink, or a special file: reading reports it
    return list(out)


def _walk(root: Path, settings: Settings) -> list[str]:
    found = []
    seen_dirs: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
        except OSError:
            continue
        if key in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(key)
        dirs[:] = sorted(d for d in dirs if not settings.is_excluded(os.path.join(folder, d), walked=True))
        for name in sorted(files):
            if name.endswith((".py", ".pyi")):
                full = os.path.join(folder, name)
                if not settings.is_excluded(full, walked=True):
                    found.append(full)
    return found


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
