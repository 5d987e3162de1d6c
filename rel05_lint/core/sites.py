"""What the rules count while they check, for the REL05 review report.

A rule declares the kinds of site it inspects (``Rule.counts``) and calls
``Rule.count(kind, ok, node)`` from its visit methods, so the review needs no
second traversal. Each ``Kind`` names its best practice and whether it feeds
that practice's headline share; the report groups the kinds the registered
rules declare, so a new rule's sites appear without editing the report.
``tally`` folds one file's records into plain counts ``{key: (sites, compliant)}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The REL05 best practices, by the hundreds digit of a rule code.
BEST_PRACTICES: dict[str, str] = {
    "BP01": "graceful degradation",
    "BP02": "throttle requests",
    "BP03": "control and limit retry calls",
    "BP04": "fail fast and limit queues",
    "BP05": "set client timeouts",
    "BP06": "stateless services",
    "BP07": "emergency levers",
}

# Noqa-hidden findings travel in the same plain dict under this prefix:
# {"noqa:" + "REL501": (2, 0)} means two REL501 findings were waived in the file.
WAIVED = "noqa:"


@dataclass(frozen=True, eq=False)  # one object per kind: compared and hashed by identity
class Kind:
    """A kind of site: what a rule inspects and what "compliant" means for it."""

    key: str  # "timeout-call": the key in per-file counts
    best_practice: str  # "BP05"
    what: str  # "remote calls and clients"
    ok: str  # "bounded"
    headline: bool = False  # summed into the practice's headline share
    # An aspect of a site judged by one rule, joined per site into ``combined``
    # (a retry complies when every aspect measured for it complies).
    combined: Kind | None = None
    # On a combined kind: the aspect that says whether the site can be judged at
    # all; a site it cannot judge stays out unless an aspect already fails.
    gate: Kind | None = None


def practice_of(code: str) -> str | None:
    """``REL503`` -> ``BP05``; None for the tool's own codes (REL001)."""
    digit = code[3:4]
    return f"BP0{digit}" if code.startswith("REL") and digit in "123456" and digit else None


def tally(sites: Iterable[tuple[Kind, bool, object]], waived: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """One file's site records as ``{kind key: (sites, compliant)}``.

    Records naming the same node and kind are one site (compliant only if every
    record says so); aspects are joined per node into their combined kind,
    leaving out what its gate cannot judge.
    """
    by_node: dict[tuple[Kind, int], bool] = {}
    loose: dict[str, list[int]] = {}
    for kind, ok, node in sites:
        if node is None:
            entry = loose.setdefault(kind.key, [0, 0])
            entry[0] += 1
            entry[1] += bool(ok)
        else:
            key = (kind, id(node))
            by_node[key] = by_node.get(key, True) and bool(ok)
    out: dict[str, list[int]] = {k: list(v) for k, v in loose.items()}
    joined: dict[tuple[Kind, int], bool] = {}
    for (kind, node_id), ok in by_node.items():
        entry = out.setdefault(kind.key, [0, 0])
        entry[0] += 1
        entry[1] += ok
        if kind.combined is not None:
            key = (kind.combined, node_id)
            joined[key] = joined.get(key, True) and ok
    for (kind, node_id), ok in joined.items():
        gate = kind.gate
        if ok and gate is not None and by_node.get((gate, node_id)) is False:
            continue  # cannot tell, and nothing measured fails
        entry = out.setdefault(kind.key, [0, 0])
        entry[0] += 1
        entry[1] += ok
    for code in waived:
        entry = out.setdefault(WAIVED + code, [0, 0])
        entry[0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
