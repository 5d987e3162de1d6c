"""All rules, discovered from the modules in ``rel05_lint.rules`` (one rule each)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from rel05_lint.findings import Applicability
from rel05_lint.rule import Rule

# The tool's own problem codes: always reported unless ignored by exact code.
TOOL_CODES = {"REL001": "file cannot be read or parsed"}


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


__all__ = ["all_rules", "by_code", "defaults", "fix_label", "Applicability", "TOOL_CODES"]
