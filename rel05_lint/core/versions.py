"""The versions a project allows for the libraries whose defaults changed (E9).

Read from the files next to the configuration, never by importing anything:
``requirements*.txt`` and ``requirements/*.txt``, ``[project] dependencies``
and ``[tool.poetry.dependencies]`` in ``pyproject.toml`` (ranges), and
``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock`` (pins). A lock
file wins over ranges; ``target-versions`` in the configuration wins over
both. Only the distributions the catalog cares about are kept, so a project
with hundreds of pins costs nothing later.

Every answer is an interval of release numbers. A rule asks "is every
allowed version below 8?" or "is every allowed version 4 or later?"; with no
information (or a range open on that side) the answer is no, and the
edition-1 behaviour stands. A file that cannot be read or parsed adds one
warning naming it and contributes nothing.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rel05_lint.core.large_stack import run_deep

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The distributions whose defaults differ by version (catalog/timeouts.py).
TRACKED = frozenset({"redis", "aiohttp"})
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")
# Larger files are not lock files a person wrote; reading them is not worth it.
_MAX_BYTES = 20_000_000

Release = tuple[int, ...]


@dataclass(frozen=True)
class Allowed:
    """The versions of one distribution a project allows, and where that was read."""

    name: str
    low: Release | None = None  # inclusive
    high: Release | None = None
    high_inclusive: bool = False
    source: str = ""  # the file (or "target-versions")
    text: str = ""  # the specifier as written, for --show-settings

    def all_below(self, major: int) -> bool:
        if self.high is None:
            return False
        bound = _pad(self.high)
        limit = _pad((major,))
        return bound < limit or (bound == limit and not self.high_inclusive)

    def all_from(self, major: int) -> bool:
        return self.low is not None and _pad(self.low) >= _pad((major,))

    def describe(self) -> str:
        return f"{self.name} {self.text} ({self.source})"


def _pad(release: Release) -> Release:
    return (*release, *(0,) * (4 - len(release)))[:4] if len(release) < 4 else release


def normalise(name: str) -> str:
    """PEP 503: case and runs of ``-_.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


_RELEASE = re.compile(r"\d+(?:\.\d+)*")


def release(text: str) -> Release | None:
    """The leading release number of a version (``7.4.0rc1`` -> (7, 4, 0))."""
    m = _RELEASE.match(text.strip().lstrip("vV"))
    return tuple(int(p) for p in m.group().split(".")) if m else None


def _bump(rel: Release, keep: int) -> Release:
    """The first release after the ``keep`` leading parts: _bump((7, 4), 1) = (8,)."""
    head = list(rel[:keep]) or [0]
    head[-1] += 1
    return tuple(head)


class _Interval:
    def __init__(self) -> None:
        self.low: Release | None = None
        self.high: Release | None = None
        self.high_inclusive = False

    def at_least(self, rel: Release) -> None:
        if self.low is None or _pad(rel) > _pad(self.low):
            self.low = rel

    def below(self, rel: Release, inclusive: bool = False) -> None:
        if self.high is None or _pad(rel) < _pad(self.high) or (_pad(rel) == _pad(self.high) and not inclusive):
            self.high, self.high_inclusive = rel, inclusive

    def exact(self, rel: Release) -> None:
        self.at_least(rel)
        self.below(rel, inclusive=True)


_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<|\^|~|=)?\s*([0-9][0-9a-zA-Z.*+!-]*)\s*$")


def parse_specifier(spec: str) -> _Interval | None:
    """A PEP 440 specifier set, or a Poetry constraint (``^7.2``, ``~7.2``, ``7.*``).

    None when a clause cannot be read (the caller then knows nothing). ``||``
    (Poetry's union) takes the hull of its parts.
    """
    spec = spec.strip()
    if spec in ("", "*"):
        return _Interval()
    if "||" in spec:
        parts = [parse_specifier(p) for p in spec.split("||")]
        if any(p is None for p in parts):
            return None
        hull = _Interval()
        lows = [p.low for p in parts if p is not None]
        if all(low is not None for low in lows):
            hull.low = min(lows, key=lambda r: _pad(r))  # type: ignore[arg-type]
        highs = [p for p in parts if p is not None]
        if all(p.high is not None for p in highs):
            top = max(highs, key=lambda p: (_pad(p.high), p.high_inclusive))  # type: ignore[arg-type]
            hull.high, hull.high_inclusive = top.high, top.high_inclusive
        return hull
    out = _Interval()
    spec = re.sub(r"(===|==|!=|~=|>=|<=|>|<|\^|~|=)\s+", r"\1", spec)
    for clause in re.split(r"[,\s]+(?=[<>=!~^0-9])", spec):
        m = _CLAUSE.match(clause)
        if not m:
            return None
        op, version = m.group(1) or "", m.group(2)
        wildcard = version.endswith(".*")
        rel = release(version)
        if rel is None:
            return None
        if op in ("==", "===", "=", "") and wildcard:
            out.at_least(rel)
            out.below(_bump(rel, len(rel)))
        elif op in ("==", "===", "="):
            out.exact(rel)
        elif op == "" and not wildcard:
            out.exact(rel)  # Poetry: a bare version is an exact pin
        elif op == ">=":
            out.at_least(rel)
        elif op == ">":
            out.at_least(rel)  # a little wider than the truth: safe for both questions' "no"
        elif op == "<":
            out.below(rel)
        elif op == "<=":
            out.below(rel, inclusive=True)
        elif op == "~=":
            out.at_least(rel)
            out.below(_bump(rel, max(1, len(rel) - 1)))
        elif op == "^":
            out.at_least(rel)
            first = next((i for i, p in enumerate(rel) if p != 0), len(rel) - 1)
            out.below(_bump(rel, first + 1))
        elif op == "~":
            out.at_least(rel)
            out.below(_bump(rel, 2 if len(rel) >= 2 else 1))
        # "!=" excludes one version: it never narrows an interval's ends.
    return out


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(\(?[^;@]*\)?)")


