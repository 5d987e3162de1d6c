"""Which functions serve a web request: the shared request-handler detector.

REL601 (in-process state) and REL102 (hard dependency) ask the same question
about the function a statement sits in, so the answer is computed once per
``FunctionDef`` per file and cached here. A function is a handler when:

1. a decorator is a route method of an object the file builds with a
   framework constructor (``app = Flask(__name__)``, ``router = APIRouter()``,
   ``routes = web.RouteTableDef()``, ``bp = Blueprint(...)``, ``app = Sanic(...)``,
   ``app = Bottle()``), through the engine's tracked instances;
2. a decorator is imported from a framework (``bottle.route``, ``litestar.get``,
   ``pyramid.view.view_config``, DRF ``api_view``/``action``, Django's
   ``require_http_methods`` and friends);
3. it is a method with a handler name (``get``, ``post``, ...) of a class
   deriving, through imports or same-file classes, from a framework view base
   (Django ``View`` and generic views, DRF ``APIView``/generics/``ViewSet``,
   Flask/Quart ``MethodView``/``View``, Starlette ``HTTPEndpoint``/
   ``WebSocketEndpoint``, aiohttp ``web.View``, Tornado ``RequestHandler``/
   ``WebSocketHandler``, Sanic ``HTTPMethodView``);
4. it is a Falcon responder: a method ``on_<method>[_<suffix>]`` or
   ``on_request`` taking ``(self, req, resp, ...)`` in a module importing falcon;
5. it is a module-level function whose first parameter is ``request`` in a
   module named ``views.py`` or under a ``views/`` package (Django);
6. the same file registers it by name: ``Route("/", endpoint)``,
   ``app.add_url_rule(..., view_func=f)``, ``app.add_api_route``,
   ``app.add_route``, aiohttp ``web.get("/", f)`` and ``app.router.add_get``,
   Pyramid ``config.add_view(f)``, Django ``path("", f)``.

Only the function's own body counts as the handler: code in a nested ``def``
or ``lambda`` may run after the request (a callback), so it is not a
handler's direct statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog import frameworks as fw
from rel05_lint.core import args
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Facts, Names

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


@dataclass(frozen=True)
class Handler:
    node: cst.FunctionDef
    framework: str  # top-level module of the marker: "flask", "django", ...

    @property
    def name(self) -> str:
        return self.node.name.value


class _FileState:
    def __init__(self) -> None:
        self.functions: dict[int, Handler | None] = {}
        self.classes: dict[int, frozenset[str]] = {}  # class node -> handler method names
        self.class_framework: dict[int, str] = {}
        self.registered: dict[int, str] | None = None  # def node -> framework
        self.imports_falcon: bool | None = None


def _state(ctx: Context) -> _FileState:
    return ctx.shared("handlers", _FileState)


def is_views_path(path: str) -> bool:
    """A Django views module: ``views.py`` or any module under a ``views/`` package."""
    parts = path.replace("\\", "/").split("/")
    return parts[-1] == "views.py" or "views" in parts[:-1]


# Every marker below resolves one of these names (a same-file base class ends
# in one), except Falcon responders (falcon imported) and Django views paths.
_MARKERS = Names(
    fw.ROUTE_DECORATORS, fw.ROUTE_OBJECTS, fw.VIEW_BASES, fw.REGISTER_FUNCTIONS, fw.REGISTER_METHODS, fw.AIOHTTP_APPS
)


def survey_handlers(facts: Facts) -> bool:
    """Where the review report may find a handler: a views path or a framework named."""
    return is_views_path(facts.path) or any(m in facts.text for m in fw.FRAMEWORK_MODULES)


def handlers_possible(facts: Facts) -> bool:
    """Sharper, from the file's imports (rel05_lint/prefilter.py): a marker must resolve."""
    return is_views_path(facts.path) or "falcon" in facts.imports or _MARKERS.found_in(facts)


