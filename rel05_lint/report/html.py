"""The review as one self-contained HTML page: no network, no external assets.

A Content-Security-Policy forbids every fetch, so the page shows exactly what
it carries. Figures are written into the page as text; a few lines of inline
script recompute each bar's width from its ``data-ok``/``data-sites`` and
mark it (``data-checked``), which lets a headless-browser test prove the
script ran and agrees with the numbers.
"""

from __future__ import annotations

import re
from html import escape

from rel05_lint.report import words
from rel05_lint.report.model import Area, Figure, Review
from rel05_lint.report.practices import sections

_BPS = [s.practice.code for s in sections() if s.headline]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem}h3{font-size:1rem;margin:.2rem 0}
.meta{color:#57606a;margin:0 0 1rem}code{background:#f0f2f4;padding:0 .25em;border-radius:3px;font-size:.92em}
.practice{display:grid;grid-template-columns:16rem 1fr 4rem;gap:.2rem 1rem;align-items:center;padding:.55rem 0;border-bottom:1px solid #e4e7eb}
.practice .text{grid-column:2/4;color:#57606a;font-size:.9em}
.bar{height:1.1rem;background:#eef0f3;border-radius:4px;overflow:hidden}.mini{display:inline-block;width:4rem;height:.6rem;background:#eef0f3;border-radius:3px;overflow:hidden;vertical-align:middle;margin-right:.35rem}
.bar.none{background:none;border:1px dashed #8c959f}.fill.zero{min-width:4px}
.fill{height:100%;background:#cf222e}.fill.mid{background:#d4a72c}.fill.good{background:#2da44e}
.share{font-weight:600;text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.4rem 0 1rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:middle}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.none{color:#8c959f;text-align:right}.mini .fill{display:block}
ul.details{margin:.2rem 0 0;padding-left:1.2rem}ul.checklist{list-style:none;padding-left:.5rem}
.missed{color:#cf222e;font-weight:600}.met{color:#2da44e;font-weight:600}footer{color:#57606a;font-size:.88em;margin-top:2rem}
"""

# Recompute every bar from its data attributes: the proof that the page's figures agree.
_SCRIPT = """
(function () {
  var bars = document.querySelectorAll('.fill[data-sites]');
  for (var i = 0; i < bars.length; i++) {
    var el = bars[i], n = Number(el.getAttribute('data-sites')), ok = Number(el.getAttribute('data-ok'));
    var share = n > 0 ? Math.floor(ok * 100 / n) : 0;
    el.style.width = share + '%';
    el.setAttribute('data-checked', String(share));
  }
  document.body.setAttribute('data-rendered', String(bars.length));
})();
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def _text(text: str) -> str:
    """Escape, then show `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _tone(ok: int, sites: int) -> str:
    share = ok * 100 // sites
    return "good" if share >= 90 else "mid" if share >= 60 else ""


def _fill(ok: int, sites: int, label: str, tag: str = "div") -> str:
    share = ok * 100 // sites
    # A 0% share still shows a red sliver, so it never looks like "no sites".
    tone = _tone(ok, sites) + (" zero" if share == 0 else "")
    return (
        f'<{tag} class="fill {tone.strip()}" data-ok="{ok}" data-sites="{sites}" '
        f'style="width:{share}%" title="{escape(label)}"></{tag}>'
    )


def _bar(fig: Figure | None, code: str) -> str:
    if fig is None or not fig.measured or not fig.sites:
        return '<div class="bar none" title="no sites" aria-hidden="true"></div>'
    return f'<div class="bar" role="img" aria-label="{code} {fig.share}% compliant">{_fill(fig.ok, fig.sites, words.figure(fig))}</div>'


def _cell(sites: tuple[int, int] | None) -> str:
    if not sites:
        return '<td class="none">–</td>'
    n, ok = sites
    mini = f'<span class="mini">{_fill(ok, n, f"{ok} of {n}", "span")}</span>'
    return f'<td class="num">{mini}{escape(words.cell(sites))}</td>'


def _areas(label: str, areas: list[Area], table_id: str, files: bool) -> str:
    head = "".join(f'<th class="num">{bp}</th>' for bp in _BPS)
    files_head = '<th class="num">Files</th>' if files else ""
    rows = []
    for a in areas:
        cells = "".join(_cell(a.sites.get(bp)) for bp in _BPS)
        count = f'<td class="num">{a.files}</td>' if files else ""
        rows.append(f'<tr><td><code>{escape(a.path)}</code></td>{count}<td class="num">{a.findings}</td>{cells}</tr>')
    return (
        f'<table id="{table_id}"><thead><tr><th>{label}</th>{files_head}<th class="num">Findings</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render(review: Review) -> str:
    parts: list[str] = []
    add = parts.append
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add(f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>REL05 review: {escape(review.root)}</title><style>{_CSS}</style></head>")
    add('<body data-rendered="no">')
    add(f"<h1>REL05 review: <code>{escape(review.root)}</code></h1>")
    unparsed = f", {len(review.unparsed)} could not be parsed" if review.unparsed else ""
    add(
        f'<p class="meta" id="summary">{review.files} Python files ({review.analysed} analysed{unparsed}), '
        f"{review.findings} findings. Rules run: {escape(', '.join(review.codes))}.</p>"
    )
    if review.thresholds:
        items = []
        for t in review.thresholds:
            shown = words.share(review.practice(t.practice).headline)
            cls, verdict = ("met", "met") if t.met else ("missed", "missed")
            items.append(f'{t.practice} ≥ {t.minimum:g}%: <span class="{cls}">{verdict}</span> ({shown})')
        add(f'<p id="thresholds">Thresholds: {"; ".join(items)}</p>')

    add('<h2>Best practices</h2><section id="practices">')
    for p in review.practices:
        fig = p.headline
        add(f'<div class="practice" id="{p.code}" data-practice="{p.code}">')
        add(
            f'<h3>{p.code} {escape(p.title)}</h3>{_bar(fig, p.code)}<div class="share">{escape(words.share(fig))}</div>'
        )
        if fig is None:
            add('<div class="text">Not a code shape: see the checklist below.</div>')
        else:
            details = "".join(
                f"<li>{_text(words.figure(d))}{' (' + escape(', '.join(d.rules)) + ')' if d.measured else ''}</li>"
                for d in p.details
            )
            listed = f'<ul class="details">{details}</ul>' if details else ""
            add(
                f'<div class="text"><span class="figure">{_text(words.figure(fig))}</span> · fed by {escape(words.fed_by(fig))} · '
                f"{_text(words.findings_note(p))}{listed}</div>"
            )
        add("</div>")
    add("</section>")

    add("<h2>Where the findings are</h2>")
    if review.top_files:
        add(_areas("File", review.top_files, "top-files", files=False))
    else:
        add("<p>No findings.</p>")
    add(
        '<h2>By directory</h2><p class="meta">Each directory\'s own files; cells show compliant/sites (share) per best practice.</p>'
    )
    dirs = sorted(review.directories, key=lambda a: (-a.findings, a.path))[: review.top]
    add(_areas("Directory", dirs, "directories", files=True))
    hidden = len(review.directories) - len(dirs)
    if hidden:
        add(
            f'<p class="meta">{hidden} more director{"ies" if hidden != 1 else "y"} not shown (<code>--top {review.top}</code>).</p>'
        )
    if review.versions:
        add(
            "<p>Library versions used (E9): " + "; ".join(f"<code>{escape(v)}</code>" for v in review.versions) + "</p>"
        )
    if review.unparsed:
        add("<p>Not analysed (REL001): " + ", ".join(f"<code>{escape(p)}</code>" for p in review.unparsed) + "</p>")

    add("<h2>Not visible to a static check</h2>")
    add(
        "<p>Server-side throttling, load shedding and emergency levers live in infrastructure and operations; answer these by hand:</p>"
    )
    add('<ul class="checklist" id="checklist">')
    for p in review.practices:
        for i, question in enumerate(p.unseen):
            add(
                f'<li><label><input type="checkbox" id="q-{p.code}-{i}"> <b>{p.code}</b> {escape(question)}</label></li>'
            )
    add("</ul>")

    add("<footer><h2>How the figures are counted</h2><ul>")
    for p in review.practices:
        add(f"<li><b>{p.code}</b> compliant = {_text(p.definition)}.</li>")
    add(f"</ul><p>{_text(review.policy)}</p></footer>")
    add(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts) + "\n"
