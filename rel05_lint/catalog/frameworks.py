"""Web framework markers that make a function a request handler (as data).

Names checked against the installed frameworks: Flask 3.1, Quart, FastAPI,
Starlette 1.10, Django 5.2, DRF 3.18, aiohttp 3.14, Tornado 6.6, Sanic,
Falcon 4.4, Pyramid 2.1, Bottle 0.13, Litestar 2. ``rel05_lint/handlers.py``
reads these tables; nothing else here decides anything.
"""

from __future__ import annotations

from rel05_lint.core.args import ArgSpec

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
_VERBS = ("get", "post", "put", "patch", "delete")


def _names(*groups: str) -> frozenset[str]:
    return frozenset(name for group in groups for name in group.split())


# Objects whose methods are route decorators: constructor -> decorator methods.
ROUTE_OBJECTS: dict[str, frozenset[str]] = {}
for _ctor, _methods in (
    (
        "flask.Flask flask.app.Flask flask.Blueprint flask.blueprints.Blueprint",
        "route get post put delete patch endpoint",
    ),
    (
        "quart.Quart quart.app.Quart quart.Blueprint quart.blueprints.Blueprint",
        "route get post put delete patch websocket",
    ),
    (
        "fastapi.FastAPI fastapi.applications.FastAPI fastapi.APIRouter fastapi.routing.APIRouter",
        "get post put patch delete head options trace api_route route websocket websocket_route",
    ),
    # Starlette 0.x only: the decorators were removed in 1.0
    ("starlette.applications.Starlette starlette.routing.Router", "route websocket_route"),
    (
        "aiohttp.web.RouteTableDef aiohttp.web_routedef.RouteTableDef",
        "get post put patch delete head options view route",
    ),
    (
        "sanic.Sanic sanic.app.Sanic sanic.Blueprint sanic.blueprints.Blueprint",
        "route get post put patch delete head options websocket",
    ),
    ("bottle.Bottle", "route get post put delete patch"),
):
    for _name in _ctor.split():
        ROUTE_OBJECTS[_name] = _names(_methods)

# Decorators imported from a framework (bare or called).
ROUTE_DECORATORS: frozenset[str] = frozenset(
    [f"bottle.{n}" for n in ("route", *_VERBS)]
    + [f"litestar.{n}" for n in (*_VERBS, "head", "route", "websocket", "websocket_listener")]
    + [f"litestar.handlers.{n}" for n in (*_VERBS, "head", "route", "websocket", "websocket_listener")]
    + ["pyramid.view.view_config", "rest_framework.decorators.api_view", "rest_framework.decorators.action"]
    + [
        f"django.views.decorators.http.{n}"
        for n in (
            "require_http_methods",
            "require_GET",
            "require_POST",
            "require_safe",
            "condition",
            "etag",
            "last_modified",
        )
    ]
    + [
        f"django.views.decorators.csrf.{n}"
        for n in ("csrf_exempt", "csrf_protect", "ensure_csrf_cookie", "requires_csrf_token")
    ]
    + [f"django.views.decorators.cache.{n}" for n in ("cache_page", "never_cache", "cache_control")]
    + [f"django.contrib.auth.decorators.{n}" for n in ("login_required", "permission_required", "user_passes_test")]
)

