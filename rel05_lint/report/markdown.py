"""The review as Markdown: fits a GitHub step summary or a pull request comment."""

from __future__ import annotations

from rel05_lint.report import words
from rel05_lint.report.model import Area, Review
from rel05_lint.report.practices import sections

_BPS = [s.practice.code for s in sections() if s.headline]


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def render(review: Review) -> str:
    out: list[str] = []
    add = out.append
    add(f"## REL05 review: `{review.root}`")
    add("")
    parsed = f"{review.analysed} analysed" + (
        f", {len(review.unparsed)} could not be parsed" if review.unparsed else ""
    )
    add(f"{review.files} Python files ({parsed}), {review.findings} findings. Rules run: {', '.join(review.codes)}.")
    add("")
    add("| Best practice | Compliant sites | Share | | Findings | Fed by |")
    add("|---|---|---:|---|---:|---|")
    for p in review.practices:
        fig = p.headline
        if fig is None:
            add(f"| {p.code} {p.title} | not a code shape: see the checklist below | – | | – | – |")
            continue
        add(
            f"| {p.code} {p.title} | {_esc(words.figure(fig, with_share=False))} | {words.share(fig)} | {words.bar(fig)} "
            f"| {p.findings}{f' (+{p.waived} noqa)' if p.waived else ''} | {words.fed_by(fig)} |"
        )
    add("")
    if review.thresholds:
        add(
            "**Thresholds:** "
            + "; ".join(
                f"{t.practice} ≥ {t.minimum:g}%: {'met' if t.met else '**missed**'} ({words.share(review.practice(t.practice).headline)})"
                for t in review.thresholds
            )
        )
        add("")
    add("### Details")
    add("")
    for p in review.practices:
        if p.headline is None:
            continue
        add(f"- **{words.practice_line(p)}** ({words.fed_by(p.headline)}); {words.findings_note(p)}")
        for fig in p.details:
            add(f"  - {words.figure(fig)}" + (f" ({', '.join(fig.rules)})" if fig.measured else ""))
    add("")
    add("### Where the findings are")
    add("")
    if review.top_files:
        _areas(out, "File", review.top_files)
        _areas(out, "Directory", review.top_directories)
        add("Per best practice: compliant/sites (share) in that file or directory (its own files only).")
        add("")
    else:
        add("No findings.")
        add("")
    if review.versions:
        add("Library versions used (E9): " + "; ".join(f"`{v}`" for v in review.versions))
        add("")
    if review.unparsed:
        add(
            "Not analysed (REL001): "
            + ", ".join(f"`{p}`" for p in review.unparsed[:20])
            + (" …" if len(review.unparsed) > 20 else "")
        )
        add("")
    add("### Not visible to a static check")
    add("")
    add(
        "Server-side throttling, load shedding and emergency levers live in infrastructure and operations; answer these by hand:"
    )
    add("")
    for p in review.practices:
        if not p.unseen:
            continue
        add(f"- {p.code} {p.title}")
        for question in p.unseen:
            add(f"  - [ ] {question}")
    add("")
    add("### How the figures are counted")
    add("")
    for p in review.practices:
        add(f"- **{p.code}** compliant = {p.definition}.")
    add("")
    add(review.policy)
    add("")
    return "\n".join(out)


def _areas(out: list[str], label: str, areas: list[Area]) -> None:
    out.append(f"| {label} | Findings | " + " | ".join(_BPS) + " |")
    out.append("|---|---:|" + "---|" * len(_BPS))
    for a in areas:
        cells = " | ".join(words.cell(a.sites.get(bp)) for bp in _BPS)
        out.append(f"| `{_esc(a.path)}` | {a.findings} | {cells} |")
    out.append("")
