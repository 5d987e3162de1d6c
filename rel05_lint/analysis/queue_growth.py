"""Can this queue grow with load? (edition 2, E4; used by REL401)

A queue without a bound is only a risk when something can keep adding to
it: it is shared (module-level, class or instance attribute), handed to
other code (passed, returned, stored, captured by a nested function), or
filled in a loop over input. Not growing, so exempt:
- a local queue with no ``put`` in a loop over input and not handed on;
- a pool: every ``put`` is in a loop over a fixed count or puts back an item
  taken from the same queue;
- every ``put`` made while a semaphore is held (``with``/``async with``) or
  after one is acquired in the same function;
- a queue used only as a value: no queue method called on it in the module,
  never handed to other code except value-only builtins (``pickle.dumps``...).

Read on one file's tree; names are matched by spelling within the module
(``self.jobs`` and ``other.jobs`` are the same attribute ``jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog.throttles import SEMAPHORES
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context
    from rel05_lint.core.scope import Scope

PUTS = frozenset({"put", "put_nowait", "send", "send_nowait", "sync_put"})
QUEUE_METHODS = PUTS | frozenset(
    {"get", "get_nowait", "receive", "receive_nowait", "task_done", "join", "qsize", "empty", "full", "close"}
)
_GETS = frozenset({"get", "get_nowait", "receive", "receive_nowait"})
# Calls that read an object as a value and never use it as a queue.
VALUE_ONLY_CALLS = frozenset(
    {"pickle.dumps", "pickle.dump", "copy.copy", "copy.deepcopy", "isinstance", "repr", "str", "id", "type", "print"}
)
_SCOPES = later(lambda: (cst.FunctionDef, cst.ClassDef, cst.Lambda))
_COMPS = later(lambda: (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp))


@dataclass
class _Use:
    node: cst.CSTNode  # the Name or Attribute naming the queue
    stack: list[cst.CSTNode]  # its ancestors, outermost first, itself last


def can_grow(ctx: Context, call: cst.Call) -> bool:
    """True unless ``call`` (a queue constructor, the node being visited) is one
    of E4's queues that cannot grow."""
    stack = ctx.stack
    if len(stack) < 2:
        return True
    parent = stack[-2]
    targets: list[cst.BaseExpression] = []
    if isinstance(parent, cst.Assign) and parent.value is call:
        targets = [t.target for t in parent.targets]
    elif isinstance(parent, cst.AnnAssign) and parent.value is call:
        targets = [parent.target]
    if not targets:
        return True  # returned, passed on, in a container: handed to other code
    owner = _owner(stack)
    for target in targets:
        if isinstance(target, cst.Name) and isinstance(owner, cst.FunctionDef):
            if target.value in _globals(owner) or _local_grows(ctx, owner, target.value):
                return True
        elif isinstance(target, cst.Name) and isinstance(owner, cst.ClassDef):
            if _shared_grows(ctx, target.value, attribute=True, cls=owner):
                return True
        elif isinstance(target, cst.Name):
            # Module-level: another module may import it and put to it (E12),
            # so "used only as a value" does not apply.
            if _shared_grows(ctx, target.value, attribute=False, value_only=False):
                return True
        elif isinstance(target, cst.Attribute):
            cls = next((n for n in reversed(stack) if isinstance(n, cst.ClassDef)), None)
            if _shared_grows(ctx, target.attr.value, attribute=True, cls=cls):
                return True
        else:
            return True
    return False


def _owner(stack: list[cst.CSTNode]) -> cst.CSTNode:
    for node in reversed(stack[:-1]):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Module)):
            return node
    return stack[0]


def _globals(fn: cst.FunctionDef) -> set[str]:
    names: set[str] = set()
    for node in _walk(fn.body, [fn]):
        if isinstance(node[-1], (cst.Global, cst.Nonlocal)):
            names.update(n.name.value for n in node[-1].names)
    return names


def _walk(root: cst.CSTNode, prefix: list[cst.CSTNode], into_scopes: bool = True):
    """Every node under ``root`` with its ancestor stack."""
    todo = [[*prefix, root]]
    while todo:
        stack = todo.pop()
        yield stack
        node = stack[-1]
        if not into_scopes and isinstance(node, _SCOPES) and len(stack) > len(prefix) + 1:
            continue
        todo.extend([*stack, child] for child in reversed(node.children))


# --- a queue local to one function --------------------------------------------


def _local_grows(ctx: Context, fn: cst.FunctionDef, name: str) -> bool:
    puts: list[_Use] = []
    for stack in _walk(fn.body, [fn]):
        node = stack[-1]
        if not isinstance(node, cst.Name):
            continue
        parent = stack[-2]
        if node.value in ("locals", "vars") and isinstance(parent, cst.Call) and parent.func is node:
            return True  # every local is handed on
        if node.value != name:
            continue
        if _nested_scope(stack, fn):
            return True  # captured by a nested function or lambda (a thread target, a callback)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            method = parent.attr.value
            if method in PUTS and _is_method_call(stack):
                puts.append(_Use(node, stack))
            continue
        if _is_target(stack) or _value_only_arg(ctx, stack):
            continue
        return True  # passed, returned, stored or aliased: handed to other code
    return any(_put_grows(ctx, use, name) for use in puts)


