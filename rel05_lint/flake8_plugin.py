"""flake8 adapter: the same engine, with select/ignore/noqa left to flake8.

flake8 never reads pyproject.toml, so rule options (timeouts, bounds) come
from ``[tool.rel05-lint]`` of the nearest pyproject.toml, read once per process.
Rules that are off by default stay off under flake8 until selected.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rel05_lint import __version__, registry
from rel05_lint.core.config import ConfigError, Settings, find_config, load
from rel05_lint.core.engine import Engine
from rel05_lint.registry import build_engine


class Plugin:
    name = "rel05-lint"
    version = __version__
    _engine: Engine | None = None

    def __init__(self, tree, lines, filename):  # flake8 passes tree whether or not it is used
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser) -> None:
        parser.extend_default_ignore([r.code for r in registry.all_rules() if not r.default_enabled])

    @classmethod
    def engine(cls) -> Engine:
        if cls._engine is None:
            try:
                settings = load(find_config(Path.cwd()))
            except ConfigError:
                settings = Settings()  # flake8 must never be taken down by our config
            # flake8 owns selection, per-file ignores and noqa.
            settings = dataclasses.replace(settings, select=None, ignore=(), extend_select=(), per_file_ignores=())
            cls._engine = build_engine(settings, codes=frozenset(registry.by_code()), apply_noqa=False)
        return cls._engine

    def run(self):
        text = "".join(self.lines)
        try:
            findings = self.engine().check(text, self.filename)
        except Exception as exc:  # noqa: BLE001 - never raise into flake8
            yield 1, 0, f"REL001 internal error in rel05-lint: {type(exc).__name__}: {exc}", type(self)
            return
        for f in findings:
            yield f.row, f.col, f"{f.code} {f.message}", type(self)
