"""Settings from ``[tool.rel05-lint]`` in pyproject.toml, validated once per process."""

from __future__ import annotations

import difflib
import fnmatch
import keyword
import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from rel05_lint.core import versions
from rel05_lint.core.source import number_literal
from rel05_lint.core.versions import NO_VERSIONS, ProjectVersions

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


# Every key of [tool.rel05-lint] (or of a rel05-lint.toml, where they are top-level).
KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "per-file-ignores",
        "exclude",
        "extend-exclude",
        "respect-gitignore",
        "test-paths",
        "extend-test-paths",
        "check-tests",
        "default-timeout",
        "max-timeout",
        "max-attempts",
        "max-backoff",
        "default-queue-size",
        "default-pool-size",
        "extra-timeout-calls",
        "target-versions",
        "unsafe-fixes",
        "docs-url",
        "src",
    }
)

# E1: the files that are tests, not production code (rules REL1xx-REL6xx skip
# them unless check-tests is on). A pattern matches anywhere in the path.
DEFAULT_TEST_PATHS = ("tests/**", "test/**", "testing/**", "**/test_*.py", "**/*_test.py", "**/conftest.py")

# Configuration files, in ruff's order of precedence within one folder: a
# dedicated file wins over pyproject.toml; pyproject.toml counts only with a
# [tool.rel05-lint] table. The dedicated files hold the keys at top level.
CONFIG_NAMES = (".rel05-lint.toml", "rel05-lint.toml", "pyproject.toml")
TOOL_TABLE = "tool.rel05-lint"


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
    respect_gitignore: bool = True
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    extend_test_paths: tuple[str, ...] = ()
    check_tests: bool = False
    default_timeout: float | int | str = 10
    max_timeout: float = 60
    max_attempts: int = 5
    max_backoff: float = 30
    default_queue_size: int = 1000
    default_pool_size: int = 100
    extra_timeout_calls: tuple[ExtraCall, ...] = ()
    # E9: versions given in the configuration, (distribution, version or specifier).
    target_versions: tuple[tuple[str, str], ...] = ()
    # E9: what the project's dependency files allow (read next to the configuration).
    versions: ProjectVersions = NO_VERSIONS
    unsafe_fixes: bool = False
    docs_url: str | None = None  # where the rule pages are published ({code} is replaced)
    # E2: the project's source roots, relative to ``root`` (empty: root and root/src).
    src: tuple[str, ...] = ()
    root: str = "."  # folder of the config file; relative patterns start here
    config_file: str | None = None

    def with_overrides(self, **kw) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    @property
    def source_roots(self) -> tuple[str, ...]:
        """E2: the folders project modules are found under (as ruff's ``src``)."""
        if self.src:
            return tuple(os.path.join(self.root, s) for s in self.src)
        return (self.root, os.path.join(self.root, "src"))

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
        rel = self._rel(path)
        name = Path(path).name
        full = _absolute(path)
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(full, pattern):
                out.update(codes)
        return frozenset(out)

    def is_excluded(self, path: str, walked: bool = False) -> bool:
        """Whether a pattern matches the path (relative to root) or a component of it.

        For entries met while walking a folder (``walked``), only the entry's
        own name is tested against bare patterns: its parents were tested as
        they were walked, and a folder named on the command line is taken as given.
        Patterns given on the command line are absolute (see ``cli_patterns``).
        """
        rel = self._rel(path)
        parts = (Path(rel).name,) if walked else Path(rel).parts
        full = None
        for pattern in (*self.exclude, *self.extend_exclude):
            if pattern.startswith("/"):
                full = full or _absolute(path)
                if fnmatch.fnmatch(full, pattern) or fnmatch.fnmatch(full, pattern + "/*"):
                    return True
                continue
            if fnmatch.fnmatch(rel, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
                return True
        return False

    @cached_property
    def _roots(self) -> tuple[str, ...]:
        lexical = os.path.abspath(self.root)
        return tuple(dict.fromkeys((lexical, os.path.realpath(lexical))))

    def _rel(self, path: str) -> str:
        """``path`` relative to the project root, with ``/``; the path as given when outside it.

        Compared as written first (no file system access: deep trees and
        10,000 files cost no ``realpath`` each), then with links resolved.
        """
        full = os.path.abspath(path)
        for root in self._roots:
            if full == root:
                return "."
            prefix = root if root.endswith(os.sep) else root + os.sep
            if full.startswith(prefix):
                return full[len(prefix) :].replace(os.sep, "/")
        return _relative(path, self.root)

    @cached_property
    def _test_globs(self) -> re.Pattern[str]:
        return _compile_globs((*self.test_paths, *self.extend_test_paths))

    def is_test(self, path: str) -> bool:
        """Whether ``path`` matches ``test-paths`` (E1): a test file, not production code."""
        if path == "-" or not (self.test_paths or self.extend_test_paths):
            return False
        return self._test_globs.fullmatch(self._rel(path)) is not None

    def skips_tests(self, path: str) -> bool:
        """Whether the rules REL1xx-REL6xx report nothing in ``path`` (a test file, check-tests off)."""
        return not self.check_tests and self.is_test(path)


def _compile_globs(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for glob ``patterns`` matched anywhere in a relative path.

    ``**`` spans folders, ``*`` and ``?`` stay within one name; a pattern
    matches from any folder boundary (``tests/**`` matches ``pkg/tests/a.py``)
    unless it starts with ``/``, which anchors it at the project root.
    """
    alternatives = []
    for pattern in patterns:
        anchored = pattern.startswith("/")
        body = _glob_regex(pattern.lstrip("/"))
        alternatives.append(body if anchored else f"(?:.*/)?{body}")
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)")


def _glob_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and "]" in pattern[i + 2 :]:
            close = pattern.index("]", i + 2)
            inner = pattern[i + 1 : close]
            out.append("[" + ("^" + re.escape(inner[1:]) if inner.startswith("!") else re.escape(inner)) + "]")
            i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _weight(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def _absolute(path: str) -> str:
    return Path(os.path.abspath(path)).as_posix()


def cli_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Patterns from the command line: a pattern with a folder part is taken from
    the current folder (made absolute); a bare name matches anywhere, as in the file."""
    out = []
    for pattern in patterns:
        if "/" in pattern.rstrip("/") and not os.path.isabs(pattern):
            out.append(_absolute(pattern))
        else:
            out.append(pattern)
    return tuple(out)


# --- finding and reading configuration files ---------------------------


def _read_text(path: Path) -> str:
    """A configuration file's text; TOML is UTF-8, so anything else is an error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (TOML files must be): byte {exc.start} cannot be decoded") from None


MAX_NESTING = 200  # brackets deep; no configuration needs more


def _parse(path: Path, text: str) -> dict:
    try:
        if _depth(text) > MAX_NESTING:
            raise RecursionError  # refused before the parser spends time and stack on it
        return _loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        key, line = _deepest(text)
        where = f"{path}:{line}" if line else str(path)
        named = f"`{key}` is" if key else "a value is"
        raise ConfigError(f"{where}: {named} nested too deeply to read") from None


_TOML_STACK = 256 * 1024 * 1024  # virtual; only the pages used are touched


def _loads(text: str) -> dict:
    """``tomllib.loads`` on a short-lived thread with a large stack.

    Deep nesting must end in RecursionError, never a crash: once the engine's
    large-stack thread has raised the recursion limit (flake8 checks a file
    before it reads the next project's configuration), deep recursion on the
    main thread's 8 MiB stack could overflow it on Python 3.10. The thread
    ends before the call returns, so a process pool forked later inherits no
    thread (a pool thread kept alive here would hang forked workers).
    """
    out: dict = {}

    def work() -> None:
        try:
            out["value"] = tomllib.loads(text)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            out["error"] = exc

    with _STACK_LOCK:
        previous = threading.stack_size()
        threading.stack_size(_TOML_STACK)
        try:
            worker = threading.Thread(target=work, name="rel05-toml")
            worker.start()
        finally:
            threading.stack_size(previous)
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


_STACK_LOCK = threading.Lock()


def _depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside one-line strings and comments."""
    depth = best = 0
    quote = None
    for line in text.splitlines():
        quote = None
        for ch in line:
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                best = max(best, depth)
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return best


def _deepest(text: str) -> tuple[str | None, int | None]:
    """The key whose value opens the most brackets, and its line (for the nesting error)."""
    best: tuple[int, str | None, int | None] = (0, None, None)
    key, line = None, None
    depth = 0
    for row, raw in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*([A-Za-z0-9_.\"'-]+)\s*=", raw)
        if match and depth == 0:
            key, line = match.group(1).strip("\"'"), row
        for ch in raw:
            if ch in "[{":
                depth += 1
                if depth > best[0]:
                    best = (depth, key, line)
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return best[1], best[2]


def _claims_us(path: Path) -> bool:
    """Whether a pyproject.toml is ours to read: it has a [tool.rel05-lint] table.

    A pyproject.toml that cannot be read or parsed is ours only if it names
    the table (then ``load`` reports the problem); an unrelated broken one is not.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if b"rel05-lint" not in data:
        return False
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return True
    return "rel05-lint" in parsed.get("tool", {})


def config_in(folder: Path) -> Path | None:
    """The configuration file of ``folder`` itself, by ruff's precedence, or None."""
    for name in CONFIG_NAMES:
        candidate = folder / name
        try:
            if not candidate.is_file():
                continue
        except OSError:
            continue
        if name != "pyproject.toml" or _claims_us(candidate):
            return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The nearest configuration file from ``start`` (a file or folder) up."""
    start = start.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        found = config_in(folder)
        if found is not None:
            return found
    return None


def load(path: Path | None) -> Settings:
    """Settings from ``path``, or the defaults when None.

    A file named pyproject.toml is read from its [tool.rel05-lint] table; any
    other (rel05-lint.toml, .rel05-lint.toml, a file given to --config) holds
    the keys at top level, as ruff.toml does.
    """
    if path is None:
        return Settings()
    text = _read_text(path)
    data = _parse(path, text)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("rel05-lint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.rel05-lint] must be a table")
        return from_table(table, path, text, section=TOOL_TABLE)
    if set(data) == {"tool"} and isinstance(data["tool"], dict) and "rel05-lint" in data["tool"]:
        table = data["tool"]["rel05-lint"]
        if isinstance(table, dict):  # a pyproject-shaped file under another name
            return from_table(table, path, text, section=TOOL_TABLE)
    return from_table(data, path, text)


def _codes(key: str, value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes or prefixes")
    for v in value:
        check_selector(v, f"{where}: `{key}`")
    return tuple(value)


def check_selector(value: str, where: str, known: frozenset[str] | None = None) -> str:
    """``value`` if it is ALL, a rule code or a prefix of one; ``known``: every code there is."""
    if not value:
        raise ConfigError(
            f"{where}: an empty selector selects nothing; name a rule code, a prefix such as REL5, or ALL"
        )
    if not _SELECTOR.match(value):
        raise ConfigError(f"{where}: `{value}` is not a rule code, a prefix such as REL5, or ALL")
    if known is not None and value != "ALL" and not any(code.startswith(value) for code in known):
        close = difflib.get_close_matches(value, sorted(known), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else "; `rel05-lint rules` lists them"
        raise ConfigError(f"{where}: `{value}` matches no rule{hint}")
    return value


def validate_selectors(settings: Settings, known: frozenset[str]) -> Settings:
    """Every selector of ``settings`` names at least one of the ``known`` codes (else ConfigError)."""
    where = settings.config_file or "the command line"
    for key, values in (
        ("select", settings.select or ()),
        ("ignore", settings.ignore),
        ("extend-select", settings.extend_select),
        *((f"per-file-ignores.{pat}", codes) for pat, codes in settings.per_file_ignores),
    ):
        for value in values:
            check_selector(value, f"{where}: `{key}`", known)
    return settings


def _show(value) -> str:
    """A value for an error message: short, and safe for deeply nested input."""
    if isinstance(value, (list, dict)):
        return f"a {'list' if isinstance(value, list) else 'table'}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(key: str, value, where: str, *, integer: bool = False, positive: bool = True):
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or (positive and not value > 0) or value != value or value == float("inf"):
        kind = "a positive whole number" if integer else "a positive number"
        raise ConfigError(f"{where}: `{key}` must be {kind}, got {_show(value)}")
    return value


def _key_line(text: str | None, key: str, section: str | None) -> int | None:
    """The line ``key`` is written on (inside ``section`` when given), for messages."""
    if not text:
        return None
    lines = text.splitlines()
    start = 0
    if section is not None:
        for i, line in enumerate(lines):
            if re.match(rf"\s*\[\s*{re.escape(section)}\s*\]", line):
                start = i + 1
                break
    pattern = re.compile(rf"""\s*["']?{re.escape(key)}["']?\s*=""")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None


def from_table(table: dict, path: Path | str, text: str | None = None, section: str | None = None) -> Settings:
    """Validated settings from a table of keys; ``text`` (the file) lets messages name the line."""
    kw: dict = {"root": str(Path(path).parent), "config_file": str(path)}
    for key, value in table.items():
        line = _key_line(text, key, section)
        where = f"{path}:{line}" if line else str(path)
        kw.update(_one_key(key, value, where, section))
    # E9: the versions the project allows, read next to the configuration.
    return with_versions(Settings(**kw), Path(path).parent)


def _one_key(key: str, value, where: str, section: str | None) -> dict:
    attr = key.replace("-", "_")
    if key in ("select", "ignore", "extend-select"):
        return {attr: _codes(key, value, where)}
    if key in ("exclude", "extend-exclude", "test-paths", "extend-test-paths", "src"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: `{key}` must be a list of glob patterns")
        return {attr: tuple(value)}
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: `per-file-ignores` must be a table of pattern = [codes]")
        return {attr: tuple((pat, _codes(f"per-file-ignores.{pat}", codes, where)) for pat, codes in value.items())}
    if key == "default-timeout":
        return {attr: parse_default_timeout(value, where)}
    if key in ("max-timeout", "max-backoff"):
        return {attr: _number(key, value, where)}
    if key in ("max-attempts", "default-queue-size", "default-pool-size"):
        return {attr: _number(key, value, where, integer=True)}
    if key in ("unsafe-fixes", "check-tests", "respect-gitignore"):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{key}` must be true or false, got {_show(value)}")
        return {attr: value}
    if key == "extra-timeout-calls":
        return {attr: _extra_calls(value, where)}
    if key == "target-versions":
        return {attr: _target_versions(value, where)}
    if key == "docs-url":
        if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
            raise ConfigError(f"{where}: `docs-url` must be an http(s) address, got {_show(value)}")
        return {attr: value}
    close = difflib.get_close_matches(key, sorted(KEYS), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    table = f"[{section}]" if section else "the configuration"
    raise ConfigError(f"{where}: unknown key `{key}` in {table}{hint}")


def parse_default_timeout(value, where: str):
    if isinstance(value, str):
        if not _DOTTED.match(value) or any(keyword.iskeyword(part) for part in value.split(".")):
            raise ConfigError(
                f"{where}: `default-timeout` must be a number or a dotted name such as "
                f"myapp.settings.HTTP_TIMEOUT, got {_show(value)}"
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
                f'{{call = "pkg.mod.fn", keyword = "timeout", position = 1}}, got {_show(item)}'
            )
    return tuple(out)


def _target_versions(value, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: `target-versions` must be a table such as {{ redis = "7.4" }}')
    out = []
    for name, version in value.items():
        spec = version if isinstance(version, str) and version[:1] in "<>=!~^" else f"=={version}"
        if not isinstance(version, str) or versions.parse_specifier(spec) is None:
            raise ConfigError(
                f"{where}: `target-versions.{name}` must be a version or specifier string such as "
                f'"7.4" or "<8", got {_show(version)}'
            )
        out.append((name, version))
    return tuple(out)


def with_versions(settings: Settings, folder: Path) -> Settings:
    """``settings`` with the versions the project in ``folder`` allows (E9)."""
    return replace(settings, versions=versions.read(folder, settings.target_versions))


class Resolver:
    """The settings of each file: its nearest configuration, loaded once per file found.

    ``config`` (``--config``) makes every file use that one file, as in ruff.
    ``adjust`` applies the command line's options on top of each loaded file;
    ``known`` (every rule code) lets selectors naming no rule be refused.
    Answers are memoised per folder and per configuration file, so a run of
    10,000 files reads each configuration once and builds one Settings each.
    """

    def __init__(
        self,
        config: Path | None = None,
        adjust: Callable[[Settings], Settings] | None = None,
        known: frozenset[str] | None = None,
    ) -> None:
        self.config = config
        self.adjust = adjust
        self.known = known
        self._folders: dict[str, Path | None] = {}
        self._loaded: dict[Path | None, Settings] = {}

    def config_for(self, path: str | Path) -> Path | None:
        if self.config is not None:
            return self.config
        start = os.path.abspath(path)
        try:
            folder = start if os.path.isdir(start) else os.path.dirname(start)
        except OSError:
            folder = os.path.dirname(start)
        visited = []
        found: Path | None = None
        current = folder
        while True:  # upward, stopping at the first folder already answered
            if current in self._folders:
                found = self._folders[current]
                break
            visited.append(current)
            found = config_in(Path(current))
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for seen in visited:
            self._folders[seen] = found
        return found

    def settings_for_config(self, config: Path | None) -> Settings:
        settings = self._loaded.get(config)
        if settings is None:
            settings = load(config)
            if config is None:  # no configuration: the project is the current folder
                settings = with_versions(settings, Path.cwd())
            if self.adjust is not None:
                settings = self.adjust(settings)
            if self.known is not None:
                validate_selectors(settings, self.known)
            self._loaded[config] = settings
        return settings

    def versions_used(self) -> list[str]:
        """What the version-aware rules read, over every configuration loaded (for the review report)."""
        seen: dict[str, None] = {}
        for settings in list(self._loaded.values()):
            seen.update(dict.fromkeys(a.describe() for a in settings.versions.allowed))
        return list(seen)

    def version_warnings(self) -> list[str]:
        """One line per dependency file that could not be read, over every configuration loaded."""
        seen: dict[str, None] = {}
        for settings in list(self._loaded.values()):
            seen.update(dict.fromkeys(settings.versions.warnings))
        return list(seen)

    def __call__(self, path: str | Path) -> Settings:
        """The settings for ``path`` (a file or a folder)."""
        return self.settings_for_config(self.config_for(path))
