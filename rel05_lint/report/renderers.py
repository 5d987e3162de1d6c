"""The report's output formats, by name."""

from __future__ import annotations

from rel05_lint.report import html, json_out, markdown
from rel05_lint.report.model import Review

RENDERERS = {"markdown": markdown.render, "html": html.render, "json": json_out.render}
FORMATS = tuple(RENDERERS)


def render(review: Review, fmt: str) -> str:
    return RENDERERS[fmt](review)
