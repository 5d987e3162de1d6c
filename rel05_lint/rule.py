"""The rule base class and the per-file context every rule reads from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from rel05_lint.findings import Applicability
from rel05_lint.fixes import FixSpec

if TYPE_CHECKING:
    from rel05_lint.config import Settings
    from rel05_lint.prefilter import Facts, Names
    from rel05_lint.scope import ScopeTracker


@dataclass(frozen=True)
class Instance:
    """A tracked instance: the class it was built from and the constructor call."""

    qualname: str
    call: cst.Call


@dataclass
class Report:
    node: cst.CSTNode
    code: str
    message: str
    fix: FixSpec | None


class Context:
    """What one file offers the rules: its tree, names, settings and ancestors."""

    def __init__(self, module: cst.Module, path: str, settings: "Settings", scopes: "ScopeTracker", newline: str):
        self.module = module
        self.path = path
        self.settings = settings
        self.scopes = scopes
        self.newline = newline
        self.stack: list[cst.CSTNode] = []  # ancestors of the node being visited, itself last
        self.reports: list[Report] = []
        # Per-file analyses several rules share (retry sites, retry loops, handlers),
        # so each is computed once per node however many rules ask.
        self._shared: dict[str, object] = {}
        # What the rules inspected, for the review report (rel05_lint/report):
        # (kind, follows the practice, node or None); and the codes of
        # findings a noqa comment hid. Plain appends: check mode never reads them.
        self.sites: list[tuple[str, bool, cst.CSTNode | None]] = []
        self.waived: list[str] = []

    def qualname(self, node: cst.CSTNode) -> str | None:
        return self.scopes.qualname(node)

    def instance(self, node: cst.CSTNode, constructors, _depth: int = 0) -> Instance | None:
        """The tracked instance ``node`` denotes, if built by one of ``constructors``.

        ``constructors`` is any container of qualified names (a dict or set).
        """
        if isinstance(node, cst.Call):
            qual = self.qualname(node.func)
            return Instance(qual, node) if qual in constructors else None
        if isinstance(node, (cst.Name, cst.Attribute)) and _depth < 4:
            value = self.scopes.value_of(node)
            if value is not None and value is not node:
                return self.instance(value, constructors, _depth + 1)
        return None

    def shared(self, key: str, factory):
        """This file's shared state under ``key``, created by ``factory()`` on first use."""
        state = self._shared.get(key)
        if state is None:
            state = self._shared[key] = factory()
        return state

    def memo(self, key: str, node: cst.CSTNode, compute):
        """``compute(self, node)``, computed once per node for this file."""
        cache = self.shared(key, dict)
        ident = id(node)
        if ident not in cache:
            cache[ident] = compute(self, node)
        return cache[ident]

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def ancestors(self):
        """Ancestors of the current node, nearest first (the node itself excluded)."""
        return reversed(self.stack[:-1])


class Rule:
    """One rule: a small visitor with ``visit_<Node>``/``leave_<Node>`` methods.

    Rule objects are built once per process; ``start`` is called for each file
    and must reset any per-file state.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    best_practice: ClassVar[str] = ""  # "BP05"
    summary: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    fix_applicability: ClassVar[Applicability | None] = None
    # Prefilter (rel05_lint/prefilter.py): necessary conditions for any
    # finding, or empty/None to always run. ``triggers``: the text contains one
    # of these strings. ``needs``: one of these qualified names could resolve
    # (its package imported, its parts written). Both must hold; a rule with a
    # compound condition overrides ``relevant``. Sound means: a file this
    # rejects would give no finding (tests/test_prefilter.py runs both ways).
    triggers: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar["Names | None"] = None

    ctx: Context

    def __init__(self, settings: "Settings") -> None:
        self.settings = settings

    def start(self, ctx: Context) -> None:
        self.ctx = ctx

    def finish(self) -> None:
        """Called after the traversal; rules that decide late report here."""

    def relevant(self, facts: "Facts") -> bool:
        if self.triggers and not facts.has(*self.triggers):
            return False
        return self.needs is None or self.needs.found_in(facts)

    def report(self, node: cst.CSTNode, message: str, fix: FixSpec | None = None, code: str | None = None) -> None:
        self.ctx.reports.append(Report(node, code or self.code, message, fix))

    def count(self, kind: str, ok: bool, node: cst.CSTNode | None = None) -> None:
        """Record a site this rule inspected, for the review report.

        ``kind`` is one of ``rel05_lint.report.sites.KINDS``; ``ok`` says whether
        the site follows the practice. ``node`` identifies the site: counting it
        again (or by another rule, for another aspect of it) does not add a site.
        In survey mode the rule runs where its ``relevant`` admits the file or
        ``report.sites.surveys`` says it may find a site: a new kind of site
        must be covered by one of the two (tests/test_report.py checks).
        """
        self.ctx.sites.append((kind, ok, node))
