"""Name resolution through imports, and instance tracking, without libcst metadata.

A cheap pre-pass over statements (never expressions) records what each module,
class and function scope binds. The main traversal then follows the scope it
is in, so ``ctx.qualname(node)`` and ``ctx.instance(node, table)`` answer in
constant time. This is all the spec's "resolved name" and "tracked instance"
need, at a fraction of ScopeProvider + QualifiedNameProvider's cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst


@dataclass(frozen=True)
class Instance:
    """A tracked instance: the class it was built from and the constructor call."""

    qualname: str
    call: cst.Call
    # Built in another module or known by annotation (E2): the call is a copy
    # parsed from that module's text, or an empty stand-in when only the type is known.
    borrowed: bool = False
    known_args: bool = True


@dataclass(frozen=True)
class Binding:
    kind: str  # import | typing | assign | with | param | def | class | other | fallback
    qualname: str | None = None  # for imports (and typing: imports only under TYPE_CHECKING)
    value: cst.BaseExpression | None = None  # for assign / with
    node: cst.CSTNode | None = None


def function_def(binding: Binding) -> cst.FunctionDef | None:
    """The function a ``def`` binding names (None for any other binding)."""
    node = binding.node
    return node if binding.kind == "def" and isinstance(node, cst.FunctionDef) else None


@dataclass
class Scope:
    kind: str  # module | class | function
    node: cst.CSTNode
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    self_name: str | None = None  # first parameter of a method
    self_attrs: dict[str, list[Binding]] = field(default_factory=dict)  # class: self.x = ...
    has_star_import: bool = False
    # A lambda or comprehension: binds only its parameters or targets.
    expression: bool = False
    # Names whose dict content a statement of this scope changes (edition 2, E3):
    # ``d[k] = v``, ``del d[k]``, ``d.update(...)``, ``d.setdefault(...)``...
    mutated: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    @property
    def class_scope(self) -> Scope | None:
        return self.parent if self.parent is not None and self.parent.kind == "class" else None


def dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` as text, for Name/Attribute chains only."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


# Dict methods that change its content (E3 makes a spread of such a dict unknown).
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__", "__ior__"})
EXPRESSION_SCOPES = later(lambda: (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp))


def _mutated_name(node: cst.CSTNode | None) -> str | None:
    """``d`` for ``d.update(...)``-like calls and ``d[k]`` targets, else None."""
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _MUTATORS:
            return func.value.value
    elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
        return node.value.value
    return None


def _pattern_names(pattern: cst.CSTNode) -> list[str]:
    """Names a ``case`` pattern captures (``case x``, ``[*rest]``, ``{**kw}``, ``... as y``)."""
    out: list[str] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        for name in (
            getattr(node, "name", None) if isinstance(node, (cst.MatchAs, cst.MatchStar)) else None,
            node.rest if isinstance(node, cst.MatchMapping) else None,
        ):
            if isinstance(name, cst.Name):
                out.append(name.value)
        if not isinstance(node, cst.MatchValue):  # a value pattern's names are read, not bound
            stack.extend(node.children)
    return out


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``: the body never runs."""
    if isinstance(test, cst.Name):
        return test.value == "TYPE_CHECKING"
    return isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for el in target.elements:
            names.extend(_target_names(el.value))
        return names
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