def _nested_scope(stack: list[cst.CSTNode], fn: cst.FunctionDef) -> bool:
    start = stack.index(fn) + 1
    return any(isinstance(n, _SCOPES) for n in stack[start:-1])


def _is_method_call(stack: list[cst.CSTNode]) -> bool:
    return len(stack) >= 3 and isinstance(stack[-3], cst.Call) and stack[-3].func is stack[-2]


def _is_target(stack: list[cst.CSTNode]) -> bool:
    """The name being (re)bound or deleted, not read."""
    node, parent = stack[-1], stack[-2]
    if isinstance(parent, cst.AssignTarget) and parent.target is node:
        return True
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is node:
        return True
    return isinstance(parent, cst.Del)


def _value_only_arg(ctx: Context, stack: list[cst.CSTNode]) -> bool:
    if len(stack) < 3 or not isinstance(stack[-2], cst.Arg) or not isinstance(stack[-3], cst.Call):
        return False
    func = stack[-3].func
    qual = ctx.qualname(func)
    if qual is None and isinstance(func, cst.Name) and ctx.scopes.lookup(func.value) is None:
        qual = func.value  # a builtin
    return qual in VALUE_ONLY_CALLS


def _put_grows(ctx: Context, use: _Use, name: str) -> bool:
    if _puts_back(use, name) or _under_semaphore(ctx, use):
        return False
    return _in_growing_loop(ctx, use.stack)


def _in_growing_loop(ctx: Context, stack: list[cst.CSTNode]) -> bool:
    for i in range(len(stack) - 2, -1, -1):
        node, child = stack[i], stack[i + 1]
        if isinstance(node, _SCOPES):
            return False
        if isinstance(node, cst.For) and child is node.body and not fixed_count(ctx, node.iter):
            return True
        if isinstance(node, cst.While) and child is node.body:
            return True
        if isinstance(node, _COMPS) and child is not node.for_in and _comp_grows(ctx, node):
            return True
    return False


def _comp_grows(ctx: Context, comp) -> bool:
    clause = comp.for_in
    while clause is not None:
        if not fixed_count(ctx, clause.iter):
            return True
        clause = clause.inner_for_in
    return False


def fixed_count(ctx: Context, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """A literal collection, ``range()`` over integer literals, or a name bound
    once to one of those: a fixed number of items."""
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return not any(isinstance(el, cst.StarredElement) for el in expr.elements)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "range":
        if ctx.scopes.lookup("range") is not None:
            return False
        return bool(expr.args) and all(not a.star and _int_literal(a.value) for a in expr.args)
    if isinstance(expr, cst.Name) and depth < 3:
        value = ctx.scopes.value_of(expr)
        return value is not None and value is not expr and fixed_count(ctx, value, depth + 1)
    return False


def _int_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        expr = expr.expression
    return isinstance(expr, cst.Integer)


def _puts_back(use: _Use, key: str) -> bool:
    """``q.put(item)`` where ``item`` was taken from the same queue in the same
    function (``item = q.get()``), or ``q.put(q.get())``: a pool's return."""
    call = use.stack[-3]
    assert isinstance(call, cst.Call)
    if not call.args:
        return False
    value = call.args[0].value
    if _is_get_of(value, key):
        return True
    if not isinstance(value, cst.Name):
        return False
    fn = next((n for n in reversed(use.stack) if isinstance(n, cst.FunctionDef)), None)
    if fn is None:
        return False
    for stack in _walk(fn.body, [fn], into_scopes=False):
        node = stack[-1]
        got = None
        if isinstance(node, cst.Assign) and any(
            isinstance(t.target, cst.Name) and t.target.value == value.value for t in node.targets
        ):
            got = node.value
        elif isinstance(node, cst.WithItem) and isinstance(node.asname, cst.AsName):
            target = node.asname.name
            if isinstance(target, cst.Name) and target.value == value.value:
                got = node.item
        if got is not None and _is_get_of(got, key):
            return True
    return False


def _is_get_of(expr: cst.BaseExpression, key: str) -> bool:
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
        return False
    if expr.func.attr.value not in _GETS:
        return False
    return _key(expr.func.value) == key


def _key(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _under_semaphore(ctx: Context, use: _Use) -> bool:
    fn = None
    for node in reversed(use.stack[:-1]):
        if isinstance(node, cst.With) and any(_is_semaphore(ctx, item.item, use.stack) for item in node.items):
            return True
        if isinstance(node, cst.FunctionDef):
            fn = node
            break
    if fn is None:
        return False
    # ``sem.acquire()`` earlier in the same function.
    put_pos = _position(use.stack, fn)
    for stack in _walk(fn.body, [fn], into_scopes=False):
        node = stack[-1]
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "acquire"
            and _is_semaphore(ctx, node.func.value, stack)
            and _position(stack, fn) < put_pos
        ):
            return True
    return False


def _position(stack: list[cst.CSTNode], fn: cst.FunctionDef) -> tuple[int, ...]:
    """Where a node sits in ``fn`` as child indexes (sorts in source order)."""
    start = stack.index(fn)
    path = []
    for parent, child in zip(stack[start:], stack[start + 1 :], strict=False):
        path.append(next(i for i, c in enumerate(parent.children) if c is child))
    return tuple(path)


def _is_semaphore(ctx: Context, expr: cst.BaseExpression, stack: list[cst.CSTNode], depth: int = 0) -> bool:
    if isinstance(expr, cst.Call):
        return ctx.qualname(expr.func) in SEMAPHORES
    scope = _scope_for(ctx, stack)
    bindings = None
    if isinstance(expr, cst.Name):
        found = ctx.scopes.lookup(expr.value, scope)
        bindings = found[0] if found else None
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and scope is not None:
        cls = scope.class_scope if scope.self_name == expr.value.value else None
        if cls is not None:
            bindings = cls.self_attrs.get(expr.attr.value) or cls.bindings.get(expr.attr.value)
    if not bindings or depth > 3:
        return False
    return all(b.kind == "assign" and b.value is not None for b in bindings) and all(
        _is_semaphore(ctx, b.value, stack, depth + 1)  # type: ignore[arg-type]
        for b in bindings
    )


def _scope_for(ctx: Context, stack: list[cst.CSTNode]) -> Scope | None:
    for node in reversed(stack):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Module)):
            scope = ctx.scopes.scope_of(node)
            if scope is not None:
                return scope
    return None


