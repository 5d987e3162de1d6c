"""The review as JSON, for dashboards: the model's plain data plus each share."""

from __future__ import annotations

import json
from dataclasses import asdict

from rel05_lint.report.model import Figure, Review


def _figure(fig: Figure | None) -> dict | None:
    if fig is None:
        return None
    data = asdict(fig)
    data["share"] = fig.share  # whole percent, rounded down; null when no sites
    data["ratio"] = fig.ok / fig.sites if fig.sites else None
    return data


def render(review: Review) -> str:
    data = {
        "root": review.root,
        "files": review.files,
        "analysed": review.analysed,
        "unparsed": review.unparsed,
        "findings": review.findings,
        "rules": list(review.codes),
        "practices": [
            {
                "code": p.code,
                "title": p.title,
                "headline": _figure(p.headline),
                "details": [_figure(d) for d in p.details],
                "findings": p.findings,
                "waived": p.waived,
                "definition": p.definition,
                "questions": list(p.unseen),
            }
            for p in review.practices
        ],
        "top_files": [asdict(a) for a in review.top_files],
        "top_directories": [asdict(a) for a in review.top_directories],
        "directories": [asdict(a) for a in review.directories],
        "thresholds": [asdict(t) for t in review.thresholds],
        "policy": review.policy,
        "versions": list(review.versions),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
