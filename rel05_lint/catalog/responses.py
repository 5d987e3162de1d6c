"""What a request handler answers with, and where the status goes (REL103), as data.

Signatures read from the installed frameworks (Flask 3.1 / Werkzeug, Django
5.2, DRF 3.18, Starlette 1.10 / FastAPI, aiohttp 3.14). ``status`` is where
the HTTP status is passed (None: the form has no status argument, e.g.
``jsonify``, whose status comes from a returned tuple); ``fixed`` is the
status a class implies (``HttpResponseBadRequest`` is 400); ``raises``
marks the exceptions (``HTTPException``, ``abort``), which become the
answer wherever they are raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import later
from rel05_lint.core.prefilter import Names


@dataclass(frozen=True)
class Form:
    status: ArgSpec | None = None
    fixed: int | None = None  # the status the class implies
    raises: bool = False  # an exception (or abort): it becomes the answer wherever it is raised


_STARLETTE = Form(ArgSpec("status_code", 1))
_WERKZEUG = Form(ArgSpec("status", 1))

RESPONSES: dict[str, Form] = {
    # Flask / Quart / Werkzeug
    "flask.jsonify": Form(),
    "flask.json.jsonify": Form(),
    "quart.jsonify": Form(),
    "flask.make_response": Form(ArgSpec("status", 1)),
    "quart.make_response": Form(ArgSpec("status", 1)),
    "flask.Response": _WERKZEUG,
    "flask.wrappers.Response": _WERKZEUG,
    "werkzeug.Response": _WERKZEUG,
    "werkzeug.wrappers.Response": _WERKZEUG,
    "quart.Response": _WERKZEUG,
    "flask.abort": Form(ArgSpec("status", 0), raises=True),
    "quart.abort": Form(ArgSpec("status", 0), raises=True),
    "werkzeug.exceptions.abort": Form(ArgSpec("status", 0), raises=True),
    # Django: HttpResponse(content, content_type, status, ...); JsonResponse(data, ..., **kwargs)
    "django.http.HttpResponse": Form(ArgSpec("status", 2)),
    "django.http.response.HttpResponse": Form(ArgSpec("status", 2)),
    "django.http.JsonResponse": Form(ArgSpec("status")),
    "django.http.response.JsonResponse": Form(ArgSpec("status")),
    # DRF: Response(data, status, template_name, headers, exception, content_type)
    "rest_framework.response.Response": Form(ArgSpec("status", 1)),
    # Starlette / FastAPI: Response(content, status_code, headers, media_type, background)
    **{
        f"{module}.{cls}": _STARLETTE
        for module in ("starlette.responses", "fastapi.responses")
        for cls in ("Response", "JSONResponse", "HTMLResponse", "PlainTextResponse", "ORJSONResponse", "UJSONResponse")
    },
    "fastapi.Response": _STARLETTE,
    # HTTPException(status_code, detail, headers)
    "fastapi.HTTPException": Form(ArgSpec("status_code", 0), raises=True),
    "fastapi.exceptions.HTTPException": Form(ArgSpec("status_code", 0), raises=True),
    "starlette.exceptions.HTTPException": Form(ArgSpec("status_code", 0), raises=True),
    "werkzeug.exceptions.HTTPException": Form(raises=True),
    # aiohttp: json_response(data, *, text, body, status=200, ...), Response(*, body, status=200, ...)
    "aiohttp.web.json_response": Form(ArgSpec("status")),
    "aiohttp.web.Response": Form(ArgSpec("status")),
    "aiohttp.web_response.json_response": Form(ArgSpec("status")),
    "aiohttp.web_response.Response": Form(ArgSpec("status")),
}

# Classes whose name implies the status.
_IMPLIED = {
    "django.http": {
        "HttpResponseBadRequest": 400,
        "HttpResponseNotFound": 404,
        "HttpResponseForbidden": 403,
        "HttpResponseNotAllowed": 405,
        "HttpResponseGone": 410,
        "HttpResponseServerError": 500,
    },
    "werkzeug.exceptions": {
        "BadRequest": 400,
        "Unauthorized": 401,
        "Forbidden": 403,
        "NotFound": 404,
        "Conflict": 409,
        "UnprocessableEntity": 422,
        "InternalServerError": 500,
        "BadGateway": 502,
        "ServiceUnavailable": 503,
    },
    "aiohttp.web": {
        "HTTPBadRequest": 400,
        "HTTPUnauthorized": 401,
        "HTTPForbidden": 403,
        "HTTPNotFound": 404,
        "HTTPConflict": 409,
        "HTTPUnprocessableEntity": 422,
        "HTTPInternalServerError": 500,
        "HTTPBadGateway": 502,
        "HTTPServiceUnavailable": 503,
    },
}
for _module, _classes in _IMPLIED.items():
    for _cls, _code in _classes.items():
        raises = _module != "django.http"  # werkzeug and aiohttp's classes are exceptions
        RESPONSES[f"{_module}.{_cls}"] = Form(fixed=_code, raises=raises)
        if _module == "django.http":
            RESPONSES[f"django.http.response.{_cls}"] = Form(fixed=_code)

# Calls that raise the answer they build.
ABORTS = frozenset({"flask.abort", "quart.abort", "werkzeug.exceptions.abort"})

# The exception text and tracebacks.
TRACEBACK_FORMATTERS = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_exception_only",
        "traceback.format_tb",
        "traceback.format_stack",
    }
)
TEXT_BUILTINS = frozenset({"str", "repr"})

# Status constants: starlette/fastapi/DRF ``status.HTTP_404_NOT_FOUND``; ``HTTPStatus.NOT_FOUND``.
STATUS_CONSTANT = re.compile(r"^HTTP_([1-5][0-9][0-9])(?:_|$)")


def _statuses() -> dict[str, int]:
    import http  # here: its enum costs a clean file's run more than the table is worth

    return {s.name: s.value for s in http.HTTPStatus}


HTTP_STATUS = later(_statuses)  # built with the first tree
STATUS_ENUMS = frozenset({"http.HTTPStatus", "http.client.HTTPStatus"})

# Packages whose exception text is internal (a project's own error classes are
# often written for the caller, and may carry their own status).
LIBRARY_PACKAGES = frozenset(
    {
        "builtins",
        "requests",
        "httpx",
        "httpcore",
        "aiohttp",
        "urllib3",
        "urllib",
        "http",
        "socket",
        "ssl",
        "redis",
        "botocore",
        "boto3",
        "grpc",
        "pymongo",
        "motor",
        "psycopg",
        "psycopg2",
        "pymysql",
        "MySQLdb",
        "sqlalchemy",
        "asyncpg",
        "openai",
        "anthropic",
        "kafka",
        "pika",
        "elasticsearch",
        "websockets",
        "google",
        "azure",
        "kubernetes",
        "docker",
        "paramiko",
        "subprocess",
        "json",
        "pydantic",
        "django",
        "flask",
        "werkzeug",
        "fastapi",
        "starlette",
        "jinja2",
        "yaml",
        "zipfile",
        "os",
        "sqlite3",
    }
)
RESPONSE_NAMES = Names(RESPONSES)
