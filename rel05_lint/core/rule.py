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
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rel05_lint.core.findings import Applicability, Fix
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import Instance
from rel05_lint.core.sites import BEST_PRACTICES, Kind

if TYPE_CHECKING:
    from rel05_lint.core.config import Settings
    from rel05_lint.core.prefilter import Facts, Names
    from rel05_lint.core.project import ProjectIndex
    from rel05_lint.core.scope import Scope, ScopeTracker

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

    def __init__(
        self,
        module: cst.Module,
        path: str,
        settings: Settings,
        scopes: ScopeTracker,
        newline: str,
        project: ProjectIndex | None = None,
        module_name: str = "",
        is_package: bool = False,
    ):
        self.project = project
        self.module_name = module_name
        self.is_package = is_package
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

    def instance(
        self, node: cst.CSTNode, constructors: Container[str], _depth: int = 0, _project: bool = True
    ) -> Instance | None:
        """The tracked instance ``node`` denotes, if built by one of ``constructors``
        (any container of qualified names): here, or (E2) through the project index:
        a factory, a module-level instance of another module, an annotation."""
        if isinstance(node, cst.Call):
            qual = self.qualname(node.func)
            if qual is not None and qual in constructors:
                return Instance(qual, node)
            if self.project is None or not _project:
                return None
            qual = self.project_name(node.func, qual)
            if qual is None:
                return None
            return self._borrowed(self.project.returns(qual, constructors))
        if isinstance(node, (cst.Name, cst.Attribute)) and _depth < 4:
            value = self.scopes.value_of(node)
            if value is not None and value is not node:
                # ``self.x = name`` binds a name of the method that assigned it, not of
                # this one: it is not resolved through the index from here.
                here = _project and not (isinstance(node, cst.Attribute) and isinstance(value, cst.Name))
                return self.instance(value, constructors, _depth + 1, here)
            if value is None and self.project is not None and _project:
                return self._from_project(node, constructors)
        return None

    # --- E2: the project index -------------------------------------------
    def project_name(self, node: cst.CSTNode, qual: str | None = None) -> str | None:
        """The absolute qualified name of a project definition ``node`` names: an
        import (relative ones made absolute) or a module-level def or class here."""
        if qual is None:
            qual = self.qualname(node)
        if qual is not None:
            if qual.startswith(".") and self.project is not None:
                return self.project.relative(self.module_name, self.is_package, qual)
            return qual
        if isinstance(node, cst.Name):
            found = self.scopes.lookup(node.value)
            if found is not None and found[1] is self.scopes.module_scope:
                if all(b.kind in ("def", "class") for b in found[0]) and self.module_name:
                    return f"{self.module_name}.{node.value}"
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            # self.method() inside a class of this module
            scope: Scope | None = self.scopes.current
            while scope is not None and scope.kind == "function" and scope.self_name is None:
                scope = scope.parent
            if scope is not None and scope.self_name == node.value.value and scope.class_scope is not None:
                cls = scope.class_scope.node
                if isinstance(cls, cst.ClassDef) and scope.class_scope.parent is self.scopes.module_scope:
                    return f"{self.module_name}.{cls.name.value}.{node.attr.value}"
        return None

    def _from_project(self, node: cst.Name | cst.Attribute, constructors: Container[str]) -> Instance | None:
        assert self.project is not None
        if isinstance(node, cst.Name):
            found = self.scopes.lookup(node.value)
            if found is not None and len(found[0]) == 1 and found[0][0].kind == "param":
                param = found[0][0].node
                if isinstance(param, cst.Param) and param.annotation is not None:
                    qual = self.annotation_name(param.annotation.annotation)
                    if qual is not None and qual in constructors:
                        return Instance(qual, _STAND_IN, True, False)
                return None
        qual = self.project_name(node)
        if qual is None:
            # self.attr of a class of this module, set from a project call in another method
            if isinstance(node, cst.Attribute):
                owner = self.project_name(node)
                if owner is not None:
                    return self._borrowed(self.project.values(owner, constructors))
            return None
        return self._borrowed(self.project.values(qual, constructors))

    def annotation_name(self, node: cst.BaseExpression, _depth: int = 0) -> str | None:
        """The class an annotation names: ``X``, ``Optional[X]``, ``X | None``, ``"X"``."""
        if _depth > 3:
            return None
        if isinstance(node, cst.SimpleString):
            try:
                value = node.evaluated_value
                inner = cst.parse_expression(value if isinstance(value, str) else value.decode())
            except Exception:  # noqa: BLE001 - any unparsable annotation names nothing
                return None
            return self.annotation_name(inner, _depth + 1)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            sides = [s for s in (node.left, node.right) if not (isinstance(s, cst.Name) and s.value == "None")]
            return self.annotation_name(sides[0], _depth + 1) if len(sides) == 1 else None
        if isinstance(node, cst.Subscript):
            outer = self.qualname(node.value)
            if outer in ("typing.Optional", "typing_extensions.Optional") and len(node.slice) == 1:
                element = node.slice[0].slice
                if isinstance(element, cst.Index):
                    return self.annotation_name(element.value, _depth + 1)
            return None
        return self.qualname(node)

    def _borrowed(self, value) -> Instance | None:
        if value is None:
            return None
        text = value.text
        call = _parsed_call(text) if text else None
        if call is None:
            return Instance(value.qual, _STAND_IN, True, False)
        return Instance(value.qual, call, True, True)

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


# An instance known only by its type: no constructor arguments to read.
_STAND_IN = later(lambda: cst.Call(func=cst.Name("_")))


@lru_cache(maxsize=4096)
def _parsed_call(text: str) -> cst.Call | None:
    """A constructor call from another module, parsed from its text (its arguments are read, never its position)."""
    try:
        node = cst.parse_expression(text)
    except Exception:  # noqa: BLE001 - a segment that does not parse alone is just unknown
        return None
    if isinstance(node, cst.Await):
        node = node.expression
    return node if isinstance(node, cst.Call) else None


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
