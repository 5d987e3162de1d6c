"""Result cache for check mode: one small JSON file per (file content, path, tool, configuration).

An entry's name is the sha256 of everything its findings depend on: the
file's text and path (per-file-ignores and Django ``views`` paths read it),
the tool (version, plus a digest of this package's own files so an edited
rule never serves stale results; the Python and libcst versions, which decide
what parses), and the effective configuration (every Settings field and the
enabled codes). So an entry never needs invalidating: anything that changes
the result changes the name. Entries are plain JSON (never pickle, which would
run code from a file anyone could write), written to a temporary file and
renamed into place, so two runs sharing the folder see whole entries or none;
an entry that does not load or does not have the expected shape is a miss.

Fix mode never uses the cache: it writes files, and its result depends on
what the fixes do, not only on the findings; a cached "nothing to fix" would
be right, but the saving is small next to the risk of skipping a write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from rel05_lint import __version__
from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Applicability, Edit, Finding, Fix
from rel05_lint.core.large_stack import run_deep

DEFAULT_DIR = ".rel05_lint_cache"
_FORMAT = 2  # bump when the entry layout changes (2: deps)
_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """This installation: version, Python, libcst, and every file of the package."""
    from importlib import metadata  # here: costs more than a --no-cache run's whole start

    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{sys.version_info[:2]}|{metadata.version('libcst')}".encode())
    package = Path(__file__).resolve().parent.parent  # all of rel05_lint/
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".md", ".toml", ".json") and "__pycache__" not in path.parts:
            st = path.stat()
            h.update(f"{path.relative_to(package)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()


def config_digest(settings: Settings, codes: frozenset[str]) -> str:
    # Settings is a frozen dataclass of tuples, strings and numbers: its repr is
    # stable and names every field, so any option that could matter is in it.
    return hashlib.sha256(f"{settings!r}|{sorted(codes)}".encode()).hexdigest()


class Cache:
    def __init__(self, folder: str | os.PathLike, settings: Settings, codes: frozenset[str]) -> None:
        self.folder = Path(folder)
        self._prefix = f"{tool_digest()}|{config_digest(settings, codes)}|".encode()
        self._ready = False
        self._digests: dict[str, str | None] = {}  # file -> sha256 of its bytes, once per run

    def _digest(self, file: str) -> str | None:
        if file not in self._digests:
            try:
                with open(file, "rb") as handle:
                    self._digests[file] = hashlib.sha256(handle.read(4_000_000)).hexdigest()
            except OSError:
                self._digests[file] = None
        return self._digests[file]

    def key(self, path: str, text: str) -> str:
        h = hashlib.sha256(self._prefix)
        h.update(path.encode("utf-8", "surrogatepass") + b"\0")
        # per-file-ignores and test-paths match the resolved path: a re-pointed symlink is a new key.
        h.update(os.path.realpath(path).encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> list[Finding] | None:
        try:
            with open(self._file(key), encoding="utf-8") as handle:
                # On the large-stack thread: once an engine has raised the recursion
                # limit, a deeply nested entry would overflow the main thread's C stack.
                data = run_deep(json.load, handle)
            if type(data) is not dict or data.get("key") != key or data.get("path") != path:
                return None
            if type(data["findings"]) is not list:
                return None
            # E2: a changed module invalidates the files resolved through it, and only those.
            deps = data.get("deps", {})
            if type(deps) is not dict or any(type(d) is not str or self._digest(f) != d for f, d in deps.items()):
                return None
            return [_finding(item, path) for item in data["findings"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            # Missing, torn by a crash, nested too deep, from another layout or
            # edited by hand: a miss, and the file is checked again.
            return None

    def put(self, key: str, path: str, findings: list[Finding], deps: dict[str, str] | None = None) -> None:
        data = {
            "key": key,
            "path": path,
            "findings": [dataclasses.asdict(f) for f in findings],
            "deps": dict(deps or {}),
        }
        target = self._file(key)
        try:
            self._prepare(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=target.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, separators=(",", ":"))
                os.replace(tmp, target)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only or full disk only costs the next run its speed

    def _prepare(self, folder: Path) -> None:
        if not self._ready:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by rel05-lint: results cache, safe to delete.\n*\n", encoding="utf-8")
            self._ready = True
        folder.mkdir(exist_ok=True)


def _finding(item: dict, path: str) -> Finding:
    """A finding from a cache entry, checked field by field (a bad entry is a miss)."""
    if type(item) is not dict or set(item) != set(_FINDING_FIELDS):
        raise KeyError("fields")
    values = dict(item)
    if not all(type(values[k]) is str for k in ("code", "message", "path")):
        raise TypeError("text fields")
    if values["path"] != path or not _CODE.fullmatch(values["code"]) or "\n" in values["message"]:
        raise ValueError("another file's finding, or not one of ours")
    _positions(values)
    if values["noqa_row"] is not None and (type(values["noqa_row"]) is not int or values["noqa_row"] < 1):
        raise TypeError("noqa_row")
    if values["source_hash"] is not None and type(values["source_hash"]) is not str:
        raise TypeError("source_hash")
    fix = values["fix"]
    if fix is not None:
        if type(fix) is not dict or set(fix) != {"applicability", "message", "edits"} or type(fix["edits"]) is not list:
            raise KeyError("fix fields")
        if type(fix["message"]) is not str:
            raise TypeError("fix message")
        edits = []
        for edit in fix["edits"]:
            if type(edit) is not dict or set(edit) != _EDIT_FIELDS or type(edit["content"]) is not str:
                raise TypeError("edit")
            _positions(edit)
            edits.append(Edit(**edit))
        values["fix"] = Fix(Applicability(fix["applicability"]), fix["message"], tuple(edits))
    return Finding(**values)


def _positions(values: dict) -> None:
    if not all(type(values[k]) is int and values[k] >= 0 for k in ("row", "col", "end_row", "end_col")):
        raise TypeError("position fields")
    if values["row"] < 1 or (values["end_row"], values["end_col"]) < (values["row"], values["col"]):
        raise ValueError("positions")


_CODE = re.compile(r"REL[0-9]{3}")
_EDIT_FIELDS = frozenset(f.name for f in dataclasses.fields(Edit))