# --- a queue bound to a module-level name or an attribute ----------------------


def _shared_grows(
    ctx: Context, key: str, attribute: bool, value_only: bool = True, cls: cst.ClassDef | None = None
) -> bool:
    uses = ctx.memo(f"queue-growth:{attribute}", ctx.module, lambda c, m: _uses_by_key(c.module, attribute))
    found: list[_Use] = uses.get(key, [])
    if attribute:
        # Another class that sets the same attribute has its own queue.
        found = [u for u in found if _same_owner(u.stack, key, cls)]
    methods = [u for u in found if isinstance(u.stack[-2], cst.Attribute) and u.stack[-2].value is u.node]
    if value_only and not any(cast_attr(u.stack[-2]) in QUEUE_METHODS for u in methods):
        # Used only as a value when never handed on either.
        handed = [u for u in found if u not in methods and not _is_target(u.stack)]
        if all(_value_only_arg(ctx, u.stack) for u in handed):
            return False
    puts = [u for u in methods if cast_attr(u.stack[-2]) in PUTS and _is_method_call(u.stack)]
    if not puts:
        return True  # filled elsewhere (through a parameter, another module)
    # Shared: a put outside a loop still runs once per call of its function, so
    # only a pool (filled over a fixed count, items put back) or a producer
    # holding a semaphore is bounded.
    return not all(_puts_back(u, key) or _under_semaphore(ctx, u) or _in_fixed_loop(ctx, u.stack) for u in puts)


def _in_fixed_loop(ctx: Context, stack: list[cst.CSTNode]) -> bool:
    for i in range(len(stack) - 2, -1, -1):
        node, child = stack[i], stack[i + 1]
        if isinstance(node, _SCOPES):
            return False
        if isinstance(node, cst.For) and child is node.body:
            return fixed_count(ctx, node.iter)
        if isinstance(node, _COMPS) and child is not node.for_in:
            return not _comp_grows(ctx, node)
    return False


def _same_owner(stack: list[cst.CSTNode], key: str, cls: cst.ClassDef | None) -> bool:
    other = next((n for n in reversed(stack) if isinstance(n, cst.ClassDef)), None)
    return other is None or other is cls or not _sets_attribute(other, key)


def _sets_attribute(cls: cst.ClassDef, key: str) -> bool:
    for stack in _walk(cls.body, [cls]):
        node = stack[-1]
        if isinstance(node, cst.AssignTarget):
            target = node.target
            if isinstance(target, cst.Attribute) and target.attr.value == key:
                return True
            if isinstance(target, cst.Name) and target.value == key and stack[-3] in cls.body.body:
                return True
    return False


def cast_attr(node: cst.CSTNode) -> str:
    return node.attr.value if isinstance(node, cst.Attribute) else ""


def _uses_by_key(module: cst.Module, attribute: bool) -> dict[str, list[_Use]]:
    """Every ``x.key`` (attribute) or bare ``key`` (name) in the module, with ancestors."""
    uses: dict[str, list[_Use]] = {}
    for stack in _walk(module, []):
        node = stack[-1]
        if attribute and isinstance(node, cst.Attribute):
            uses.setdefault(node.attr.value, []).append(_Use(node, stack))
        elif not attribute and isinstance(node, cst.Name):
            parent = stack[-2] if len(stack) > 1 else None
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            uses.setdefault(node.value, []).append(_Use(node, stack))
    return uses
