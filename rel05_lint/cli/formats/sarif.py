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
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rel05-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": pages.DOCS_BASE_URL,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rule(code: str) -> dict:
    rule = registry.by_code().get(code)
    if rule is None:  # the tool's own code (REL001): no rule class, no page
        summary = registry.TOOL_CODES.get(code, code)
        return {
            "id": code,
            "name": "file-error" if code == TOOL_CODE else code,
            "shortDescription": {"text": _sentence(summary)},
            "fullDescription": {"text": _sentence(summary)},
            "help": {"text": _sentence(summary)},
            "defaultConfiguration": {"level": sarif_level(code)},
            "properties": {"tags": ["rel05-lint"]},
        }
    url = pages.url(code)
    full = pages.description(code) or _sentence(rule.summary)
    out: dict[str, Any] = {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": full},
        "help": {"text": f"{full} Details: {url}" if url else full},
        "defaultConfiguration": {"level": sarif_level(code), "enabled": rule.default_enabled},
        "properties": {"tags": ["reliability", f"REL05-{rule.best_practice}", "rel05-lint"]},
    }
    if url:
        out["helpUri"] = url
        page = pages.page(code)
        if page:
            out["help"]["markdown"] = page
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
