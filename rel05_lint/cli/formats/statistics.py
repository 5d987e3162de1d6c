"""``--statistics``: how many findings per rule, and how many ``fix`` can remove."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rel05_lint import registry
from rel05_lint.cli.formats.levels import TOOL_CODE
from rel05_lint.cli.formats.run import fixable
from rel05_lint.core.findings import Applicability, Finding


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    count: int
    fixable: int  # safe or unsafe: `rel05-lint fix [--unsafe-fixes]` removes them
    unsafe: int  # of those, the ones that need --unsafe-fixes


def rows(findings: list[Finding]) -> list[Row]:
    names = {r.code: r.name for r in registry.all_rules()}
    names.setdefault(TOOL_CODE, "file-error")
    counts: dict[str, list[int]] = {}
    for f in findings:
        c = counts.setdefault(f.code, [0, 0, 0])
        c[0] += 1
        applicability = fixable(f)
        if applicability is not None:
            c[1] += 1
            c[2] += applicability is Applicability.UNSAFE
    out = [Row(code, names.get(code, ""), *c) for code, c in counts.items()]
    # Most frequent first: the rules worth configuring or fixing in bulk.
    return sorted(out, key=lambda r: (-r.count, r.code))


def text(findings: list[Finding]) -> str:
    table = rows(findings)
    if not table:
        return "No findings.\n"
    width = max(len("name"), *(len(r.name) for r in table))
    header = f"{'code':<7} {'name':<{width}} {'count':>6} {'fixable':>8} {'unsafe':>7}"
    lines = [header]
    for r in table:
        lines.append(f"{r.code:<7} {r.name:<{width}} {r.count:>6} {r.fixable:>8} {r.unsafe:>7}")
    total = sum(r.count for r in table), sum(r.fixable for r in table), sum(r.unsafe for r in table)
    lines.append(f"{'total':<7} {'':<{width}} {total[0]:>6} {total[1]:>8} {total[2]:>7}")
    lines.append("fixable: removed by `rel05-lint check --fix`; unsafe: of those, the ones that need --unsafe-fixes.")
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding]) -> str:
    data = [
        {"code": r.code, "name": r.name, "count": r.count, "fixable": r.fixable, "fixable_unsafe": r.unsafe}
        for r in rows(findings)
    ]
    return json.dumps(data, indent=2) + "\n"
