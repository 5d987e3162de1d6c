"""The shared request-handler detector, framework by framework, and the error table."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from rel05_lint.analysis import request_handlers as handlers
from rel05_lint.catalog import errors
from rel05_lint.core.config import Settings
from rel05_lint.core.rule import Context
from rel05_lint.core.scope import ScopeTracker


def _functions(node: cst.CSTNode):
    if isinstance(node, cst.FunctionDef):
        yield node
    for child in node.children:
        yield from _functions(child)


def detected(source: str, path: str = "app.py") -> set[str]:
    """Names of the functions the detector calls handlers (``Class.method`` for methods)."""
    module = cst.parse_module(textwrap.dedent(source))
    scopes = ScopeTracker(module)
    ctx = Context(module, path, Settings(), scopes, "\n")
    out = set()
    for fn in _functions(module):
        found = handlers.handler_of(ctx, fn)
        if found is not None:
            outer = scopes.scope_of(fn).parent
            prefix = f"{outer.node.name.value}." if outer.kind == "class" else ""
            out.add(prefix + fn.name.value)
    assert scopes.current is scopes.module_scope  # the detector restores the scope it borrows
    return out


CASES = {
    "flask": (
        """
        import flask
        from flask import Blueprint
        from flask.views import MethodView, View
        app = flask.Flask(__name__)
        bp = Blueprint("b", __name__)
        @app.route("/")
        def index(): ...
        @bp.post("/p")
        def post(): ...
        @app.endpoint("named")
        def named(): ...
        def helper(): ...
        def listed(): ...
        app.add_url_rule("/l", view_func=listed)
        class Items(MethodView):
            def get(self): ...
            def load(self): ...
        class Page(View):
            def dispatch_request(self): ...
        def factory():
            inner = flask.Flask(__name__)
            @inner.get("/f")
            def made(): ...
        """,
        {"index", "post", "named", "listed", "Items.get", "Page.dispatch_request", "made"},
    ),
    "quart": (
        """
        from quart import Quart
        from quart.views import MethodView
        app = Quart(__name__)
        @app.websocket("/ws")
        async def ws(): ...
        class V(MethodView):
            async def delete(self): ...
        """,
        {"ws", "V.delete"},
    ),
    "fastapi": (
        """
        from fastapi import APIRouter, FastAPI
        app = FastAPI()
        router = APIRouter()
        @app.get("/")
        async def root(): ...
        @router.api_route("/x", methods=["GET"])
        def api(): ...
        @app.websocket("/ws")
        async def ws(websocket): ...
        def added(): ...
        app.add_api_route("/a", added)
        def not_added(): ...
        """,
        {"root", "api", "ws", "added"},
    ),
    "starlette": (
        """
        from starlette.applications import Starlette
        from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint
        from starlette.routing import Route, WebSocketRoute
        async def home(request): ...
        async def socket(ws): ...
        async def other(request): ...
        class E(HTTPEndpoint):
            async def get(self, request): ...
        class W(WebSocketEndpoint):
            async def on_receive(self, ws, data): ...
        app = Starlette(routes=[Route("/", home), WebSocketRoute("/ws", endpoint=socket)])
        app.add_route("/o", other)
        """,
        {"home", "socket", "other", "E.get", "W.on_receive"},
    ),
    "django": (
        """
        from django.urls import path
        from django.views import generic
        from django.views.decorators.http import require_http_methods
        from rest_framework import viewsets
        from rest_framework.decorators import action, api_view
        from rest_framework.generics import ListAPIView
        def view(request): ...
        @require_http_methods(["GET"])
        def decorated(req): ...
        @api_view(["GET"])
        def drf(req): ...
        def routed(req): ...
        urlpatterns = [path("r/", routed)]
        class Base(generic.ListView): ...
        class Child(Base):
            def get(self, request): ...
            def get_queryset(self): ...
        class L(ListAPIView):
            def post(self, request): ...
        class VS(viewsets.ModelViewSet):
            def partial_update(self, request, pk=None): ...
            @action(detail=False)
            def recent(self, request): ...
        """,
        {"decorated", "drf", "routed", "Child.get", "L.post", "VS.partial_update", "VS.recent"},
    ),
    "aiohttp": (
        """
        from aiohttp import web
        routes = web.RouteTableDef()
        @routes.get("/")
        async def index(request): ...
        @routes.view("/v")
        class V(web.View):
            async def post(self): ...
        async def added(request): ...
        async def listed(request): ...
        app = web.Application()
        app.router.add_get("/a", added)
        app.add_routes([web.post("/l", listed)])
        """,
        {"index", "V.post", "added", "listed"},
    ),
    "tornado": (
        """
        import tornado.web
        import tornado.websocket
        class Base(tornado.web.RequestHandler):
            def helper(self): ...
        class Main(Base):
            def get(self): ...
        class Sock(tornado.websocket.WebSocketHandler):
            def on_message(self, message): ...
        """,
        {"Main.get", "Sock.on_message"},
    ),
    "sanic": (
        """
        from sanic import Sanic
        from sanic.views import HTTPMethodView
        app = Sanic("a")
        @app.get("/")
        async def index(request): ...
        class V(HTTPMethodView):
            async def put(self, request): ...
        """,
        {"index", "V.put"},
    ),
    "falcon": (
        """
        import falcon
        class R:
            def on_get(self, req, resp): ...
            def on_post_item(self, req, resp, item_id): ...
            def on_version_control(self, req, resp): ...
            def on_request(self, req, resp): ...
            def on_change(self, req, resp): ...
            def on_get_short(self): ...
        """,
        {"R.on_get", "R.on_post_item", "R.on_version_control", "R.on_request"},
    ),
    "pyramid": (
        """
        from pyramid.config import Configurator
        from pyramid.view import view_config
        @view_config(route_name="a")
        def a(request): ...
        def b(request): ...
        config = Configurator()
        config.add_view(b, route_name="b")
        """,
        {"a", "b"},
    ),
    "bottle": (
        """
        import bottle
        from bottle import get
        app = bottle.Bottle()
        @get("/")
        def a(): ...
        @bottle.route("/b")
        def b(): ...
        @app.post("/c")
        def c(): ...
        """,
        {"a", "b", "c"},
    ),
    "litestar": (
        """
        import litestar
        from litestar import Controller, get
        @get("/")
        async def a() -> None: ...
        class C(Controller):
            @litestar.post("/b")
            async def b(self) -> None: ...
            def helper(self) -> None: ...
        """,
        {"a", "C.b"},
    ),
}


@pytest.mark.parametrize("framework", sorted(CASES))
def test_handler_shapes(framework):
    source, expected = CASES[framework]
    assert detected(source) == expected


def test_route_decorator_needs_a_framework_object():
    source = """
    from flask import Flask
    from .shared import app as imported_app
    class Cache:
        def get(self, key): ...
    cache = Cache()
    @cache.get("/x")
    def cached(): ...
    @imported_app.route("/y")
    def elsewhere(): ...
    def maybe(flag):
        app = Flask(__name__) if flag else None
        @app.route("/z")
        def conditional(): ...
    """
    assert detected(source) == set()


def test_shadowed_framework_object_is_not_a_route():
    source = """
    from flask import Flask
    app = Flask(__name__)
    def build(app):
        @app.route("/")
        def inner(): ...
    """
    assert detected(source) == set()


def test_django_function_views_by_path():
    source = """
    def index(request): ...
    def helper(value, request): ...
    class K:
        def get(self, request): ...
    def outer(request):
        def nested(request): ...
    """
    assert detected(source, "shop/views.py") == {"index", "outer"}
    assert detected(source, "shop/views/orders.py") == {"index", "outer"}
    assert detected(source, "shop\\views\\orders.py") == {"index", "outer"}
    assert detected(source, "shop/models.py") == set()
    assert detected(source, "shop/myviews.py") == set()


def test_falcon_responders_need_a_falcon_import():
    source = """
    class R:
        def on_get(self, req, resp): ...
    """
    assert detected(source) == set()


def test_results_are_cached_per_function():
    module = cst.parse_module("from flask import Flask\napp = Flask(__name__)\n@app.get('/')\ndef a(): ...\n")
    scopes = ScopeTracker(module)
    ctx = Context(module, "app.py", Settings(), scopes, "\n")
    fn = next(_functions(module))
    first = handlers.handler_of(ctx, fn)
    assert first is not None and first.framework == "flask"
    assert handlers.handler_of(ctx, fn) is first


def test_prefilter_is_path_or_framework_name():
    import ast

    from rel05_lint.core.prefilter import Facts

    def possible(text, path):
        return handlers.handlers_possible(Facts(text, path, ast.parse(text)))

    assert possible("from flask import Flask\napp = Flask(__name__)\n@app.route('/')\ndef f(): pass\n", "a.py")
    assert possible("x = 1", "app/views.py")
    assert not possible("x = 1", "app/models.py")


# --- exception hierarchy facts the REL102/REL101 guard relies on ---------------


@pytest.mark.parametrize(
    ("library", "caught", "guards"),
    [
        ("requests", "builtins.OSError", True),  # RequestException derives from IOError
        ("requests", "builtins.ConnectionError", False),  # requests' ConnectionError is not the builtin
        ("requests", "requests.exceptions.Timeout", True),
        ("requests", "requests.exceptions.HTTPError", False),
        ("httpx", "builtins.OSError", False),  # httpx wraps socket errors in its own classes
        ("httpx", "httpx.TransportError", True),
        ("aiohttp", "builtins.OSError", True),  # ClientConnectorError is an OSError
        ("aiohttp", "builtins.TimeoutError", True),
        ("aiohttp", "aiohttp.client_exceptions.ClientResponseError", False),
        ("redis", "builtins.ConnectionError", False),
        ("redis", "redis.exceptions.RedisError", True),
        ("urllib", "builtins.OSError", True),
        ("socket", "builtins.ConnectionError", True),
        ("grpc", "grpc.RpcError", True),
        ("psycopg2", "psycopg2.Error", True),
        ("psycopg2", "psycopg2.IntegrityError", False),
        ("some-new-library", "builtins.Exception", True),
        ("some-new-library", "builtins.OSError", False),
        ("pybreaker", "pybreaker.CircuitBreakerError", True),
        ("aiobreaker", "pybreaker.CircuitBreakerError", False),
    ],
)
def test_error_table(library, caught, guards):
    assert (caught in errors.catching(library)) is guards


def test_aliases_resolve_to_canonical_classes():
    assert errors.canonical("requests.ConnectionError") == ("requests.exceptions.ConnectionError",)
    assert errors.canonical("socket.timeout") == ("builtins.TimeoutError",)
    assert "builtins.OSError" in errors.canonical("ftplib.all_errors")
    assert errors.canonical("redis.RedisError") == ("redis.exceptions.RedisError",)


def test_every_failure_class_is_in_the_hierarchy():
    for library, classes in errors.FAILURES.items():
        for cls in classes:
            assert cls in errors.BASES, (library, cls)
            assert "builtins.BaseException" in errors.ancestors(cls), (library, cls)
    for spellings in errors.ALIASES.values():
        for cls in spellings:
            assert cls in errors.BASES, cls
