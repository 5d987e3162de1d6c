"""All rules, discovered from the modules in ``rel05_lint.rules`` (one rule each),
and what is derived from their declared metadata: defaults, site kinds, the
engine every front end runs.

This is where the layers meet: it imports the rules; the front ends import it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any

from rel05_lint.core.config import Settings
from rel05_lint.core.engine import Engine
from rel05_lint.core.findings import Applicability
from rel05_lint.core.project import ProjectIndex
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

# The tool's own problem codes: always reported unless ignored by exact code.
# Not rule classes (nothing visits the tree for them), but listed by `rules`,
# explained by `explain` (rules/REL001.md) and described in SARIF like rules.
TOOL_CODES = {"REL001": "file cannot be read or parsed"}
TOOL_NAMES = {"REL001": "file-error"}
TOOL_SUMMARIES = {"REL001": "A file that cannot be read, decoded or parsed, so nothing in it was checked"}


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    import rel05_lint.rules as package

    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.code:
                if obj.__module__ == module.__name__:
                    found.append(obj)
    found.sort(key=lambda r: r.code)
    codes = [r.code for r in found]
    if len(codes) != len(set(codes)):
        raise RuntimeError(f"duplicate rule codes: {codes}")
    return tuple(found)


def by_code() -> dict[str, type[Rule]]:
    return {r.code: r for r in all_rules()}


def defaults() -> dict[str, bool]:
    return {r.code: r.default_enabled for r in all_rules()}


def fix_label(rule: type[Rule]) -> str:
    a = rule.fix_applicability
    return "none" if a is None else a.value


def build_engine(settings: Settings, **options: Any) -> Engine:
    """The engine over every rule the settings enable (``Engine``'s options pass through),
    resolving names through the project index of the settings' source roots (E2)
    unless ``project=None`` is given."""
    if "project" not in options:
        options["project"] = ProjectIndex(settings.source_roots, options.pop("cache_dir", None))
    else:
        options.pop("cache_dir", None)
    return Engine(settings, all_rules(), **options)


@lru_cache(maxsize=1)
def kinds() -> tuple[Kind, ...]:
    """Every site kind the rules count, combined kinds included, in rule order."""
    out: dict[int, Kind] = {}
    for rule in all_rules():
        for kind in rule.counts:
            out.setdefault(id(kind), kind)
            if kind.combined is not None:
                out.setdefault(id(kind.combined), kind.combined)
    return tuple(out.values())


def counted_by(kind: Kind) -> tuple[str, ...]:
    """The rules that count ``kind`` (for a combined kind: those counting its aspects)."""
    return tuple(r.code for r in all_rules() if any(k is kind or k.combined is kind for k in r.counts))


__all__ = [
    "TOOL_CODES",
    "Applicability",
    "all_rules",
    "build_engine",
    "by_code",
    "counted_by",
    "defaults",
    "fix_label",
    "kinds",
]
