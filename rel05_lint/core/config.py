"""Settings from ``[tool.rel05-lint]`` in pyproject.toml, validated once per process."""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from rel05_lint.core.source import number_literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".rel05_lint_cache",
    "site-packages",
)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_SELECTOR = re.compile(r"^(ALL|REL[0-9]{0,3})$")


# Every key of [tool.rel05-lint].
KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "per-file-ignores",
        "exclude",
        "extend-exclude",
        "default-timeout",
        "max-timeout",
        "max-attempts",
        "max-backoff",
        "default-queue-size",
        "default-pool-size",
        "extra-timeout-calls",
        "unsafe-fixes",
    }
)


class ConfigError(Exception):
    """A configuration problem, phrased for the user (key and file named)."""


@dataclass(frozen=True)
class ExtraCall:
    call: str  # qualified name
    keyword: str = "timeout"
    position: int | None = None


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    default_timeout: float | int | str = 10
    max_timeout: float = 60
    max_attempts: int = 5
    max_backoff: float = 30
    default_queue_size: int = 1000
    default_pool_size: int = 100
    extra_timeout_calls: tuple[ExtraCall, ...] = ()
    unsafe_fixes: bool = False
    root: str = "."  # folder of the config file; relative patterns start here
    config_file: str | None = None

    def with_overrides(self, **kw) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    @property
    def timeout_code(self) -> str:
        """The text a fix inserts for a timeout (a number or the last part of a dotted name)."""
        value = self.default_timeout
        if isinstance(value, str):
            return value.rsplit(".", 1)[1]
        return number_literal(value)

    @property
    def timeout_import(self) -> tuple[str, str] | None:
        value = self.default_timeout
        if isinstance(value, str):
            module, name = value.rsplit(".", 1)
            return module, name
        return None

    def enabled_codes(self, rules: dict[str, bool]) -> frozenset[str]:
        """Codes on after select/ignore; ``rules`` maps code -> on by default.

        The most specific selector wins; on a tie, ignore wins (ruff's rule).
        """
        explicit = list(self.select or ()) + list(self.extend_select)
        on: set[str] = set()
        for code, default in rules.items():
            enabled = default if self.select is None else False
            best = -1
            for sel in explicit:
                if _matches(sel, code) and _weight(sel) > best:
                    best, enabled = _weight(sel), True
            for ign in self.ignore:
                if _matches(ign, code) and _weight(ign) >= best:
                    enabled = False
            if enabled:
                on.add(code)
        return frozenset(on)

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes per-file-ignores turns off for ``path`` (relative to root or name)."""
        if not self.per_file_ignores:
            return frozenset()
        rel = _relative(path, self.root)
        name = Path(path).name
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern):
                out.update(codes)
        return frozenset(out)

    def is_excluded(self, path: str, walked: bool = False) -> bool:
        """Whether a pattern matches the path (relative to root) or a component of it.

        For entries met while walking a folder (``walked``), only the entry's
        own name is tested against bare patterns: its parents were tested as
        they were walked, and a folder named on the command line is taken as given.
        """
        rel = _relative(path, self.root)
        parts = (Path(rel).name,) if walked else Path(rel).parts
        for pattern in (*self.exclude, *self.extend_exclude):
            if fnmatch.fnmatch(rel, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
                return True
        return False


def _weight(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.rel05-lint] table, from ``start`` up."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                raw = candidate.read_text(encoding="utf-8")
                data = tomllib.loads(raw)
            except (OSError, UnicodeDecodeError):
                continue
            except tomllib.TOMLDecodeError:
                if "tool.rel05-lint" in raw:
                    return candidate  # ours, but broken: load() reports it
                continue  # a broken unrelated pyproject is not ours to report
            if "rel05-lint" in data.get("tool", {}):
                return candidate
    return None


def load(path: Path | None) -> Settings:
    """Settings from ``path`` (a pyproject.toml), or the defaults when None."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("rel05-lint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.rel05-lint] must be a table")
    return from_table(table, path)


def _codes(key: str, value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes or prefixes")
    for v in value:
        check_selector(v, f"{where}: `{key}`")
    return tuple(value)


def check_selector(value: str, where: str) -> str:
    if not _SELECTOR.match(value):
        raise ConfigError(f"{where}: `{value}` is not a rule code, a prefix such as REL5, or ALL")
    return value


def _number(key: str, value, where: str, *, integer: bool = False, positive: bool = True):
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or (positive and value <= 0):
        kind = "a positive whole number" if integer else "a positive number"
        raise ConfigError(f"{where}: `{key}` must be {kind}, got {value!r}")
    return value


def from_table(table: dict, path: Path | str) -> Settings:
    where = str(path)
    kw: dict = {"root": str(Path(path).parent), "config_file": str(path)}
    for key, value in table.items():
        attr = key.replace("-", "_")
        if key in ("select", "ignore", "extend-select"):
            kw[attr] = _codes(key, value, where)
        elif key in ("exclude", "extend-exclude"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: `{key}` must be a list of glob patterns")
            kw[attr] = tuple(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table of pattern = [codes]")
            kw[attr] = tuple((pat, _codes(f"per-file-ignores.{pat}", codes, where)) for pat, codes in value.items())
        elif key == "default-timeout":
            kw[attr] = parse_default_timeout(value, where)
        elif key in ("max-timeout", "max-backoff"):
            kw[attr] = _number(key, value, where)
        elif key in ("max-attempts", "default-queue-size", "default-pool-size"):
            kw[attr] = _number(key, value, where, integer=True)
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `unsafe-fixes` must be true or false, got {value!r}")
            kw[attr] = value
        elif key == "extra-timeout-calls":
            kw[attr] = _extra_calls(value, where)
        else:
            raise ConfigError(f"{where}: unknown key `{key}` in [tool.rel05-lint]")
    return Settings(**kw)


def parse_default_timeout(value, where: str):
    if isinstance(value, str):
        if not _DOTTED.match(value):
            raise ConfigError(
                f"{where}: `default-timeout` must be a number or a dotted name such as "
                f"myapp.settings.HTTP_TIMEOUT, got {value!r}"
            )
        return value
    return _number("default-timeout", value, where)


def _extra_calls(value, where: str) -> tuple[ExtraCall, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: `extra-timeout-calls` must be a list")
    out = []
    for item in value:
        if isinstance(item, str) and _DOTTED.match(item):
            out.append(ExtraCall(item))
        elif isinstance(item, dict) and isinstance(item.get("call"), str) and _DOTTED.match(item["call"]):
            unknown = set(item) - {"call", "keyword", "position"}
            if unknown:
                raise ConfigError(f"{where}: `extra-timeout-calls` entry has unknown key(s) {sorted(unknown)}")
            keyword = item.get("keyword", "timeout")
            position = item.get("position")
            if not isinstance(keyword, str) or not keyword.isidentifier():
                raise ConfigError(f"{where}: `extra-timeout-calls` keyword must be an identifier")
            if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
                raise ConfigError(f"{where}: `extra-timeout-calls` position must be a whole number >= 0")
            out.append(ExtraCall(item["call"], keyword, position))
        else:
            raise ConfigError(
                f"{where}: each `extra-timeout-calls` entry must be a dotted name or "
                f'{{call = "pkg.mod.fn", keyword = "timeout", position = 1}}, got {item!r}'
            )
    return tuple(out)