def enclosing_handler(ctx: Context) -> Handler | None:
    """The handler whose own body holds the node being visited, if any."""
    stack = ctx.stack
    for i in range(len(stack) - 2, -1, -1):
        node = stack[i]
        if isinstance(node, cst.FunctionDef):
            if stack[i + 1] is node.body:
                return handler_of(ctx, node)
            continue  # a decorator or default: evaluated in the enclosing scope
        if isinstance(node, (cst.Lambda, cst.ClassDef)):
            return None
    return None


def handler_of(ctx: Context, fn: cst.FunctionDef) -> Handler | None:
    """Whether ``fn`` serves a web request (cached per file and node)."""
    state = _state(ctx)
    key = id(fn)
    if key in state.functions:
        return state.functions[key]
    scopes = ctx.scopes
    scope = scopes.scope_of(fn)
    result = None
    if scope is not None and scope.parent is not None:
        saved = scopes.current
        scopes.current = scope.parent  # decorators and bases resolve where they are written
        try:
            result = _detect(ctx, state, fn, scope.parent)
        finally:
            scopes.current = saved
    state.functions[key] = result
    return result


def _detect(ctx: Context, state: _FileState, fn: cst.FunctionDef, outer) -> Handler | None:
    for dec in fn.decorators:
        framework = _route_decorator(ctx, dec.decorator)
        if framework:
            return Handler(fn, framework)
    name = fn.name.value
    if outer.kind == "class":
        cls = outer.node
        if name in _view_methods(ctx, state, cls, 0):
            return Handler(fn, state.class_framework.get(id(cls), "django"))
        if _is_falcon_responder(ctx, state, fn):
            return Handler(fn, "falcon")
    if outer is ctx.scopes.module_scope and is_views_path(ctx.path) and _first_param(fn) == "request":
        return Handler(fn, "django")
    framework = _registered(ctx, state).get(id(fn))
    if framework:
        return Handler(fn, framework)
    return None


def _route_decorator(ctx: Context, expr: cst.BaseExpression) -> str | None:
    func = expr.func if isinstance(expr, cst.Call) else expr
    qual = ctx.qualname(func)
    if qual in fw.ROUTE_DECORATORS:
        return qual.split(".")[0]
    if isinstance(func, cst.Attribute):
        inst = ctx.instance(func.value, fw.ROUTE_OBJECTS)
        if inst is not None and func.attr.value in fw.ROUTE_OBJECTS[inst.qualname]:
            return inst.qualname.split(".")[0]
    return None


def _view_methods(ctx: Context, state: _FileState, cls: cst.ClassDef, depth: int) -> frozenset[str]:
    """Handler method names a class gets from its framework bases."""
    key = id(cls)
    cached = state.classes.get(key)
    if cached is not None:
        return cached
    state.classes[key] = frozenset()  # a cycle resolves to nothing
    names: set[str] = set()
    scopes = ctx.scopes
    cls_scope = scopes.scope_of(cls)
    saved = scopes.current
    if cls_scope is not None and cls_scope.parent is not None:
        scopes.current = cls_scope.parent
    try:
        for base in cls.bases:
            if base.keyword is not None:
                continue
            qual = ctx.qualname(base.value)
            if qual in fw.VIEW_BASES:
                names |= fw.VIEW_BASES[qual]
                state.class_framework.setdefault(key, qual.split(".")[0])
                continue
            parent = _same_file_class(ctx, base.value)
            if parent is not None and depth < 8:
                inherited = _view_methods(ctx, state, parent, depth + 1)
                if inherited:
                    names |= inherited
                    state.class_framework.setdefault(key, state.class_framework.get(id(parent), "django"))
    finally:
        scopes.current = saved
    result = frozenset(names)
    state.classes[key] = result
    return result


def _same_file_class(ctx: Context, expr: cst.BaseExpression) -> cst.ClassDef | None:
    if not isinstance(expr, cst.Name):
        return None
    found = ctx.scopes.lookup(expr.value)
    if found is None:
        return None
    bindings, _ = found
    node = bindings[0].node
    if len(bindings) == 1 and bindings[0].kind == "class" and isinstance(node, cst.ClassDef):
        return node
    return None


