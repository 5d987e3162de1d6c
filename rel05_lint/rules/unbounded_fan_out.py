"""REL201 unbounded-fan-out. Page: rules/REL201.md

Reports are held until ``finish``: a semaphore or capacity limiter created
anywhere in the module (even below the fan-out) silences the rule for the file.
Edition 2 (E5): the work started per item must be able to reach a dependency
and not be throttled (analysis/fan_out_work.py), and the input must not be a
fixed count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis.fan_out_work import REMOTE, classify
from rel05_lint.catalog.throttles import ASYNC_THROTTLES
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

FAN_OUT = Kind("fan-out", "BP02", "fan-out sites (a task per input item)", "throttled", headline=True)

SPAWN_FUNCTIONS = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
    }
)
GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})

# Tracked instances whose methods start a task: constructor -> spawning methods.
_LOOPS = ("asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop")
SPAWN_METHODS: dict[str, frozenset[str]] = {
    **{ctor: frozenset({"create_task"}) for ctor in _LOOPS},
    **{f"asyncio.events.{ctor[8:]}": frozenset({"create_task"}) for ctor in _LOOPS},
    "asyncio.TaskGroup": frozenset({"create_task"}),
    "asyncio.taskgroups.TaskGroup": frozenset({"create_task"}),
    # anyio task groups and trio nurseries start tasks with start_soon.
    "anyio.create_task_group": frozenset({"start_soon"}),
    "trio.open_nursery": frozenset({"start_soon"}),
}

THROTTLES = ASYNC_THROTTLES  # catalog/throttles.py

_SCOPE_EDGES = later(lambda: (cst.FunctionDef, cst.Lambda, cst.ClassDef))
_COMPREHENSIONS = later(lambda: (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp))
if TYPE_CHECKING:
    Comprehension = cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
_GROW_METHODS = frozenset({"append", "extend", "insert", "add", "appendleft", "extendleft"})


class UnboundedFanOut(Rule):
    code = "REL201"
    name = "unbounded-fan-out"
    best_practice = "BP02"
    summary = "Tasks started per input item with no concurrency limit"
    fix_applicability = None
    counts = (FAN_OUT,)
    survey_words = ("gather", "create_task", "ensure_future", "start_soon")
    needs = Names(SPAWN_FUNCTIONS, GATHER, SPAWN_METHODS)

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self._pending: list[tuple[cst.CSTNode, str]] = []
        self._throttled = False
        self._filled: dict[tuple[int, str], bool] = {}

    def finish(self) -> None:
        for node, _ in self._pending:
            self.count(FAN_OUT, self._throttled, node)
        if self._throttled:
            return
        for node, message in self._pending:
            self.report(node, message)

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        if qual in THROTTLES:
            self._throttled = True
        elif qual in GATHER:
            self._check_gather(node)
        elif self._is_spawn(node, qual):
            self._check_spawn(node)

    # --- create_task / ensure_future / start_soon in a loop ------------------

    def _is_spawn(self, node: cst.Call, qual: str | None) -> bool:
        if qual in SPAWN_FUNCTIONS:
            return True
        func = node.func
        if not isinstance(func, cst.Attribute):
            return False
        method = func.attr.value
        if method not in ("create_task", "start_soon"):
            return False
        inst = self.ctx.instance(func.value, SPAWN_METHODS)
        return inst is not None and method in SPAWN_METHODS[inst.qualname]

    def _check_spawn(self, node: cst.Call) -> None:
        stack = self.ctx.stack
        if len(stack) >= 2 and isinstance(stack[-2], cst.Await):
            return  # awaited on the spot: one task at a time
        if not self._in_growing_loop(stack, for_only=True):
            return
        if _ends_loop(stack):
            return  # `create_task(...); break`: one task, not one per item
        if node.args and classify(self.ctx, node.args[0].value) != REMOTE:
            return  # E5: local or throttled work
        spelled = self.ctx.code(node.func)
        self._pending.append(
            (
                node,
                f"`{spelled}()` in a loop or comprehension starts one task per item with no limit: a large input "
                "launches them all at once and overloads the dependency they call; throttle with "
                "an `asyncio.Semaphore` (or a `CapacityLimiter`) or a fixed pool of workers",
            )
        )

    def _in_growing_loop(self, stack: list, for_only: bool) -> bool:
        """True when the node on top of ``stack`` runs once per item of a loop over
        a non-constant iterable, within its own function."""
        for i in range(len(stack) - 2, -1, -1):
            node, child = stack[i], stack[i + 1]
            if isinstance(node, _SCOPE_EDGES):
                return False
            if isinstance(node, cst.For) and child is node.body and not self._fixed(node.iter):
                return True
            if isinstance(node, cst.While) and child is node.body and not for_only:
                return True
            if isinstance(node, _COMPREHENSIONS) and _in_element(node, child) and self._comp_grows(node):
                return True
        return False

    # --- gather(*X) ---------------------------------------------------------

    def _check_gather(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.star != "*" or not self._grows(arg.value):
                continue
            if not self._remote_items(arg.value):
                continue  # E5: every item's work is local or throttled
            spelled = self.ctx.code(node.func)
            spread = self.ctx.code(arg.value)
            if len(spread) > 40 or "\n" in spread:
                spread = "..."
            self._pending.append(
                (
                    node,
                    f"`{spelled}(*{spread})` runs one awaitable per input item, "
                    "all at once: a large input opens that many requests together and overloads "
                    "the dependency; bound it with an `asyncio.Semaphore` or gather in fixed-size batches",
                )
            )
            return

    def _grows(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        if isinstance(expr, _COMPREHENSIONS):
            return self._comp_grows(expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and self._builtin(expr.func.value):
            if expr.func.value == "map":
                return any(not self._fixed(a.value) for a in expr.args[1:])
            if expr.func.value in ("list", "tuple") and len(expr.args) == 1:
                return self._grows(expr.args[0].value, depth + 1)
            return False
        if isinstance(expr, cst.Name) and depth < 4:
            found = self.ctx.scopes.lookup(expr.value)
            if found is None:
                return False
            bindings, scope = found
            if any(b.kind == "assign" and b.value is not None and self._grows(b.value, depth + 1) for b in bindings):
                return True
            key = (id(scope.node), expr.value)
            if key not in self._filled:
                self._filled[key] = self._filled_in_loop(scope.node, expr.value)
            return self._filled[key]
        return False

    def _filled_in_loop(self, root: cst.CSTNode, name: str) -> bool:
        """Does ``root``'s own body grow list ``name`` inside a loop (for or while)?"""
        body = root.body if isinstance(root, (cst.FunctionDef, cst.ClassDef)) else root

        def walk(node: cst.CSTNode, looping: bool) -> bool:
            if isinstance(node, _SCOPE_EDGES) and node is not root:
                return False
            if looping and _grows_name(node, name):
                return True
            for child in node.children:
                inner = looping
                if (isinstance(node, cst.For) and child is node.body and not self._fixed(node.iter)) or (
                    isinstance(node, cst.While) and child is node.body
                ):
                    inner = True
                if walk(child, inner):
                    return True
            return False

        return walk(body, False)

    def _remote_items(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        """May the awaitables ``expr`` spreads reach a dependency unthrottled?
        Unknown items count as yes."""
        if isinstance(expr, _COMPREHENSIONS) and not isinstance(expr, cst.DictComp):
            targets = _comp_targets(expr)
            return self._remote_item(expr.elt, targets)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and self._builtin(expr.func.value):
            if expr.func.value == "map" and expr.args:
                return classify(self.ctx, expr.args[0].value) == REMOTE
            if expr.func.value in ("list", "tuple") and len(expr.args) == 1 and depth < 4:
                return self._remote_items(expr.args[0].value, depth + 1)
            return True
        if isinstance(expr, cst.Name) and depth < 4:
            found = self.ctx.scopes.lookup(expr.value)
            if found is None:
                return True
            bindings, scope = found
            values = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
            grown = [v for v in values if self._grows(v, depth + 1)]
            if grown:
                return any(self._remote_items(v, depth + 1) for v in grown)
            added = _grown_values(scope.node, expr.value)
            return not added or any(self._remote_item(v, frozenset()) for v in added)
        return True

    def _remote_item(self, item: cst.BaseExpression, targets: frozenset[str]) -> bool:
        if isinstance(item, cst.Name) and item.value in targets:
            return False  # the items themselves (tasks made elsewhere): no new work here
        if isinstance(item, cst.Call):
            qual = self.ctx.qualname(item.func)
            if qual in SPAWN_FUNCTIONS or (
                isinstance(item.func, cst.Attribute) and item.func.attr.value == "create_task"
            ):
                if not item.args:
                    return True
                item = item.args[0].value
        elif isinstance(item, cst.Name):
            value = self.ctx.scopes.value_of(item)
            if value is None or value is item:
                return True
            return self._remote_item(value, frozenset())
        return classify(self.ctx, item) == REMOTE

    # --- shared -------------------------------------------------------------

    def _comp_grows(self, comp: Comprehension) -> bool:
        clause: cst.CompFor | None = comp.for_in
        while clause is not None:
            if not self._fixed(clause.iter):
                return True
            clause = clause.inner_for_in
        return False

    def _fixed(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        """A fixed count: a literal collection, ``range()`` over constants, a name
        bound once to a literal collection, ``.items()``/``.keys()``/``.values()``
        of one, or ``as_completed``/``wait``/``zip``/``enumerate`` over such (E5)."""
        if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
            return not any(isinstance(el, cst.StarredElement) for el in expr.elements)
        if isinstance(expr, cst.Dict):
            return not any(isinstance(el, cst.StarredDictElement) for el in expr.elements)
        if depth >= 4:
            return False
        if isinstance(expr, cst.Name):
            found = self.ctx.scopes.lookup(expr.value)
            if found is None or len(found[0]) != 1 or found[0][0].kind != "assign":
                return False
            value = found[0][0].value
            return (
                value is not None and isinstance(value, (cst.Tuple, cst.List, cst.Set, cst.Dict)) and self._fixed(value)
            )
        if not isinstance(expr, cst.Call):
            return False
        func = expr.func
        if isinstance(func, cst.Name) and func.value == "range":
            return self._builtin("range") and all(not a.star and self._constant_int(a.value) for a in expr.args)
        if isinstance(func, cst.Name) and func.value in ("zip", "enumerate") and self._builtin(func.value):
            given = [a for a in expr.args if a.keyword is None]
            return bool(given) and all(not a.star and self._fixed(a.value, depth + 1) for a in given)
        if self.ctx.qualname(func) in _FIXED_WRAPPERS and expr.args:
            return not expr.args[0].star and self._fixed(expr.args[0].value, depth + 1)
        if isinstance(func, cst.Attribute) and func.attr.value in ("items", "keys", "values") and not expr.args:
            return self._fixed(func.value, depth + 1)
        return False

    def _constant_int(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Integer):
            return True
        if isinstance(expr, cst.Name):
            return isinstance(self.ctx.scopes.value_of(expr), cst.Integer)
        return False

    def _builtin(self, name: str) -> bool:
        return self.ctx.scopes.lookup(name) is None


_FIXED_WRAPPERS = frozenset(
    {"asyncio.as_completed", "asyncio.wait", "asyncio.tasks.as_completed", "asyncio.tasks.wait"}
)


def _ends_loop(stack: list) -> bool:
    """Is the spawn followed, in its block or an enclosing block of the innermost
    ``for`` body, by an unconditional ``break`` or ``return``? Then the loop starts
    at most one task."""
    for i in range(len(stack) - 1, 0, -1):
        node, parent = stack[i], stack[i - 1]
        if isinstance(parent, (*_SCOPE_EDGES, *_COMPREHENSIONS, cst.While)):
            return False
        if isinstance(parent, cst.For):
            return False  # reached the loop without finding a break
        if isinstance(node, cst.BaseStatement) and isinstance(parent, cst.IndentedBlock):
            body = list(parent.body)
            after = body[body.index(node) + 1 :] if node in body else []
            for stmt in after:
                if isinstance(stmt, cst.SimpleStatementLine) and any(
                    isinstance(small, (cst.Break, cst.Return)) for small in stmt.body
                ):
                    return True
    return False


def _comp_targets(comp: Comprehension) -> frozenset[str]:
    names: set[str] = set()
    clause: cst.CompFor | None = comp.for_in
    while clause is not None:
        names.update(n.value for n in _names_in(clause.target))
        clause = clause.inner_for_in
    return frozenset(names)


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    found: list[cst.Name] = []
    for child in node.children:
        found.extend(_names_in(child))
    return found


def _grown_values(root: cst.CSTNode, name: str) -> list[cst.BaseExpression]:
    """The values ``name.append(v)``/``add(v)``/``insert(i, v)`` adds in ``root``'s own body
    (an ``extend`` or ``+=`` adds values unknown here: the whole list is then unknown)."""
    body = root.body if isinstance(root, (cst.FunctionDef, cst.ClassDef)) else root
    values: list[cst.BaseExpression] = []
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPE_EDGES) and node is not root:
            continue
        if _grows_name(node, name):
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value
                in (
                    "append",
                    "add",
                    "appendleft",
                )
                and len(node.args) == 1
            ):
                values.append(node.args[0].value)
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "insert"
                and len(node.args) == 2
            ):
                values.append(node.args[1].value)
            else:
                return []
        stack.extend(node.children)
    return values


def _in_element(comp: Comprehension, child: cst.CSTNode) -> bool:
    """True when ``child`` is the part of ``comp`` evaluated once per item."""
    if isinstance(comp, cst.DictComp):
        return child is comp.key or child is comp.value
    return child is comp.elt


def _grows_name(node: cst.CSTNode, name: str) -> bool:
    """``name.append(...)``-style calls and ``name += ...``."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        target = node.func.value
        return isinstance(target, cst.Name) and target.value == name and node.func.attr.value in _GROW_METHODS
    if isinstance(node, cst.AugAssign):
        return isinstance(node.target, cst.Name) and node.target.value == name
    return False
