"""REL101 breaker-without-fallback. Page: rules/REL101.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.catalog import breakers, errors
from rel05_lint.core import args
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule
from rel05_lint.core.scope import Scope, function_def
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

BREAKER = Kind("breaker", "BP01", "circuit breakers and calls through them", "with a fallback", headline=True)


class BreakerWithoutFallback(Rule):
    code = "REL101"
    name = "breaker-without-fallback"
    best_practice = "BP01"
    summary = "A circuit breaker whose open state raises to a caller that does not handle it"
    counts = (BREAKER,)
    survey_words = ("circuitbreaker", "pybreaker", "aiobreaker")
    needs = Names(breakers.CIRCUIT_DECORATORS, breakers.CIRCUIT_CLASSES, breakers.BREAKERS)

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        # def node -> (library, breaker spelling) for functions decorated with @breaker
        self._guarded_defs: dict[int, tuple[str, str]] = {}
        self._collect(ctx.module.body)

    # --- circuitbreaker: the fallback must be declared -------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        for dec in node.decorators:
            # bare @circuit: never a fallback (the called form is seen by visit_Call)
            if self.ctx.qualname(dec.decorator) in breakers.CIRCUIT_DECORATORS:
                self.count(BREAKER, False, dec)
                self._no_fallback(dec, "`@circuit`")

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        if qual in breakers.CIRCUIT_DECORATORS or qual in breakers.CIRCUIT_CLASSES:
            has_fallback = self._has_fallback(node, qual in breakers.CIRCUIT_DECORATORS)
            self.count(BREAKER, has_fallback, node)
            if not has_fallback:
                parent = self._parent()
                where = parent if isinstance(parent, cst.Decorator) else node
                self._no_fallback(where, f"`{self.ctx.code(node.func)}(...)`")
            return
        self._guarded_call(node)

    def _has_fallback(self, call: cst.Call, is_decorator_factory: bool) -> bool:
        value = args.find(call, breakers.FALLBACK, self.ctx)
        if value is args.UNKNOWN:
            return True
        if value is not None and not args.is_none(value):
            return True
        if is_decorator_factory:
            cls = args.find(call, breakers.CIRCUIT_CLS, self.ctx)
            if cls is args.UNKNOWN:
                return True
            if isinstance(cls, cst.Name) and self._class_sets_fallback(cls):
                return True
        return False

    def _class_sets_fallback(self, name: cst.Name) -> bool:
        """``cls=MyBreaker`` where the same file's MyBreaker sets FALLBACK_FUNCTION."""
        found = self.ctx.scopes.lookup(name.value)
        if found is None or len(found[0]) != 1 or found[0][0].kind != "class":
            return False
        cls_node = found[0][0].node
        cls_scope = self.ctx.scopes.scope_of(cls_node) if cls_node is not None else None
        if cls_scope is None:
            return False
        bindings = cls_scope.bindings.get(breakers.FALLBACK_ATTRIBUTE, [])
        return any(b.kind == "def" or (b.value is not None and not args.is_none(b.value)) for b in bindings)

    def _no_fallback(self, node: cst.CSTNode, spelling: str) -> None:
        self.report(
            node,
            f"{spelling} has no `fallback_function`: once the circuit opens, every call raises "
            "`CircuitBreakerError` and the caller fails instead of degrading; pass "
            "`fallback_function=` returning a cached, partial or default answer",
        )

    # --- pybreaker / aiobreaker: the caller must catch the open error ----------
    def _collect(self, body) -> None:
        """Functions and methods decorated with ``@breaker`` (a tracked breaker instance)."""
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                for dec in stmt.decorators:
                    inst = self.ctx.instance(dec.decorator, breakers.BREAKERS)
                    if inst is not None:
                        spelling = self.ctx.code(dec.decorator)
                        self._guarded_defs[id(stmt)] = (breakers.BREAKERS[inst.qualname], spelling)
            elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
                self._collect(stmt.body.body)

    def _guarded_call(self, node: cst.Call) -> None:
        func = node.func
        found = None
        if isinstance(func, cst.Attribute) and func.attr.value in breakers.GUARDED_METHODS:
            inst = self.ctx.instance(func.value, breakers.BREAKERS)
            if inst is not None:
                found = (breakers.BREAKERS[inst.qualname], self.ctx.code(func.value))
        if found is None:
            target = self._callee_def(func)
            if target is not None:
                found = self._guarded_defs.get(id(target))
        if found is None:
            return
        library, breaker = found
        guarded = errors.guarded(self.ctx, library)
        self.count(BREAKER, guarded, node)
        if guarded:
            return
        error = breakers.OPEN_ERROR[library]
        self.report(
            node,
            f"`{self.ctx.code(func)}()` goes through {library} breaker `{breaker}` outside any `try` "
            f"that catches `{error}`: once the breaker opens, every call raises and the caller "
            f"fails instead of degrading; catch `{error}` and return a fallback",
        )

    def _callee_def(self, func: cst.BaseExpression) -> cst.FunctionDef | None:
        scopes = self.ctx.scopes
        bindings = None
        if isinstance(func, cst.Name):
            found = scopes.lookup(func.value)
            bindings = found[0] if found else None
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            # self.method(): a method of the enclosing class
            scope: Scope | None = scopes.frame
            while scope is not None and scope.kind == "function" and scope.self_name is None:
                scope = scope.parent
            if scope is not None and scope.self_name == func.value.value and scope.class_scope is not None:
                bindings = scope.class_scope.bindings.get(func.attr.value)
        if bindings and len(bindings) == 1:
            return function_def(bindings[0])
        return None

    def _parent(self) -> cst.CSTNode | None:
        stack = self.ctx.stack
        return stack[-2] if len(stack) > 1 else None
