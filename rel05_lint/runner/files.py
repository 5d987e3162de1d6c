"""Finding the Python files to check, reading them, and writing fixes atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
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


def inside(path: str, roots: tuple[str, ...]) -> bool:
    """Whether ``path`` resolves to one of ``roots`` (resolved paths) or into one of them."""
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


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

    Symbolic links, as ruff: a linked folder found while walking is not
    entered, a linked file is checked (``fix`` writes it only if it resolves
    inside a named path, ``Job.roots``). Names of one file (a symlink beside
    its target, ``a.py ./a.py``, hard links) are kept once, under the first
    name found, or its first name that is not a symlink: one result per file,
    the same for any ``--jobs``.
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
    return _once(list(out))


def _once(paths: list[str]) -> list[str]:
    """``paths`` less the later names of a file already listed (by device and inode)."""
    kept: dict[tuple[int, int], int] = {}
    out: list[str] = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            out.append(path)  # unreadable or broken: reading reports it
            continue
        if not stat.S_ISREG(st.st_mode):
            out.append(path)
            continue
        key = (st.st_dev, st.st_ino)
        index = kept.get(key)
        if index is None:
            kept[key] = len(out)
            out.append(path)
        elif os.path.islink(out[index]) and not os.path.islink(path):
            out[index] = path
    return out


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


# Larger than any hand-written module; generated data files of this size are
# not what the rules are about, and reading one whole would cost its size
# several times over in the parsers (see ``core.engine``'s shape guard).
MAX_BYTES = 8 * 1024 * 1024


def read(path: str) -> Source | Unreadable:
    """The file's source; only regular files are read, and at most MAX_BYTES of them.

    A FIFO would block the run and ``/dev/zero`` would never end: the file is
    opened without blocking and checked with ``fstat`` (the file actually
    opened, whatever a symlink pointed to a moment earlier) before any read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        reason = "broken symbolic link" if os.path.islink(path) else "file vanished before it could be read"
        return Unreadable(path, reason)
    except IsADirectoryError:
        return Unreadable(path, "is a directory, not a Python file")
    except OSError as exc:
        return Unreadable(path, f"cannot read: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return Unreadable(path, "is a directory, not a Python file")
        if not stat.S_ISREG(st.st_mode):
            return Unreadable(path, f"is a {_kind(st.st_mode)}, not a regular file; not read")
        if st.st_size > MAX_BYTES:
            return Unreadable(path, f"too large to analyse ({st.st_size:,} bytes; the limit is {MAX_BYTES:,})")
        handle, fd = os.fdopen(fd, "rb"), -1  # the handle owns the descriptor from here
        with handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return Unreadable(path, f"cannot read: {exc.strerror or exc}")
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):  # a Ctrl-C between open and fdopen
                os.close(fd)
    if len(data) > MAX_BYTES:  # grew after the fstat
        return Unreadable(path, f"too large to analyse (more than {MAX_BYTES:,} bytes)")
    try:
        return decode(data)
    except SourceError as exc:
        return Unreadable(path, str(exc))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def write_atomic(path: str, data: bytes, expected: bytes) -> str | None:
    """Replace ``path``'s content with ``data`` unless it changed since it was read.

    Returns None on success, else why nothing was written. The new content goes
    to a temporary file in the same folder (same mode, owner and group), then
    replaces the file by rename: a reader (or a Ctrl-C, or a SIGTERM) sees either
    the old file or the new one, never half of either.

    Refused: a file without write permission (an editor would refuse it too;
    the rename would succeed in a writable folder), a file with more than one
    hard link (the rename would split it from its other names), and a file
    whose owner or group the new file cannot keep.

    "Changed since read" is compared three times: before the temporary file is
    written, again right before the rename (after the fsync, the slow part), and
    on Linux once more after it: the rename is an exchange (``renameat2``
    ``RENAME_EXCHANGE``), so the displaced file is read back and, if an edit
    reached it in between, exchanged back into place. What remains is an edit
    written through a handle opened before the exchange and written after the
    final comparison (microseconds); an edit that replaces the file by rename
    in that window is kept, since it lands after ours.
    """
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as handle:
            if handle.read() != expected:
                return "the file changed on disk since it was read; not written"
            st = os.fstat(handle.fileno())
    except OSError as exc:
        return f"cannot re-read before writing: {exc.strerror or exc}; not written"
    refusal = _refusal(real, st)
    if refusal is not None:
        return refusal
    folder = os.path.dirname(real) or "."
    with _signals_deferred():
        try:
            fd, made = tempfile.mkstemp(prefix=".rel05-", suffix=".tmp", dir=folder)
        except OSError as exc:
            return f"cannot write: {exc.strerror or exc}; not written"
        tmp: str | None = made
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(made, stat.S_IMODE(st.st_mode))
            if not _same_owner(made, st):
                return "cannot keep the file's owner and group; not written"
            if _changed(real, expected):
                return "the file changed on disk while the fix was being written; not written"
            if _exchange(made, real):
                # ``made`` now names the file that was in place: it must be what was read.
                if _changed(made, expected):
                    _exchange(made, real)  # put the edit back; ours is dropped
                    return "the file changed on disk while the fix was being written; not written"
            else:
                os.replace(made, real)
                tmp = None
        except OSError as exc:
            return f"cannot write: {exc.strerror or exc}; not written"
        finally:
            if tmp is not None and os.path.lexists(tmp):
                os.unlink(tmp)
    return None


def _refusal(real: str, st: os.stat_result) -> str | None:
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file; not written"
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        return "the file is read-only; not written"
    if st.st_nlink > 1:
        return f"the file has {st.st_nlink} hard links and a rewrite would split them; not written"
    return None


def _same_owner(made: str, st: os.stat_result) -> bool:
    """Give the new file the old one's owner and group; False if that is not permitted."""
    now = os.stat(made)
    if (now.st_uid, now.st_gid) == (st.st_uid, st.st_gid):
        return True
    try:
        os.chown(made, st.st_uid, st.st_gid)
    except OSError:
        return False
    return True


def _changed(path: str, expected: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() != expected
    except OSError:
        return True


_RENAME_EXCHANGE = 2
_renameat2: Callable | bool | None = None  # None: not looked up yet; False: unavailable


def _exchange(a: str, b: str) -> bool:
    """Atomically swap the two names (Linux ``renameat2``); False where that is not available."""
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                found = libc.renameat2
                found.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                _renameat2 = found
            except (OSError, AttributeError):
                pass
    fn = _renameat2
    if not callable(fn):
        return False
    import ctypes

    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without exchange
        _renameat2 = False
        return False
    raise OSError(err, os.strerror(err), b)


@contextlib.contextmanager
def _signals_deferred():
    """Hold a Ctrl-C or SIGTERM that arrives mid-write until the write is done (or undone).

    Only the main thread can set handlers; in worker processes SIGINT is
    ignored and SIGTERM is deferred by their own handler (``runner``).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        if caught[0] == signal.SIGINT:
            raise KeyboardInterrupt
        signal.raise_signal(caught[0])  # the handler that was in place decides
