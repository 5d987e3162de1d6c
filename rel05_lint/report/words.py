"""Phrases both the Markdown and the HTML report print, so they say the same."""

from __future__ import annotations

from rel05_lint.report.model import Figure, PracticeReview


def figure(fig: Figure, with_share: bool = True) -> str:
    """'388 of 412 remote calls and clients bounded, 94%'."""
    if not fig.measured:
        return f"{fig.what} {fig.ok_label}: not measured ({_off(fig.unselected)})"
    if not fig.sites:
        return f"no {fig.what} found"
    text = f"{fig.ok} of {fig.sites} {fig.what} {fig.ok_label}"
    return f"{text}, {fig.share}%" if with_share else text


def share(fig: Figure | None) -> str:
    if fig is None or not fig.measured or not fig.sites:
        return "–"
    return f"{fig.share}%"


def fed_by(fig: Figure) -> str:
    """Which rules counted the figure, and which would have but were not selected."""
    text = ", ".join(fig.rules) if fig.rules else "no selected rule"
    if fig.rules and fig.unselected:
        text += f" ({', '.join(fig.unselected)} not selected)"
    return text


def _off(codes: tuple[str, ...]) -> str:
    joined = ",".join(codes)
    return f"{', '.join(codes)} not selected; add `--extend-select {joined}`"


def practice_line(p: PracticeReview) -> str:
    """'BP05 set client timeouts: 388 of 412 remote calls and clients bounded, 94%'."""
    if p.headline is None:
        return f"{p.code} {p.title}: not a code shape; see the checklist"
    return f"{p.code} {p.title}: {figure(p.headline)}"


def findings_note(p: PracticeReview) -> str:
    text = f"{p.findings} finding{'s' if p.findings != 1 else ''}"
    if p.waived:
        text += f", {p.waived} more waived by `# noqa`"
    return text


def bar(fig: Figure | None, width: int = 10) -> str:
    """A text bar for Markdown: filled blocks for the compliant share."""
    if fig is None or not fig.sites or not fig.measured:
        return ""
    filled = fig.ok * width // fig.sites
    return "█" * filled + "░" * (width - filled)


def cell(sites: tuple[int, int] | None) -> str:
    """A directory table cell: 'compliant/sites' (share)."""
    if not sites:
        return "–"
    n, ok = sites
    return f"{ok}/{n} ({ok * 100 // n}%)"
