"""GitLab Code Quality (a subset of the Code Climate issue format).

Published with ``artifacts: reports: codequality:``; GitLab shows new and
fixed findings in the merge request by comparing ``fingerprint``s, which is why
they must not change when unrelated lines move.
"""

from __future__ import annotations

import json

from rel05_lint.cli.formats.levels import gitlab_severity
from rel05_lint.cli.formats.run import Report


def render(report: Report) -> str:
    issues = [
        {
            "type": "issue",
            "description": f"{f.code}: {f.message}",
            "check_name": f.code,
            "categories": ["Bug Risk"],
            "fingerprint": fp,
            "severity": gitlab_severity(f.code),
            "location": {"path": report.relative(f.path), "lines": {"begin": f.row, "end": f.end_row}},
        }
        for f, fp in zip(report.findings, report.fingerprints, strict=False)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
