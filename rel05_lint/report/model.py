"""The review as figures: per best practice, per file and per directory.

Everything here is plain data built from the files' surveys; the renderers
(markdown, html, json_out) only format it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rel05_lint import registry
from rel05_lint.core.findings import shown_path
from rel05_lint.core.sites import WAIVED, Kind, practice_of
from rel05_lint.report.collect import FileSurvey
from rel05_lint.report.practices import Section, sections

# How sites and noqa meet, printed under every report.
POLICY = (
    "A site is a place a rule inspected: one call, retry, queue, handler or breaker. A site whose "
    "finding a `# noqa` comment hides still counts as not compliant (the code does not follow the "
    "practice; the comment records that someone accepted it), and the waived findings are shown. "
    "Shares are rounded down, so a share shown as 95% is at least 95%. Files a rule is switched off "
    "for (per-file-ignores) and files that do not parse add no sites."
)


@dataclass(frozen=True)
class Figure:
    what: str  # "remote calls and clients"
    ok_label: str  # "bounded"
    sites: int
    ok: int
    rules: tuple[str, ...]  # the selected rules that counted these sites
    unselected: tuple[str, ...] = ()  # rules that would count them but did not run

    @property
    def measured(self) -> bool:
        return bool(self.rules)

    @property
    def share(self) -> int | None:
        """Whole percent, rounded down; None when there is nothing to count."""
        return None if not self.sites else self.ok * 100 // self.sites

    def at_least(self, minimum: float) -> bool:
        return not self.sites or self.ok * 100 >= minimum * self.sites


@dataclass(frozen=True)
class PracticeReview:
    code: str
    title: str
    definition: str
    unseen: tuple[str, ...]
    headline: Figure | None  # None: no code shape to count (BP07)
    details: tuple[Figure, ...]
    findings: int
    waived: int


@dataclass(frozen=True)
class Area:
    """A file or a directory (its own files, not its subdirectories)."""

    path: str
    files: int
    findings: int
    by_practice: dict[str, int]  # findings per best practice
    sites: dict[str, tuple[int, int]]  # headline (sites, compliant) per best practice


@dataclass(frozen=True)
class Threshold:
    practice: str
    minimum: float
    met: bool


@dataclass
class Review:
    root: str
    files: int
    unparsed: list[str]
    findings: int
    codes: tuple[str, ...]
    practices: tuple[PracticeReview, ...]
    top_files: list[Area]
    top_directories: list[Area]
    directories: list[Area]
    thresholds: list[Threshold] = field(default_factory=list)
    policy: str = POLICY
    top: int = 10  # how many files and directories the lists show (--top)
    # E9: the library versions the version-aware rules used, and where each was read.
    versions: tuple[str, ...] = ()

    @property
    def analysed(self) -> int:
        return self.files - len(self.unparsed)

    def practice(self, code: str) -> PracticeReview:
        return next(p for p in self.practices if p.code == code)


def _figure(
    kinds: Iterable[Kind], counts: Mapping[str, tuple[int, int]], codes: frozenset[str], what: str, ok: str
) -> Figure:
    kinds = tuple(kinds)
    feeders = sorted({r for k in kinds for r in registry.counted_by(k)})
    sites = sum(counts.get(k.key, (0, 0))[0] for k in kinds)
    good = sum(counts.get(k.key, (0, 0))[1] for k in kinds)
    return Figure(
        what, ok, sites, good, tuple(r for r in feeders if r in codes), tuple(r for r in feeders if r not in codes)
    )


def headline(section: Section, counts: Mapping[str, tuple[int, int]], codes: frozenset[str]) -> Figure | None:
    if not section.headline:
        return None
    first, practice = section.headline[0], section.practice
    return _figure(section.headline, counts, codes, practice.what or first.what, practice.ok or first.ok)


def _add(total: dict[str, list[int]], counts: Mapping[str, tuple[int, int]]) -> None:
    for kind, (sites, ok) in counts.items():
        entry = total.setdefault(kind, [0, 0])
        entry[0] += sites
        entry[1] += ok


def _area(path: str, members: list[FileSurvey], codes: frozenset[str]) -> Area:
    counts: dict[str, list[int]] = {}
    by_practice: dict[str, int] = {}
    for member in members:
        _add(counts, member.counts)
        for f in member.findings:
            bp = practice_of(f.code)
            if bp:
                by_practice[bp] = by_practice.get(bp, 0) + 1
    plain = {k: (v[0], v[1]) for k, v in counts.items()}
    sites = {}
    for s in sections():
        fig = headline(s, plain, codes)
        if fig is not None and fig.sites:
            sites[s.practice.code] = (fig.sites, fig.ok)
    return Area(path, len(members), sum(len(m.findings) for m in members), by_practice, sites)


def _root(paths: list[str]) -> str:
    if not paths:
        return "."
    dirs = [os.path.dirname(os.path.abspath(p)) for p in paths]
    try:
        return os.path.commonpath(dirs)
    except ValueError:  # different drives
        return ""


def _shown_root(root: str) -> str:
    """The root as the user would type it: relative to the current folder when inside it."""
    if not root:
        return "."
    rel = os.path.relpath(root)
    return root if rel.startswith("..") else rel.replace(os.sep, "/")


def _relative(path: str, root: str) -> str:
    """The path as the report prints it (a name that is not UTF-8 shows its bytes as \\xNN)."""
    if not root:
        return shown_path(path)
    rel = os.path.relpath(os.path.abspath(path), root)
    return shown_path(rel.replace(os.sep, "/"))


def build(
    results: list[FileSurvey],
    codes: frozenset[str],
    top: int = 10,
    thresholds: Mapping[str, float] | None = None,
    root: str | None = None,
) -> Review:
    """Figures for the whole run, its files and its directories."""
    root = _root([r.path for r in results]) if root is None else root
    total: dict[str, list[int]] = {}
    for r in results:
        _add(total, r.counts)
    counts = {k: (v[0], v[1]) for k, v in total.items()}
    practices = []
    for s in sections():
        p = s.practice
        findings = sum(1 for r in results for f in r.findings if practice_of(f.code) == p.code)
        waived = sum(
            v[0] for k, v in counts.items() if k.startswith(WAIVED) and practice_of(k[len(WAIVED) :]) == p.code
        )
        details = tuple(_figure((k,), counts, codes, k.what, k.ok) for k in s.details)
        practices.append(
            PracticeReview(
                p.code, p.title, p.definition, p.unseen, headline(s, counts, codes), details, findings, waived
            )
        )

    files = [_area(_relative(r.path, root), [r], codes) for r in results]
    grouped: dict[str, list[FileSurvey]] = {}
    for r in results:
        grouped.setdefault(os.path.dirname(_relative(r.path, root)) or ".", []).append(r)
    directories = [_area(d, members, codes) for d, members in sorted(grouped.items())]

    def busiest(areas: list[Area]) -> list[Area]:
        return sorted((a for a in areas if a.findings), key=lambda a: (-a.findings, a.path))[:top]

    review = Review(
        root=_shown_root(root),
        files=len(results),
        unparsed=[_relative(r.path, root) for r in results if not r.analysed],
        findings=sum(len(r.findings) for r in results),
        codes=tuple(sorted(codes)),
        practices=tuple(practices),
        top_files=busiest(files),
        top_directories=busiest(directories),
        directories=directories,
        top=top,
    )
    for bp, minimum in (thresholds or {}).items():
        fig = review.practice(bp).headline
        review.thresholds.append(Threshold(bp, minimum, fig is None or fig.at_least(minimum)))
    return review


def parse_thresholds(values: Iterable[str]) -> dict[str, float]:
    """``("BP05=95", "BP03=80,BP04=100")`` -> ``{"BP05": 95.0, ...}``; ValueError explains a bad one."""
    out: dict[str, float] = {}
    measurable = {s.practice.code for s in sections() if s.headline}
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            bp, sep, number = part.partition("=")
            bp = bp.strip().upper()
            if not sep or bp not in measurable:
                raise ValueError(f"{part!r}: expected BPnn=PERCENT with BPnn one of {', '.join(sorted(measurable))}")
            try:
                minimum = float(number)
            except ValueError:
                raise ValueError(f"{part!r}: {number.strip()!r} is not a number") from None
            if not 0 <= minimum <= 100:
                raise ValueError(f"{part!r}: the share must be between 0 and 100")
            out[bp] = minimum
    return out