class _Collector:
    """Statement-level pre-pass: fills Scope objects keyed by their node."""

    def __init__(self) -> None:
        self.scopes: dict[int, Scope] = {}
        self._typing_only = False  # inside `if TYPE_CHECKING:`

    def module(self, module: cst.Module, walrus: bool = True) -> Scope:
        scope = Scope("module", module, None)
        self.scopes[id(module)] = scope
        self._block(module.body, scope)
        if walrus:
            self._walrus(module, scope)
        return scope

    def _walrus(self, root: cst.CSTNode, scope: Scope) -> None:
        """``(x := ...)`` binds ``x`` in the enclosing def (through comprehensions)."""
        stack: list[tuple[cst.CSTNode, Scope]] = [(root, scope)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
                where.bind(node.target.value, Binding("other", node=node))
            inner = self.scopes.get(id(node))
            if inner is not None and node is not root:
                where = inner
            stack.extend((child, where) for child in node.children)

    def _block(self, body, scope: Scope) -> None:
        if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            body = body.body
        for stmt in body:
            self._stmt(stmt, scope)

    def _stmt(self, stmt: cst.CSTNode, scope: Scope) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, scope)
        elif isinstance(stmt, cst.FunctionDef):
            scope.bind(stmt.name.value, Binding("def", node=stmt))
            self._function(stmt, scope)
        elif isinstance(stmt, cst.ClassDef):
            scope.bind(stmt.name.value, Binding("class", node=stmt))
            inner = Scope("class", stmt, scope)
            self.scopes[id(stmt)] = inner
            self._block(stmt.body, inner)
        elif isinstance(stmt, (cst.For,)):
            for name in _target_names(stmt.target):
                scope.bind(name, Binding("other", node=stmt))
            self._block(stmt.body, scope)
            if stmt.orelse:
                self._block(stmt.orelse.body, scope)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None:
                    names = _target_names(item.asname.name)
                    direct = isinstance(item.asname.name, cst.Name)
                    for name in names:
                        kind = "with" if direct else "other"
                        scope.bind(name, Binding(kind, value=item.item if direct else None, node=stmt))
                    self._self_attr(item.asname.name, item.item, scope, "with")
            self._block(stmt.body, scope)
        elif isinstance(stmt, cst.If) and _is_type_checking(stmt.test):
            # Imports here exist for type checkers only: not run-time names.
            outer, self._typing_only = self._typing_only, True
            self._block(stmt.body, scope)
            self._typing_only = outer
            if isinstance(stmt.orelse, cst.If):
                self._stmt(stmt.orelse, scope)
            elif stmt.orelse is not None:
                self._block(stmt.orelse.body, scope)
        elif isinstance(stmt, (cst.If, cst.While)):
            self._block(stmt.body, scope)
            orelse = stmt.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    self._block(orelse.body, scope)
                    orelse = orelse.orelse
                else:
                    self._block(orelse.body, scope)
                    orelse = None
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            before = _sizes(scope)
            self._block(stmt.body, scope)
            imported = _imported_since(scope, before)
            for handler in stmt.handlers:
                if handler.name is not None:
                    for name in _target_names(handler.name.name):
                        scope.bind(name, Binding("other", node=handler))
                start = _sizes(scope)
                self._block(handler.body, scope)
                if imported and _catches_import_error(handler):
                    _mark_fallbacks(scope, start, imported)
            if stmt.orelse:
                self._block(stmt.orelse.body, scope)
            if stmt.finalbody:
                self._block(stmt.finalbody.body, scope)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                for name in _pattern_names(case.pattern):
                    scope.bind(name, Binding("other", node=case))
                self._block(case.body, scope)

    def _function(self, fn: cst.FunctionDef, outer: Scope) -> None:
        scope = Scope("function", fn, outer)
        self.scopes[id(fn)] = scope
        params = fn.params
        ordered = [*params.posonly_params, *params.params]
        all_params = [*ordered, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                all_params.append(extra)
        for p in all_params:
            scope.bind(p.name.value, Binding("param", node=p))
        if outer.kind == "class" and ordered and not _is_staticmethod(fn):
            scope.self_name = ordered[0].name.value
        self._block(fn.body, scope)

    def _small(self, small: cst.CSTNode, scope: Scope) -> None:
        self._mutation(small, scope)
        if isinstance(small, cst.Assign):
            single = len(small.targets) == 1
            for t in small.targets:
                target = t.target
                if isinstance(target, cst.Name):
                    kind = "assign" if single else "other"
                    scope.bind(target.value, Binding(kind, value=small.value if single else None, node=small))
                else:
                    for name in _target_names(target):
                        scope.bind(name, Binding("other", node=small))
                    self._self_attr(target, small.value if single else None, scope, "assign")
        elif isinstance(small, cst.AnnAssign):
            if isinstance(small.target, cst.Name):
                if small.value is not None:
                    scope.bind(small.target.value, Binding("assign", value=small.value, node=small))
            else:
                self._self_attr(small.target, small.value, scope, "assign")
        elif isinstance(small, cst.AugAssign):
            for name in _target_names(small.target):
                scope.bind(name, Binding("other", node=small))
        elif isinstance(small, cst.Import):
            kind = "typing" if self._typing_only else "import"
            for alias in small.names:
                full = dotted(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope.bind(alias.asname.name.value, Binding(kind, qualname=full, node=small))
                else:
                    head = full.split(".")[0]
                    scope.bind(head, Binding(kind, qualname=head, node=small))
        elif isinstance(small, cst.ImportFrom):
            module = dotted(small.module) if small.module is not None else None
            base = "." * len(small.relative) + (module or "")
            if isinstance(small.names, cst.ImportStar):
                scope.has_star_import = True
                return
            kind = "typing" if self._typing_only else "import"
            for alias in small.names:
                imported = dotted(alias.name)
                if imported is None:
                    continue
                local = imported
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                qual = f"{base}.{imported}" if base and not base.endswith(".") else f"{base}{imported}"
                scope.bind(local, Binding(kind, qualname=qual, node=small))
        elif isinstance(small, cst.Global):
            scope.global_names.update(n.name.value for n in small.names)

    def _mutation(self, small: cst.CSTNode, scope: Scope) -> None:
        """Record ``d[k] = v``, ``del d[k]``, ``d.update(...)`` (as a statement or a value)."""
        nodes: list[cst.CSTNode | None] = []
        if isinstance(small, cst.Assign):
            nodes = [t.target for t in small.targets] + [small.value]
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            nodes = [small.target, small.value]
        elif isinstance(small, cst.Expr):
            nodes = [small.value]
        elif isinstance(small, cst.Del):
            nodes = [small.target]
            if isinstance(small.target, cst.Tuple):
                nodes = [el.value for el in small.target.elements]
        for node in nodes:
            name = _mutated_name(node)
            if name is not None:
                scope.mutated.add(name)

    def _self_attr(self, target, value, scope: Scope, kind: str) -> None:
        """``self.x = ...`` inside a method binds ``x`` for the whole class."""
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)):
            return
        fn: Scope | None = scope
        while fn is not None and fn.kind == "function" and fn.self_name is None:
            fn = fn.parent if fn.parent is not None and fn.parent.kind == "function" else None
        if fn is None or fn.self_name != target.value.value or fn.class_scope is None:
            return
        binding = Binding(kind if value is not None else "other", value=value, node=target)
        fn.class_scope.self_attrs.setdefault(target.attr.value, []).append(binding)


