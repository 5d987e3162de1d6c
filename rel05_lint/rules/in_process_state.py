"""REL601 in-process-state. Page: rules/REL601.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis import request_handlers as handlers
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.core.rule import Context

HANDLER = Kind("handler", "BP06", "request handlers", "without in-process writes", headline=True)

CONTAINER_CALLS = {
    "collections.defaultdict": "defaultdict",
    "collections.OrderedDict": "OrderedDict",
    "collections.Counter": "Counter",
    "collections.deque": "deque",
}
BUILTIN_CONTAINERS = frozenset({"dict", "list", "set"})
_DISPLAYS = later(
    lambda: {
        cst.Dict: "dict",
        cst.DictComp: "dict",
        cst.List: "list",
        cst.ListComp: "list",
        cst.Set: "set",
        cst.SetComp: "set",
    }
)
# Methods that change a dict, list, set, deque or Counter in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "add",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "remove",
        "discard",
        "clear",
        # list and deque extras
        "sort",
        "reverse",
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",
        # Counter, set
        "subtract",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "__setitem__",
        "__delitem__",
    }
)


class InProcessState(Rule):
    code = "REL601"
    name = "in-process-state"
    best_practice = "BP06"
    summary = "A request handler writes module-level state that each worker process keeps apart"
    counts = (HANDLER,)

    def surveys(self, facts: Facts) -> bool:
        return handlers.survey_handlers(facts)

    def relevant(self, facts: Facts) -> bool:
        return handlers.handlers_possible(facts)

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self._reported: set[int] = set()
        # For the review report: every handler, and those that write module state.
        self._handlers: list[cst.FunctionDef] = []
        self._writers: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if handlers.handler_of(self.ctx, node) is not None:
            self._handlers.append(node)

    def finish(self) -> None:
        for fn in self._handlers:
            self.count(HANDLER, id(fn) not in self._writers, fn)

    # --- writes through an item or the container itself ---------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target, node, "assigns")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target, node, "assigns")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target, node, "updates")

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target, node, "deletes")

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in MUTATING_METHODS):
            return
        container = self._container(func.value)
        if container is None:
            return
        handler = handlers.enclosing_handler(self.ctx)
        if handler is None:
            return
        name, kind = container
        self._report(
            self._statement(),
            handler,
            f"calls `.{func.attr.value}()` on module-level {kind} `{name}`",
        )

    def _target(self, target: cst.BaseExpression, stmt: cst.CSTNode, verb: str) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._target(el.value, stmt, verb)
            return
        if isinstance(target, cst.StarredElement):
            self._target(target.value, stmt, verb)
            return
        if isinstance(target, cst.Subscript):
            container = self._container(target.value)
            if container is None:
                return
            handler = handlers.enclosing_handler(self.ctx)
            if handler is not None:
                name, kind = container
                self._report(stmt, handler, f"{verb} an item of module-level {kind} `{name}`")
        elif isinstance(target, cst.Name) and self._declared_global(target.value):
            handler = handlers.enclosing_handler(self.ctx)
            if handler is not None:
                self._report(stmt, handler, f"rebinds module global `{target.value}`")

    # --- helpers --------------------------------------------------------------
    def _container(self, expr: cst.BaseExpression) -> tuple[str, str] | None:
        """(name, kind) when ``expr`` is a module-level container or an item of one."""
        while True:
            if isinstance(expr, cst.Subscript):
                expr = expr.value
            elif (  # CACHE.get(key).append(x) mutates an item too
                isinstance(expr, cst.Call)
                and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value in ("get", "setdefault")
            ):
                expr = expr.func.value
            else:
                break
        if not isinstance(expr, cst.Name):
            return None
        scopes = self.ctx.scopes
        found = scopes.lookup(expr.value)
        if found is None or found[1] is not scopes.module_scope:
            return None  # unknown, or a local/parameter that shadows the module name
        value = scopes.value_of(expr)
        if value is None:
            return None
        kind = self._container_kind(value)
        return (expr.value, kind) if kind else None

    def _container_kind(self, value: cst.BaseExpression) -> str | None:
        for cls, kind in _DISPLAYS.items():
            if isinstance(value, cls):
                return kind
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        scopes = self.ctx.scopes
        if isinstance(func, cst.Name) and func.value in BUILTIN_CONTAINERS:
            if scopes.lookup(func.value, scopes.module_scope) is None:
                return func.value
            return None
        return CONTAINER_CALLS.get(self.ctx.qualname(func) or "")

    def _declared_global(self, name: str) -> bool:
        scope = self.ctx.scopes.frame
        return scope.kind == "function" and name in scope.global_names

    def _statement(self) -> cst.CSTNode:
        for node in self.ctx.ancestors():
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return node
        return self.ctx.stack[-1]

    def _report(self, stmt: cst.CSTNode, handler: handlers.Handler, what: str) -> None:
        self._writers.add(id(handler.node))
        if id(stmt) in self._reported:
            return
        self._reported.add(id(stmt))
        self.report(
            stmt,
            f"request handler `{handler.name}` {what}: every worker process keeps its own copy, "
            "so the write is invisible to requests served by other workers and lost on restart; "
            "keep this state in a shared store (database, cache service) or in the request",
        )
