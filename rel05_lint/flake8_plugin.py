"""flake8 adapter: the same engine, with select/ignore/noqa left to flake8.

Rule options come from each checked file's own project: its nearest
``.rel05-lint.toml``, ``rel05-lint.toml`` or ``pyproject.toml`` with
``[tool.rel05-lint]`` (found from the file, not from the current folder, as
the CLI does), then flake8's own options on top (``--rel05-default-timeout``
and friends, also readable from flake8's configuration as
``rel05-default-timeout = 5``). A configuration that cannot be used is one
``REL001`` line on each file it governs, never a silent fallback to the
defaults. Test files follow ``test-paths`` and ``check-tests`` (edition 2, E1).

Rules that are off by default stay off until a selector names them
(``--select REL503``, ``--extend-select REL5``, ``--select REL``): flake8
drops the ignore list the plugin extends as soon as a project sets
``ignore``, so the plugin checks the selection itself, as bugbear does for
its opinionated B9 warnings.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rel05_lint import __version__, registry
from rel05_lint.core.config import ConfigError, Resolver, Settings, from_table
from rel05_lint.core.engine import Engine
from rel05_lint.registry import build_engine
from rel05_lint.runner.files import Unreadable, read

# flake8 option -> [tool.rel05-lint] key; flake8's value wins over the file's.
OPTIONS = {
    "default-timeout": "Timeout that fixes insert: a number or a dotted name.",
    "max-timeout": "REL504: the largest literal timeout accepted, in seconds.",
    "max-attempts": "The retry limit retry fixes insert.",
    "max-backoff": "The largest backoff retry fixes insert, in seconds.",
    "default-queue-size": "The bound REL401's fix inserts.",
    "check-tests": "true: also check test files (test-paths) with the REL1xx-REL6xx rules.",
}
_BOOLEANS = {"check-tests"}


class Plugin:
    name = "rel05-lint"
    version = __version__

    _resolver: Resolver | None = None
    _engines: ClassVar[dict[Settings, Engine]] = {}
    _chosen: tuple[str, ...] = ()  # selectors the user gave flake8 (select, extend-select)
    _overrides: ClassVar[dict] = {}
    _config: str | None = None

    def __init__(self, tree, lines, filename):  # flake8 passes tree whether or not it is used
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser) -> None:
        parser.extend_default_ignore([r.code for r in registry.all_rules() if not r.default_enabled])
        for key, text in OPTIONS.items():
            parser.add_option(f"--rel05-{key}", parse_from_config=True, default=None, help=f"rel05-lint: {text}")
        parser.add_option(
            "--rel05-config",
            parse_from_config=True,
            default=None,
            help="rel05-lint: the configuration file for every file (default: each file's nearest one).",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        chosen = [*(getattr(options, "select", None) or ()), *(getattr(options, "extend_select", None) or ())]
        cls._chosen = tuple(c.strip() for c in chosen if c and c.strip())
        overrides = {}
        for key in OPTIONS:
            value = getattr(options, f"rel05_{key.replace('-', '_')}", None)
            if value is not None:
                overrides[key] = _value(key, value)
        cls._overrides = overrides
        cls._config = getattr(options, "rel05_config", None)
        cls._resolver = None
        cls._engines = {}

    @classmethod
    def settings_for(cls, filename: str) -> Settings:
        if cls._resolver is None:
            config = Path(cls._config) if cls._config else None
            if config is not None and not config.is_file():
                raise ConfigError(f"{cls._config}: configuration file not found (--rel05-config)")
            cls._resolver = Resolver(
                config, _adjuster(cls._overrides), frozenset(registry.by_code()) | frozenset(registry.TOOL_CODES)
            )
        return cls._resolver(filename if filename not in ("-", "stdin") else ".")

    @classmethod
    def engine_for(cls, settings: Settings) -> Engine:
        engine = cls._engines.get(settings)
        if engine is None:
            # flake8 owns selection, per-file ignores and noqa.
            plain = replace(settings, select=None, ignore=(), extend_select=(), per_file_ignores=())
            engine = cls._engines[settings] = build_engine(plain, codes=frozenset(registry.by_code()), apply_noqa=False)
        return engine

    @classmethod
    def wanted(cls, code: str) -> bool:
        """Off-by-default rules report only when a flake8 selector names them (or a prefix of them)."""
        if code not in _OFF:
            return True
        return any(code.startswith(sel) for sel in cls._chosen)

    def run(self):
        try:
            settings = self.settings_for(self.filename)
        except ConfigError as exc:
            message = _one_line(str(exc))
            if message not in _WARNED:  # also on stderr, once: a --select without REL001 would hide the line
                _WARNED.add(message)
                print(f"rel05-lint: configuration error, files not checked: {message}", file=sys.stderr)
            yield 1, 0, f"REL001 rel05-lint configuration error, nothing checked: {message}", type(self)
            return
        text = "".join(self.lines)
        if self.filename not in ("-", "stdin") and os.path.exists(self.filename):
            # flake8 falls back to latin-1 for bytes it cannot decode; read the
            # file as the CLI does so both give the same verdict (REL001).
            source = read(self.filename)
            if isinstance(source, Unreadable):
                yield 1, 0, f"REL001 {_one_line(source.reason)}", type(self)
                return
            text = source.text
        try:
            findings = self.engine_for(settings).check(text, self.filename)
        except Exception as exc:  # noqa: BLE001 - never raise into flake8
            why = _one_line(f"{type(exc).__name__}: {exc}")
            yield 1, 0, f"REL001 internal error in rel05-lint: {why}", type(self)
            return
        for f in findings:
            if self.wanted(f.code):
                yield f.row, f.col, f"{f.code} {f.message}", type(self)


_WARNED: set[str] = set()
_OFF = frozenset(r.code for r in registry.all_rules() if not r.default_enabled)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _value(key: str, raw):
    """A flake8 option's text as the TOML value the key takes."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if key in _BOOLEANS:
        return {"true": True, "false": False, "1": True, "0": False}.get(text.lower(), text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _adjuster(overrides: dict):
    if not overrides:
        return None
    checked = from_table(overrides, "flake8 options (--rel05-*)")
    fields = {key.replace("-", "_"): getattr(checked, key.replace("-", "_")) for key in overrides}

    def adjust(settings: Settings) -> Settings:
        return replace(settings, **fields)

    return adjust