def _is_staticmethod(fn: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in fn.decorators)


class ScopeTracker:
    """Follows the traversal into and out of scopes and answers name questions."""

    def __init__(self, module: cst.Module, text: str | None = None) -> None:
        collector = _Collector()
        # Walrus targets need a walk over expressions: only where one can be.
        self.module_scope = collector.module(module, walrus=text is None or ":=" in text)
        self._scopes = collector.scopes
        self.current = self.module_scope

    # walker hooks
    def enter(self, node: cst.CSTNode) -> None:
        self.current = self._scopes.get(id(node), self.current)

    def enter_expression(self, node: cst.CSTNode) -> None:
        """A lambda or comprehension: its parameters or targets shadow outer names
        (the scope is built here, when the walk reaches it)."""
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = Scope("function", node, self.current, expression=True)
            if isinstance(node, cst.Lambda):
                params = node.params
                for p in (*params.posonly_params, *params.params, *params.kwonly_params):
                    scope.bind(p.name.value, Binding("param", node=p))
                for extra in (params.star_arg, params.star_kwarg):
                    if isinstance(extra, cst.Param):
                        scope.bind(extra.name.value, Binding("param", node=extra))
            else:
                comp: cst.CompFor | None = node.for_in  # type: ignore[attr-defined]
                while comp is not None:
                    for name in _target_names(comp.target):
                        scope.bind(name, Binding("other", node=comp))
                    comp = comp.inner_for_in
            self._scopes[id(node)] = scope
        self.current = scope

    def exit(self, node: cst.CSTNode) -> None:
        scope = self._scopes.get(id(node))
        if scope is not None and scope.parent is not None:
            self.current = scope.parent

    @property
    def declared_global(self) -> set[str]:
        """Every name some scope of the file declares ``global``."""
        names: set[str] = set()
        for scope in self._scopes.values():
            names |= scope.global_names
        return names

    @property
    def frame(self) -> Scope:
        """The def, class or module the current code runs in (through lambdas and
        comprehensions): where ``self``, ``global`` and statements belong."""
        s = self.current
        while s.expression and s.parent is not None:
            s = s.parent
        return s

    def scope_of(self, node: cst.CSTNode) -> Scope | None:
        return self._scopes.get(id(node))

    # questions
    def lookup(self, name: str, scope: Scope | None = None) -> tuple[list[Binding], Scope] | None:
        start = scope or self.current
        if name in start.global_names:
            start = self.module_scope
        s: Scope | None = start
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            found = s.bindings.get(name)
            if found:
                return found, s
            first = False
            s = s.parent
        return None

    def qualname(self, node: cst.CSTNode) -> str | None:
        """Fully qualified name of a Name/Attribute chain resolved through imports."""
        parts = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        found = self.lookup(node.value)
        if found is None:
            return None
        bindings, _ = found
        # An optional import's fallback (``except ImportError: x = None``) does not hide
        # the import; an import for type checkers only does not exist at run time.
        bindings = [b for b in bindings if b.kind not in ("fallback", "typing")] or bindings
        quals = {b.qualname for b in bindings}
        if len(quals) != 1 or any(b.kind != "import" for b in bindings):
            return None
        (base,) = quals
        if base is None:
            return None
        parts.append(base)
        return ".".join(reversed(parts))

    def value_of(self, node: cst.CSTNode) -> cst.BaseExpression | None:
        """The single expression a name or ``self.attr`` is bound to, if unambiguous."""
        bindings: list[Binding] | None = None
        if isinstance(node, cst.Name):
            found = self.lookup(node.value)
            bindings = found[0] if found else None
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            bindings = self._attr_bindings(node.value.value, node.attr.value)
        if not bindings:
            return None
        if any(b.kind not in ("assign", "with") or b.value is None for b in bindings):
            return None
        first = bindings[0].value
        if len(bindings) > 1:
            code = _code(first)
            if any(_code(b.value) != code for b in bindings[1:]):
                return None
        return first

    def _attr_bindings(self, base: str, attr: str) -> list[Binding] | None:
        s: Scope | None = self.current
        while s is not None and s.expression:
            s = s.parent  # a lambda or comprehension in a method still sees `self`
        while s is not None and s.kind == "function":
            if s.self_name is not None:
                if s.self_name != base or s.class_scope is None:
                    return None
                cls = s.class_scope
                return cls.self_attrs.get(attr) or cls.bindings.get(attr)
            s = s.parent
        return None


def _sizes(scope: Scope) -> dict[str, int]:
    return {name: len(found) for name, found in scope.bindings.items()}


def _imported_since(scope: Scope, before: dict[str, int]) -> frozenset[str]:
    return frozenset(
        name for name, found in scope.bindings.items() if any(b.kind == "import" for b in found[before.get(name, 0) :])
    )


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _catches_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    kind = handler.type
    names = kind.elements if isinstance(kind, cst.Tuple) else [kind] if kind is not None else []
    for el in names:
        value = el.value if isinstance(el, cst.Element) else el
        if isinstance(value, cst.Name) and value.value in _IMPORT_ERRORS:
            return True
    return False


def _mark_fallbacks(scope: Scope, start: dict[str, int], imported: frozenset[str]) -> None:
    """An optional import (``try: import x`` / ``except ImportError: x = None``):
    the handler's rebinding of ``x`` is a fallback, so ``x`` still resolves to
    the import the code is written against."""
    for name in imported:
        found = scope.bindings.get(name, [])
        for i in range(start.get(name, 0), len(found)):
            found[i] = replace(found[i], kind="fallback")


def _code(node: cst.CSTNode | None) -> str:
    return cst.Module(body=[]).code_for_node(node) if node is not None else ""
