"""Generate the README's rule tables from the registry: ``python -m tools.docs [--check]``.

The tables sit between ``<!-- generated:NAME -->`` and ``<!-- end:NAME -->``
markers; everything else in the README is prose. ``--check`` exits 1 when the
README is out of date (tests/test_docs.py runs the same comparison).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from rel05_lint import registry
from rel05_lint.core.sites import BEST_PRACTICES
from rel05_lint.report.practices import sections

README = Path(__file__).resolve().parent.parent / "README.md"


def families() -> str:
    rules = registry.all_rules()
    lines = ["| Family | Best practice | Rules |", "|---|---|---|"]
    own = [f"{code} {name}" for code, name in registry.TOOL_NAMES.items()]
    own += [f"{r.code} {r.name}" + ("" if r.default_enabled else " (off)") for r in rules if not r.best_practice]
    lines.append(f"| REL0xx | (the tool itself) | {', '.join(own)} |")
    for bp, title in BEST_PRACTICES.items():
        mine = [r for r in rules if r.best_practice == bp]
        if not mine:
            lines.append(f"| (none) | {bp} {title} | an operational control, not a code shape |")
            continue
        names = ", ".join(f"{r.code} {r.name}" + ("" if r.default_enabled else " (off)") for r in mine)
        lines.append(f"| REL{bp[-1]}xx | {bp} {title} | {names} |")
    return "\n".join(lines)


def rules_table() -> str:
    lines = ["| Code | Name | BP | Default | Fix | What it flags |", "|---|---|---|---|---|---|"]
    for code, name in registry.TOOL_NAMES.items():
        lines.append(f"| [{code}](rules/{code}.md) | {name} | – | on | none | {registry.TOOL_SUMMARIES[code]} |")
    for r in registry.all_rules():
        default = "on" if r.default_enabled else "off"
        bp = r.best_practice or "–"
        lines.append(
            f"| [{r.code}](rules/{r.code}.md) | {r.name} | {bp} | {default} | {registry.fix_label(r)} | {r.summary} |"
        )
    return "\n".join(lines)


def report_table() -> str:
    lines = ["| BP | headline figure: compliant sites / all sites | fed by |", "|---|---|---|"]
    for s in sections():
        feeders = sorted({c for k in s.headline for c in registry.counted_by(k)})
        fed = ", ".join(feeders) if feeders else "–"
        lines.append(f"| {s.practice.code} | {s.practice.definition} | {fed} |")
    return "\n".join(lines)


TABLES = {"families": families, "rules": rules_table, "report": report_table}


def _filler(table: str) -> Callable[[re.Match[str]], str]:
    def fill(m: re.Match[str]) -> str:
        return m.group(1) + table + "\n" + m.group(2)

    return fill


def render(text: str) -> str:
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- end:{name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- generated:{name} --> block")
        text = pattern.sub(_filler(make()), text)
    return text


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README.md tables are out of date: run `python -m tools.docs`", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
