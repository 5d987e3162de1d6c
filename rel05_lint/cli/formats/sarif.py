"""SARIF 2.1.0 for GitHub code scanning (``upload-sarif``) and other SARIF viewers.

One run; the driver lists every selected rule with its descriptions, help
text and page; each result has a repository-relative location with a 1-based
region, a fingerprint stable under unrelated edits, and the fix when one exists.
Columns count Unicode code points, as Python strings do (``columnKind``).
"""

from __future__ import annotations

import json
from typing import Any

from rel05_lint import __version__, registry
from rel05_lint.cli.formats.levels import TOOL_CODE, sarif_level
from rel05_lint.cli.formats.run import Report
from rel05_lint.core import pages
from rel05_lint.core.findings import Edit, Finding

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# GitHub code scanning reads this key; when it is present upload-sarif does not
# compute its own line-number-based hash.
FINGERPRINT_KEY = "primaryLocationLineHash"


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: Report) -> dict:
    codes = sorted(set(report.codes) | {f.code for f in report.findings})
    index = {code: i for i, code in enumerate(codes)}
    results = [
        _result(f, fp, index[f.code], report) for f, fp in zip(report.findings, report.fingerprints, strict=False)
    ]
    driver: dict[str, Any] = {"name": "rel05-lint", "version": __version__, "semanticVersion": __version__}
    home = pages.information_uri()
    if home:  # only a known address: a placeholder would send users nowhere
        driver["informationUri"] = home
    driver["rules"] = [_rule(code, report.docs) for code in codes]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rule(code: str, docs: str | None) -> dict:
    rule = registry.by_code().get(code)
    url = pages.url(code, docs)
    page = pages.page(code)
    if rule is None:  # the tool's own code (REL001): no rule class
        summary = registry.TOOL_SUMMARIES.get(code) or registry.TOOL_CODES.get(code, code)
        name = registry.TOOL_NAMES.get(code, code)
        tags = ["rel05-lint"]
        enabled = True
    else:
        summary, name, enabled = rule.summary, rule.name, rule.default_enabled
        practice = [f"REL05-{rule.best_practice}"] if rule.best_practice else []
        tags = ["reliability", *practice, "rel05-lint"]
    full = pages.description(code) or _sentence(summary)
    out: dict[str, Any] = {
        "id": code,
        "name": name if rule is not None or code != TOOL_CODE else "file-error",
        "shortDescription": {"text": _sentence(summary)},
        "fullDescription": {"text": full},
        "help": {"text": f"{full} Details: {url}" if url else full},
        "defaultConfiguration": {"level": sarif_level(code), "enabled": enabled},
        "properties": {"tags": tags},
    }
    if page:
        out["help"]["markdown"] = page  # GitHub shows it in the alert
    if url:
        out["helpUri"] = url
    return out


def _result(f: Finding, fp: str, rule_index: int, report: Report) -> dict:
    uri = report.relative.uri(f.path)
    out = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": sarif_level(f.code),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": _region(f.row, f.col, f.end_row, f.end_col),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
    }
    if f.fix is not None and f.fix.edits:
        out["fixes"] = [
            {
                "description": {"text": f.fix.message or "apply the fix"},
                "artifactChanges": [
                    {"artifactLocation": {"uri": uri}, "replacements": [_replacement(e) for e in f.fix.edits]}
                ],
                "properties": {"applicability": f.fix.applicability.value},
            }
        ]
    return out


def _region(row: int, col: int, end_row: int, end_col: int) -> dict:
    return {"startLine": row, "startColumn": col + 1, "endLine": end_row, "endColumn": end_col + 1}


def _replacement(e: Edit) -> dict:
    return {"deletedRegion": _region(e.row, e.col, e.end_row, e.end_col), "insertedContent": {"text": e.content}}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
