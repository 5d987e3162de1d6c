"""The rule base class and the per-file context every rule reads from.

A rule declares everything about itself once, as class attributes: code,
name, best practice, summary, default, fix level, the options it reads, the
site kinds it counts for the review report and the conditions under which it
runs. The registry, the rule pages, the README tables, ``rules`` and the
report all read these.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rel05_lint.core.findings import Applicability, Fix
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import Instance
from rel05_lint.core.sites import BEST_PRACTICES, Kind

if TYPE_CHECKING:
    from rel05_lint.core.config import Settings
    from rel05_lint.core.prefilter import Facts, Names
    from rel05_lint.core.scope import ScopeTracker

T = TypeVar("T")


@dataclass(frozen=True)
class NoqaReport:
    """A finding about a ``# noqa`` comment (REL002), placed by row and columns, not by node."""

    row: int
    col: int
    end_col: int
    message: str
    fix: Fix | None


@dataclass
class Report:
    node: cst.CSTNode
    code: str
    message: str
    fix: FixSpec | None


class Context:
    """What one file offers the rules: its tree, names, settings and ancestors."""

    def __init__(self, module: cst.Module, path: str, settings: Settings, scopes: ScopeTracker, newline: str):
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
        # What the rules inspected, for the review report: (kind, follows the
        # practice, node or None); and the codes of findings a noqa comment hid.
        # Plain appends: check mode never reads them.
        self.sites: list[tuple[Kind, bool, cst.CSTNode | None]] = []
        self.waived: list[str] = []

    def qualname(self, node: cst.CSTNode) -> str | None:
        return self.scopes.qualname(node)

    def instance(self, node: cst.CSTNode, constructors: Container[str], _depth: int = 0) -> Instance | None:
        """The tracked instance ``node`` denotes, if built by one of ``constructors``
        (any container of qualified names)."""
        if isinstance(node, cst.Call):
            qual = self.qualname(node.func)
            return Instance(qual, node) if qual is not None and qual in constructors else None
        if isinstance(node, (cst.Name, cst.Attribute)) and _depth < 4:
            value = self.scopes.value_of(node)
            if value is not None and value is not node:
                return self.instance(value, constructors, _depth + 1)
        return None

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """This file's shared state under ``key``, created by ``factory()`` on first use."""
        state = self._shared.get(key)
        if state is None:
            state = self._shared[key] = factory()
        return state  # type: ignore[return-value]

    def memo(self, key: str, node: cst.CSTNode, compute: Callable[[Context, cst.CSTNode], T]) -> T:
        """``compute(self, node)``, computed once per node for this file."""
        cache: dict[int, T] = self.shared(key, dict)
        ident = id(node)
        if ident not in cache:
            cache[ident] = compute(self, node)
        return cache[ident]

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def ancestors(self) -> Iterator[cst.CSTNode]:
        """Ancestors of the current node, nearest first (the node itself excluded)."""
        return reversed(self.stack[:-1])


class Rule:
    """One rule: a small visitor with ``visit_<Node>``/``leave_<Node>`` methods.

    Rule objects are built once per process; ``start`` is called for each file
    and must reset any per-file state.
    """

    # --- what the rule is (rules/<code>.md says it in words) ---
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    best_practice: ClassVar[str] = ""  # "BP05"
    summary: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    fix_applicability: ClassVar[Applicability | None] = None
    fix_scope: ClassVar[str] = ""  # where the fix applies, when not everywhere: "libraries only"
    # Settings keys it reads (as written in [tool.rel05-lint]).
    options: ClassVar[tuple[str, ...]] = ()
    # Site kinds it counts for the review report (``count``).
    counts: ClassVar[tuple[Kind, ...]] = ()
    # --- when it runs ---
    # Prefilter (core/prefilter.py): necessary conditions for any finding, or
    # empty/None to always run. ``triggers``: the text contains one of these
    # strings. ``needs``: one of these qualified names could resolve (its
    # package imported, its parts written). Both must hold; a rule with a
    # compound condition overrides ``relevant``. Sound means: a file this
    # rejects would give no finding (tests/test_prefilter.py runs both ways).
    triggers: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[Names | None] = None
    # Survey mode (the review report) also runs the rule where one of these
    # strings occurs: a compliant site (a bounded-default client, a handler
    # with no writes) may sit in a file where no finding is possible. A rule
    # with a compound condition overrides ``surveys``.
    survey_words: ClassVar[tuple[str, ...]] = ()
    # A rule about the file's noqa comments (REL002): it does not visit the
    # tree; the engine calls ``check_noqa`` after the other rules ran.
    reads_noqa: ClassVar[bool] = False

    ctx: Context

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def header(cls) -> str:
        """The summary line of the rule's page, right under its title."""
        default = "on" if cls.default_enabled else "off"
        fix = cls.fix_applicability.value if cls.fix_applicability is not None else "none"
        if cls.fix_scope:
            fix = f"{fix} ({cls.fix_scope})"
        bp = cls.best_practice
        if not bp:
            return f"Default: {default}. Fix: {fix}. Best practice: none (a check of the linter's own comments)."
        return f"Default: {default}. Fix: {fix}. Best practice: REL05-{bp} ({BEST_PRACTICES[bp]})."

    def check_noqa(
        self, text: str, used: list[tuple[int, int, str]], checkable: Callable[[str], bool]
    ) -> list[NoqaReport]:
        """For ``reads_noqa`` rules: findings about the noqa comments of ``text``.

        ``used``: (first row, last row, code) of every finding a noqa hid;
        ``checkable(code)``: whether a listed code names a rule that ran here.
        """
        return []

    def start(self, ctx: Context) -> None:
        self.ctx = ctx

    def finish(self) -> None:
        """Called after the traversal; rules that decide late report here."""

    def relevant(self, facts: Facts) -> bool:
        if self.triggers and not facts.has(*self.triggers):
            return False
        return self.needs is None or self.needs.found_in(facts)

    def surveys(self, facts: Facts) -> bool:
        """Whether the review report should run this rule on a file ``relevant`` rejects."""
        return bool(self.survey_words) and facts.has(*self.survey_words)

    def report(self, node: cst.CSTNode, message: str, fix: FixSpec | None = None, code: str | None = None) -> None:
        self.ctx.reports.append(Report(node, code or self.code, message, fix))

    def count(self, kind: Kind, ok: bool, node: cst.CSTNode | None = None) -> None:
        """Record a site this rule inspected, for the review report.

        ``kind`` must be one of the rule's declared ``counts`` (a test checks);
        ``ok`` says whether the site follows the practice. ``node`` identifies
        the site: counting it again (or by another rule, for another aspect of
        it) does not add a site.
        """
        self.ctx.sites.append((kind, ok, node))