# Base classes whose methods of these names serve requests.
_DRF_ACTIONS = "list create retrieve update partial_update destroy"
_HTTP = " ".join(sorted(HTTP_METHODS))
VIEW_BASES: dict[str, frozenset[str]] = {}
for _bases, _methods in (
    (
        "django.views.View django.views.generic.View django.views.generic.base.View "
        "django.views.generic.base.TemplateView django.views.generic.base.RedirectView "
        "django.views.generic.list.ListView django.views.generic.detail.DetailView "
        "django.views.generic.edit.FormView django.views.generic.edit.CreateView "
        "django.views.generic.edit.UpdateView django.views.generic.edit.DeleteView "
        "django.views.generic.dates.ArchiveIndexView django.views.generic.dates.YearArchiveView "
        "django.views.generic.dates.MonthArchiveView django.views.generic.dates.WeekArchiveView "
        "django.views.generic.dates.DayArchiveView django.views.generic.dates.TodayArchiveView "
        "django.views.generic.dates.DateDetailView "
        + " ".join(
            f"django.views.generic.{n}"
            for n in [
                "TemplateView",
                "RedirectView",
                "ListView",
                "DetailView",
                "FormView",
                "CreateView",
                "UpdateView",
                "DeleteView",
                "ArchiveIndexView",
                "YearArchiveView",
                "MonthArchiveView",
                "WeekArchiveView",
                "DayArchiveView",
                "TodayArchiveView",
                "DateDetailView",
            ]
        ),
        _HTTP,
    ),
    (
        "rest_framework.views.APIView "
        + " ".join(
            f"rest_framework.generics.{n}"
            for n in [
                "GenericAPIView",
                "CreateAPIView",
                "ListAPIView",
                "RetrieveAPIView",
                "DestroyAPIView",
                "UpdateAPIView",
                "ListCreateAPIView",
                "RetrieveUpdateAPIView",
                "RetrieveDestroyAPIView",
                "RetrieveUpdateDestroyAPIView",
            ]
        ),
        _HTTP,
    ),
    (
        " ".join(
            f"rest_framework.viewsets.{n}"
            for n in ["ViewSetMixin", "ViewSet", "GenericViewSet", "ReadOnlyModelViewSet", "ModelViewSet"]
        ),
        _HTTP + " " + _DRF_ACTIONS,
    ),
    ("flask.views.MethodView quart.views.MethodView", _HTTP),
    ("flask.views.View quart.views.View", "dispatch_request"),
    ("starlette.endpoints.HTTPEndpoint", _HTTP),
    ("starlette.endpoints.WebSocketEndpoint", "on_connect on_receive on_disconnect"),
    ("aiohttp.web.View aiohttp.web_urldispatcher.View", _HTTP),
    ("tornado.web.RequestHandler", "get head post delete patch put options"),
    ("tornado.websocket.WebSocketHandler", "get head post delete patch put options open on_message"),
    ("sanic.views.HTTPMethodView", _HTTP),
):
    for _name in _bases.split():
        VIEW_BASES[_name] = _names(_methods)

# Falcon responders: on_<method> and on_<method>_<suffix>, plus the catch-all
# on_request. Methods from falcon.constants.COMBINED_METHODS ('-' becomes '_').
FALCON_METHODS = frozenset(
    m.lower().replace("-", "_")
    for m in [
        "CONNECT",
        "DELETE",
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
        "TRACE",
        "CHECKIN",
        "CHECKOUT",
        "COPY",
        "LOCK",
        "MKCOL",
        "MOVE",
        "PROPFIND",
        "PROPPATCH",
        "REPORT",
        "UNCHECKIN",
        "UNLOCK",
        "UPDATE",
        "VERSION-CONTROL",
        "QUERY",
        "WEBSOCKET",
    ]
)

# Registration calls naming an endpoint function: qualified function -> where the endpoint is.
REGISTER_FUNCTIONS: dict[str, ArgSpec] = {
    "starlette.routing.Route": ArgSpec("endpoint", 1),
    "starlette.routing.WebSocketRoute": ArgSpec("endpoint", 1),
    "django.urls.path": ArgSpec("view", 1),
    "django.urls.re_path": ArgSpec("view", 1),
    **{f"aiohttp.web.{m}": ArgSpec("handler", 1) for m in (*_VERBS, "head", "options", "view")},
    "aiohttp.web.route": ArgSpec("handler", 2),
}

# Registration methods on framework objects: constructor -> method -> endpoint.
_APP_ROUTES = {"add_route": ArgSpec("route", 1), "add_websocket_route": ArgSpec("route", 1)}
REGISTER_METHODS: dict[str, dict[str, ArgSpec]] = {
    **{
        c: {"add_url_rule": ArgSpec("view_func", 2)}
        for c in ("flask.Flask", "flask.Blueprint", "quart.Quart", "quart.Blueprint")
    },
    **{
        c: {**_APP_ROUTES, "add_api_route": ArgSpec("endpoint", 1), "add_api_websocket_route": ArgSpec("endpoint", 1)}
        for c in ("fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter")
    },
    **{c: dict(_APP_ROUTES) for c in ("starlette.applications.Starlette", "starlette.routing.Router")},
    "sanic.Sanic": {"add_route": ArgSpec("handler", 0), "add_websocket_route": ArgSpec("handler", 0)},
    "pyramid.config.Configurator": {"add_view": ArgSpec("view", 0)},
}
# aiohttp: app.router.add_get(path, handler), on an aiohttp.web.Application.
AIOHTTP_APPS = frozenset({"aiohttp.web.Application", "aiohttp.web_app.Application"})
AIOHTTP_ROUTER_METHODS: dict[str, ArgSpec] = {
    **{f"add_{m}": ArgSpec("handler", 1) for m in (*_VERBS, "head", "options", "view")},
    "add_route": ArgSpec("handler", 2),
}

# Module names whose presence in a file's text is necessary for any marker above.
FRAMEWORK_MODULES = (
    "flask",
    "quart",
    "fastapi",
    "starlette",
    "django",
    "rest_framework",
    "aiohttp",
    "tornado",
    "sanic",
    "falcon",
    "pyramid",
    "bottle",
    "litestar",
)