def parse_requirement(line: str) -> tuple[str, str] | None:
    """(normalised name, specifier) of a PEP 508 line; None for options, paths and URLs."""
    line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
    if not line or line.startswith(("#", "-", ".", "/")) or "://" in line.split(";", 1)[0].split("@", 1)[0]:
        return None
    m = _REQUIREMENT.match(line)
    if not m:
        return None
    return normalise(m.group(1)), m.group(2).strip().strip("()").strip()


@dataclass(frozen=True)
class ProjectVersions:
    allowed: tuple[Allowed, ...] = ()
    warnings: tuple[str, ...] = ()

    def get(self, name: str) -> Allowed | None:
        for a in self.allowed:
            if a.name == name:
                return a
        return None


NO_VERSIONS = ProjectVersions()


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pins: dict[str, Allowed] = {}  # from lock files
        self.ranges: dict[str, Allowed] = {}
        self.warnings: list[str] = []

    def _text(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > _MAX_BYTES:
                self.warnings.append(f"{path}: too large to read for versions; ignored")
                return None
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.warnings.append(f"{path}: cannot be read for versions ({exc.__class__.__name__}); ignored")
            return None

    def _bad(self, path: Path, why: str) -> None:
        self.warnings.append(f"{path}: {why}; its versions are ignored")

    def _range(self, name: str, spec: str, source: Path) -> None:
        name = normalise(name)
        if name not in TRACKED or name in self.ranges:
            return
        interval = parse_specifier(spec)
        if interval is None:
            self._bad(source, f"cannot read the version constraint {spec!r} for {name}")
            return
        self.ranges[name] = Allowed(
            name, interval.low, interval.high, interval.high_inclusive, source.name, spec or "(any version)"
        )

    def _pin(self, name: str, version: object, source: Path) -> None:
        name = normalise(name) if isinstance(name, str) else ""
        if name not in TRACKED or name in self.pins or not isinstance(version, str):
            return
        rel = release(version.lstrip("="))
        if rel is None:
            self._bad(source, f"cannot read the version {version!r} of {name}")
            return
        self.pins[name] = Allowed(name, rel, rel, True, source.name, f"=={version.lstrip('=')}")

    def requirements(self) -> None:
        files = sorted(self.folder.glob("requirements*.txt")) + sorted(self.folder.glob("requirements/*.txt"))
        for path in files:
            text = self._text(path)
            if text is None:
                continue
            if "\x00" in text:
                self._bad(path, "is not a text file")
                continue
            for line in text.splitlines():
                req = parse_requirement(line)
                if req is not None:
                    self._range(req[0], req[1], path)

    def pyproject(self) -> None:
        path = self.folder / "pyproject.toml"
        if not path.is_file():
            return
        data = self._toml(path)
        if data is None:
            return
        project = data.get("project")
        deps = project.get("dependencies", []) if isinstance(project, dict) else []
        for line in deps if isinstance(deps, list) else []:
            req = parse_requirement(line) if isinstance(line, str) else None
            if req is not None:
                self._range(req[0], req[1], path)
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        table = poetry.get("dependencies") if isinstance(poetry, dict) else None
        for name, value in table.items() if isinstance(table, dict) else ():
            if isinstance(value, dict):
                value = value.get("version", "*")
            if isinstance(value, str):
                self._range(name, value, path)

    def _toml(self, path: Path) -> dict | None:
        text = self._text(path)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, ValueError):
            self._bad(path, "is not valid TOML")
            return None

    def locks(self) -> None:
        for file in LOCK_FILES:
            path = self.folder / file
            if not path.is_file():
                continue
            if file == "Pipfile.lock":
                text = self._text(path)
                if text is None:
                    continue
                try:
                    data = run_deep(json.loads, text)  # deep nesting: see large_stack
                except (ValueError, RecursionError):
                    self._bad(path, "is not valid JSON")
                    continue
                for section in ("default", "develop"):
                    table = data.get(section) if isinstance(data, dict) else None
                    for name, entry in table.items() if isinstance(table, dict) else ():
                        if isinstance(entry, dict):
                            self._pin(name, entry.get("version"), path)
                continue
            data = self._toml(path)
            if data is None:
                continue
            packages = data.get("package", [])
            for entry in packages if isinstance(packages, list) else []:
                if isinstance(entry, dict):
                    self._pin(entry.get("name", ""), entry.get("version"), path)


def read(folder: Path, overrides: tuple[tuple[str, str], ...] = ()) -> ProjectVersions:
    """What the project in ``folder`` allows for the tracked distributions."""
    reader = _Reader(folder)
    try:
        reader.locks()
        reader.pyproject()
        reader.requirements()
    except RecursionError:  # a pathological file: know nothing rather than stop the run
        reader.warnings.append(f"{folder}: a dependency file nests too deeply; versions ignored")
    found = {**reader.ranges, **reader.pins}
    for name, version in overrides:
        interval = parse_specifier(version if version[:1] in "<>=!~^" else f"=={version}")
        if interval is not None:  # the configuration check already refused the rest
            found[normalise(name)] = Allowed(
                normalise(name), interval.low, interval.high, interval.high_inclusive, "target-versions", version
            )
    return ProjectVersions(tuple(found[k] for k in sorted(found)), tuple(reader.warnings))