def _is_falcon_responder(ctx: Context, state: _FileState, fn: cst.FunctionDef) -> bool:
    name = fn.name.value
    if not name.startswith("on_"):
        return False
    rest = name[3:]
    if rest != "request" and not any(rest == m or rest.startswith(m + "_") for m in fw.FALCON_METHODS):
        return False
    params = [*fn.params.posonly_params, *fn.params.params]
    if len(params) < 3:  # (self, req, resp)
        return False
    if state.imports_falcon is None:
        state.imports_falcon = any(
            b.kind == "import" and b.qualname is not None and b.qualname.split(".")[0] == "falcon"
            for bindings in ctx.scopes.module_scope.bindings.values()
            for b in bindings
        )
    return state.imports_falcon


def _first_param(fn: cst.FunctionDef) -> str | None:
    params = [*fn.params.posonly_params, *fn.params.params]
    return params[0].name.value if params else None


# --- endpoints registered by a call in the same file -------------------------


def _registered(ctx: Context, state: _FileState) -> dict[int, str]:
    if state.registered is None:
        state.registered = {}
        scopes = ctx.scopes
        saved = scopes.current
        try:
            _scan_block(ctx, state.registered, ctx.module.body, scopes.module_scope)
        finally:
            scopes.current = saved
    return state.registered


def _scan_block(ctx: Context, out: dict[int, str], body, scope) -> None:
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        body = body.body
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                value = getattr(small, "value", None)
                if isinstance(value, cst.BaseExpression):
                    ctx.scopes.current = scope
                    for call in _calls(value):
                        _register(ctx, out, call, scope)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            inner = ctx.scopes.scope_of(stmt)
            if inner is not None:
                _scan_block(ctx, out, stmt.body, inner)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                _scan_block(ctx, out, case.body, scope)
        elif isinstance(stmt, cst.BaseCompoundStatement):
            for block in _blocks(stmt):
                _scan_block(ctx, out, block, scope)


def _blocks(stmt: cst.BaseCompoundStatement):
    yield stmt.body
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    orelse = getattr(stmt, "orelse", None)
    while orelse is not None:
        yield orelse.body
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    final = getattr(stmt, "finalbody", None)
    if final is not None:
        yield final.body


def _calls(expr: cst.BaseExpression):
    """Calls in an expression, through call arguments and container displays."""
    todo = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, cst.Call):
            yield node
            todo.append(node.func)
            todo.extend(a.value for a in node.args)
        elif isinstance(node, cst.Attribute):
            todo.append(node.value)
        elif isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            todo.extend(e.value for e in node.elements)
        elif isinstance(node, cst.Await):
            todo.append(node.expression)


def _register(ctx: Context, out: dict[int, str], call: cst.Call, scope) -> None:
    spec, framework = None, None
    func = call.func
    qual = ctx.qualname(func)
    if qual in fw.REGISTER_FUNCTIONS:
        spec, framework = fw.REGISTER_FUNCTIONS[qual], qual.split(".")[0]
    elif isinstance(func, cst.Attribute):
        method = func.attr.value
        inst = ctx.instance(func.value, fw.REGISTER_METHODS)
        if inst is not None and method in fw.REGISTER_METHODS[inst.qualname]:
            spec, framework = fw.REGISTER_METHODS[inst.qualname][method], inst.qualname.split(".")[0]
        elif (
            method in fw.AIOHTTP_ROUTER_METHODS
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "router"
            and ctx.instance(func.value.value, fw.AIOHTTP_APPS) is not None
        ):
            spec, framework = fw.AIOHTTP_ROUTER_METHODS[method], "aiohttp"
    if spec is None:
        return
    endpoint = args.find(call, spec)
    if not isinstance(endpoint, cst.Name):
        return
    found = ctx.scopes.lookup(endpoint.value, scope)
    if found is None:
        return
    for binding in found[0]:
        if binding.kind == "def" and framework is not None:
            out[id(binding.node)] = framework
