"""Exception hierarchies of remote-dependency libraries, as data.

REL102 asks "does this ``try`` catch what the library raises when its
dependency is down or slow?" and REL101 asks the same about a breaker's
open-circuit error. The answer is a class-hierarchy question, so the
hierarchy lives here: direct bases per class (checked against the installed
packages' ``__mro__``: requests 2.34, httpx 0.28, aiohttp 3.14, redis 8.1,
urllib3 2.8, grpcio 1.85, psycopg2 2.9, psycopg 3, PyMySQL 1.2, pymongo,
botocore, kafka-python, pika, websockets, pybreaker 1.4, aiobreaker 1.2,
circuitbreaker 2.1, CPython 3.11 stdlib), the public spellings of each class,
and per library the errors a failing dependency raises.

A handler guards a call when it catches one of those failure errors or a
base class of one (so ``Exception``, ``OSError`` where the library's errors
derive from it, or the library's own root class). Catching only an
unrelated class, or a sibling such as ``requests.HTTPError`` (raised by
``raise_for_status``, not by a dead peer), does not.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

B = "builtins."

# class -> direct bases (canonical names)
BASES: dict[str, tuple[str, ...]] = {
    # builtins and stdlib
    B + "BaseException": (),
    B + "Exception": (B + "BaseException",),
    B + "OSError": (B + "Exception",),
    B + "EOFError": (B + "Exception",),
    B + "ConnectionError": (B + "OSError",),
    B + "ConnectionRefusedError": (B + "ConnectionError",),
    B + "ConnectionResetError": (B + "ConnectionError",),
    B + "ConnectionAbortedError": (B + "ConnectionError",),
    B + "BrokenPipeError": (B + "ConnectionError",),
    B + "TimeoutError": (B + "OSError",),
    "socket.gaierror": (B + "OSError",),
    "socket.herror": (B + "OSError",),
    "ssl.SSLError": (B + "OSError",),
    "asyncio.exceptions.IncompleteReadError": (B + "EOFError",),
    "http.client.HTTPException": (B + "Exception",),
    "http.client.BadStatusLine": ("http.client.HTTPException",),
    "http.client.RemoteDisconnected": (B + "ConnectionResetError", "http.client.BadStatusLine"),
    "urllib.error.URLError": (B + "OSError",),
    "urllib.error.HTTPError": ("urllib.error.URLError",),
    "smtplib.SMTPException": (B + "OSError",),
    "smtplib.SMTPResponseException": ("smtplib.SMTPException",),
    "smtplib.SMTPConnectError": ("smtplib.SMTPResponseException",),
    "smtplib.SMTPServerDisconnected": ("smtplib.SMTPException",),
    "ftplib.Error": (B + "Exception",),
    "ftplib.error_temp": ("ftplib.Error",),
    "ftplib.error_perm": ("ftplib.Error",),
    "imaplib.IMAP4.error": (B + "Exception",),
    "imaplib.IMAP4.abort": ("imaplib.IMAP4.error",),
    "poplib.error_proto": (B + "Exception",),
    "xmlrpc.client.Error": (B + "Exception",),
    "xmlrpc.client.Fault": ("xmlrpc.client.Error",),
    "xmlrpc.client.ProtocolError": ("xmlrpc.client.Error",),
    # requests: every error is an OSError (RequestException derives from IOError)
    "requests.exceptions.RequestException": (B + "OSError",),
    "requests.exceptions.HTTPError": ("requests.exceptions.RequestException",),
    "requests.exceptions.ConnectionError": ("requests.exceptions.RequestException",),
    "requests.exceptions.Timeout": ("requests.exceptions.RequestException",),
    "requests.exceptions.ConnectTimeout": ("requests.exceptions.ConnectionError", "requests.exceptions.Timeout"),
    "requests.exceptions.ReadTimeout": ("requests.exceptions.Timeout",),
    # httpx: nothing derives from OSError
    "httpx.HTTPError": (B + "Exception",),
    "httpx.HTTPStatusError": ("httpx.HTTPError",),
    "httpx.RequestError": ("httpx.HTTPError",),
    "httpx.TransportError": ("httpx.RequestError",),
    "httpx.TimeoutException": ("httpx.TransportError",),
    "httpx.ConnectTimeout": ("httpx.TimeoutException",),
    "httpx.ReadTimeout": ("httpx.TimeoutException",),
    "httpx.WriteTimeout": ("httpx.TimeoutException",),
    "httpx.PoolTimeout": ("httpx.TimeoutException",),
    "httpx.NetworkError": ("httpx.TransportError",),
    "httpx.ConnectError": ("httpx.NetworkError",),
    "httpx.ReadError": ("httpx.NetworkError",),
    "httpx.WriteError": ("httpx.NetworkError",),
    "httpx.ProtocolError": ("httpx.TransportError",),
    "httpx.RemoteProtocolError": ("httpx.ProtocolError",),
    # aiohttp: ClientError is not an OSError, but its connect and timeout errors are
    "aiohttp.client_exceptions.ClientError": (B + "Exception",),
    "aiohttp.client_exceptions.ClientResponseError": ("aiohttp.client_exceptions.ClientError",),
    "aiohttp.client_exceptions.ClientConnectionError": ("aiohttp.client_exceptions.ClientError",),
    "aiohttp.client_exceptions.ClientOSError": ("aiohttp.client_exceptions.ClientConnectionError", B + "OSError"),
    "aiohttp.client_exceptions.ClientConnectorError": ("aiohttp.client_exceptions.ClientOSError",),
    "aiohttp.client_exceptions.ServerConnectionError": ("aiohttp.client_exceptions.ClientConnectionError",),
    "aiohttp.client_exceptions.ServerDisconnectedError": ("aiohttp.client_exceptions.ServerConnectionError",),
    "aiohttp.client_exceptions.ServerTimeoutError": (
        "aiohttp.client_exceptions.ServerConnectionError",
        B + "TimeoutError",
    ),
    "aiohttp.client_exceptions.ConnectionTimeoutError": ("aiohttp.client_exceptions.ServerTimeoutError",),
    "aiohttp.client_exceptions.SocketTimeoutError": ("aiohttp.client_exceptions.ServerTimeoutError",),
    # redis: its ConnectionError/TimeoutError are NOT the builtin ones
    "redis.exceptions.RedisError": (B + "Exception",),
    "redis.exceptions.ConnectionError": ("redis.exceptions.RedisError",),
    "redis.exceptions.TimeoutError": ("redis.exceptions.RedisError",),
    "redis.exceptions.ResponseError": ("redis.exceptions.RedisError",),
    # urllib3
    "urllib3.exceptions.HTTPError": (B + "Exception",),
    "urllib3.exceptions.PoolError": ("urllib3.exceptions.HTTPError",),
    "urllib3.exceptions.RequestError": ("urllib3.exceptions.PoolError",),
    "urllib3.exceptions.MaxRetryError": ("urllib3.exceptions.RequestError",),
    "urllib3.exceptions.TimeoutError": ("urllib3.exceptions.HTTPError",),
    "urllib3.exceptions.ConnectTimeoutError": ("urllib3.exceptions.TimeoutError",),
    "urllib3.exceptions.NewConnectionError": ("urllib3.exceptions.ConnectTimeoutError", "urllib3.exceptions.HTTPError"),
    "urllib3.exceptions.ReadTimeoutError": ("urllib3.exceptions.TimeoutError", "urllib3.exceptions.RequestError"),
    "urllib3.exceptions.ProtocolError": ("urllib3.exceptions.HTTPError",),
    # grpc: sync stubs raise _InactiveRpcError, grpc.aio stubs AioRpcError
    "grpc.RpcError": (B + "Exception",),
    "grpc._channel._InactiveRpcError": ("grpc.RpcError",),
    "grpc.aio.AioRpcError": ("grpc.RpcError",),
    # DB-API drivers
    "psycopg2.Error": (B + "Exception",),
    "psycopg2.InterfaceError": ("psycopg2.Error",),
    "psycopg2.DatabaseError": ("psycopg2.Error",),
    "psycopg2.OperationalError": ("psycopg2.DatabaseError",),
    "psycopg2.extensions.QueryCanceledError": ("psycopg2.OperationalError",),
    "psycopg.Error": (B + "Exception",),
    "psycopg.InterfaceError": ("psycopg.Error",),
    "psycopg.DatabaseError": ("psycopg.Error",),
    "psycopg.OperationalError": ("psycopg.DatabaseError",),
    "psycopg.errors.ConnectionTimeout": ("psycopg.OperationalError",),
    "pymysql.err.MySQLError": (B + "Exception",),
    "pymysql.err.Error": ("pymysql.err.MySQLError",),
    "pymysql.err.InterfaceError": ("pymysql.err.Error",),
    "pymysql.err.DatabaseError": ("pymysql.err.Error",),
    "pymysql.err.OperationalError": ("pymysql.err.DatabaseError",),
    "pymongo.errors.PyMongoError": (B + "Exception",),
    "pymongo.errors.ConnectionFailure": ("pymongo.errors.PyMongoError",),
    "pymongo.errors.AutoReconnect": ("pymongo.errors.ConnectionFailure",),
    "pymongo.errors.NetworkTimeout": ("pymongo.errors.AutoReconnect",),
    "pymongo.errors.ServerSelectionTimeoutError": ("pymongo.errors.AutoReconnect",),
    "pymongo.errors.OperationFailure": ("pymongo.errors.PyMongoError",),
    "pymongo.errors.ExecutionTimeout": ("pymongo.errors.OperationFailure",),
    # cloud and messaging
    "botocore.exceptions.BotoCoreError": (B + "Exception",),
    "botocore.exceptions.ClientError": (B + "Exception",),
    "botocore.exceptions.ConnectionError": ("botocore.exceptions.BotoCoreError",),
    "botocore.exceptions.EndpointConnectionError": ("botocore.exceptions.ConnectionError",),
    # the timeouts also derive from botocore's vendored requests errors, hence OSError
    "botocore.exceptions.ConnectTimeoutError": ("botocore.exceptions.ConnectionError", B + "OSError"),
    "botocore.exceptions.HTTPClientError": ("botocore.exceptions.BotoCoreError",),
    "botocore.exceptions.ReadTimeoutError": ("botocore.exceptions.HTTPClientError", B + "OSError"),
    "kafka.errors.KafkaError": (B + "Exception",),
    "kafka.errors.RetriableError": ("kafka.errors.KafkaError",),
    "kafka.errors.KafkaTimeoutError": ("kafka.errors.RetriableError",),
    "kafka.errors.InvalidMetadataError": ("kafka.errors.RetriableError",),
    "kafka.errors.KafkaConnectionError": ("kafka.errors.InvalidMetadataError",),
    "pika.exceptions.AMQPError": (B + "Exception",),
    "pika.exceptions.AMQPConnectionError": ("pika.exceptions.AMQPError",),
    "websockets.exceptions.WebSocketException": (B + "Exception",),
    "websockets.exceptions.ConnectionClosed": ("websockets.exceptions.WebSocketException",),
    "websockets.exceptions.InvalidHandshake": ("websockets.exceptions.WebSocketException",),
    # circuit breakers: the open-circuit errors
    "pybreaker.CircuitBreakerError": (B + "Exception",),
    "aiobreaker.state.CircuitBreakerError": (B + "Exception",),
    "circuitbreaker.CircuitBreakerError": (B + "Exception",),
}


def _reexports(public: str, canonical: str, names: str) -> dict[str, tuple[str, ...]]:
    return {f"{public}.{n}": (f"{canonical}.{n}",) for n in names.split()}


# Other spellings of the same class (re-exports and stdlib aliases). A value
# with several members is a tuple constant such as ``ftplib.all_errors``.
ALIASES: dict[str, tuple[str, ...]] = {
    B + "IOError": (B + "OSError",),
    B + "EnvironmentError": (B + "OSError",),
    "socket.error": (B + "OSError",),
    "select.error": (B + "OSError",),
    "socket.timeout": (B + "TimeoutError",),  # an alias since Python 3.10
    # an alias of the builtin since 3.11; aiohttp's timeouts derive from it on every version
    "asyncio.TimeoutError": (B + "TimeoutError",),
    "asyncio.exceptions.TimeoutError": (B + "TimeoutError",),
    "asyncio.IncompleteReadError": ("asyncio.exceptions.IncompleteReadError",),
    "http.client.error": ("http.client.HTTPException",),
    "ftplib.all_errors": ("ftplib.Error", B + "OSError", B + "EOFError", "ssl.SSLError"),
    "imaplib.IMAP4_SSL.error": ("imaplib.IMAP4.error",),
    "imaplib.IMAP4_SSL.abort": ("imaplib.IMAP4.abort",),
    "grpc.aio._call.AioRpcError": ("grpc.aio.AioRpcError",),
    "aiobreaker.CircuitBreakerError": ("aiobreaker.state.CircuitBreakerError",),
    **_reexports(
        "requests",
        "requests.exceptions",
        "RequestException HTTPError ConnectionError Timeout ConnectTimeout ReadTimeout",
    ),
    **_reexports(
        "aiohttp",
        "aiohttp.client_exceptions",
        "ClientError ClientResponseError ClientConnectionError ClientOSError ClientConnectorError "
        "ServerConnectionError ServerDisconnectedError ServerTimeoutError ConnectionTimeoutError SocketTimeoutError",
    ),
    **_reexports(
        "aiohttp.client", "aiohttp.client_exceptions", "ClientError ClientConnectionError ClientConnectorError"
    ),
    **_reexports("redis", "redis.exceptions", "RedisError ConnectionError TimeoutError ResponseError"),
    **_reexports("redis.asyncio", "redis.exceptions", "RedisError ConnectionError TimeoutError"),
    **_reexports("psycopg2.errors", "psycopg2", "Error InterfaceError DatabaseError OperationalError"),
    **_reexports("psycopg.errors", "psycopg", "Error InterfaceError DatabaseError OperationalError"),
    **_reexports("pymysql", "pymysql.err", "MySQLError Error InterfaceError DatabaseError OperationalError"),
    **_reexports("websockets", "websockets.exceptions", "WebSocketException ConnectionClosed InvalidHandshake"),
}

_OS = (B + "ConnectionRefusedError", B + "ConnectionResetError", B + "TimeoutError", "socket.gaierror")

# library (as catalog/remote.py names it) -> errors raised when the dependency
# is unreachable, slow or drops the connection
FAILURES: dict[str, tuple[str, ...]] = {
    "requests": ("requests.exceptions.ConnectTimeout", "requests.exceptions.ReadTimeout"),
    "httpx": (
        "httpx.ConnectError",
        "httpx.ReadError",
        "httpx.WriteError",
        "httpx.RemoteProtocolError",
        "httpx.ConnectTimeout",
        "httpx.ReadTimeout",
        "httpx.WriteTimeout",
        "httpx.PoolTimeout",
    ),
    "aiohttp": (
        "aiohttp.client_exceptions.ClientConnectorError",
        "aiohttp.client_exceptions.ServerDisconnectedError",
        "aiohttp.client_exceptions.ConnectionTimeoutError",
        "aiohttp.client_exceptions.SocketTimeoutError",
    ),
    "redis": ("redis.exceptions.ConnectionError", "redis.exceptions.TimeoutError"),
    "urllib": ("urllib.error.URLError", B + "TimeoutError"),
    "urllib3": (
        "urllib3.exceptions.MaxRetryError",
        "urllib3.exceptions.NewConnectionError",
        "urllib3.exceptions.ReadTimeoutError",
        "urllib3.exceptions.ProtocolError",
    ),
    "http.client": (*_OS, "http.client.RemoteDisconnected"),
    "socket": (*_OS, B + "BrokenPipeError"),
    "smtplib": (*_OS, "smtplib.SMTPConnectError", "smtplib.SMTPServerDisconnected"),
    "ftplib": (*_OS, "ftplib.error_temp", B + "EOFError"),
    "imaplib": (*_OS, "imaplib.IMAP4.abort"),
    "poplib": (*_OS, "poplib.error_proto"),
    "xmlrpc.client": (*_OS, "xmlrpc.client.Fault", "xmlrpc.client.ProtocolError"),
    "asyncio": (*_OS, "asyncio.exceptions.IncompleteReadError"),
    "grpc": ("grpc._channel._InactiveRpcError", "grpc.aio.AioRpcError"),
    "psycopg2": ("psycopg2.OperationalError", "psycopg2.InterfaceError"),
    "psycopg": ("psycopg.errors.ConnectionTimeout", "psycopg.InterfaceError"),
    "pymysql": ("pymysql.err.OperationalError", "pymysql.err.InterfaceError"),
    "pymongo": (
        "pymongo.errors.ServerSelectionTimeoutError",
        "pymongo.errors.NetworkTimeout",
        "pymongo.errors.ExecutionTimeout",
    ),
    "botocore": (
        "botocore.exceptions.EndpointConnectionError",
        "botocore.exceptions.ConnectTimeoutError",
        "botocore.exceptions.ReadTimeoutError",
        "botocore.exceptions.ClientError",
    ),
    "kafka": ("kafka.errors.KafkaTimeoutError", "kafka.errors.KafkaConnectionError"),
    "pika": ("pika.exceptions.AMQPConnectionError",),
    "websockets": (*_OS, "websockets.exceptions.ConnectionClosed", "websockets.exceptions.InvalidHandshake"),
    # open-circuit errors (REL101)
    "pybreaker": ("pybreaker.CircuitBreakerError",),
    "aiobreaker": ("aiobreaker.state.CircuitBreakerError",),
}
FAILURES["boto3"] = FAILURES["botocore"]

# What a handler catches when the library is unknown to this table.
CATCH_ALL = frozenset({B + "Exception", B + "BaseException"})


@cache
def ancestors(cls: str) -> frozenset[str]:
    """``cls`` and every class it derives from."""
    out = {cls}
    for base in BASES.get(cls, ()):
        out |= ancestors(base)
    return frozenset(out)


@cache
def catching(library: str) -> frozenset[str]:
    """Canonical classes whose handler catches at least one failure error of ``library``."""
    failures = FAILURES.get(library)
    if failures is None:
        return CATCH_ALL
    out: set[str] = set()
    for cls in failures:
        out |= ancestors(cls)
    return frozenset(out)


def canonical(qualname: str) -> tuple[str, ...]:
    """Canonical class names a resolved exception spelling stands for."""
    return ALIASES.get(qualname, (qualname,))


# --- reading ``try`` statements ---------------------------------------------


def handler_classes(ctx: Context, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> frozenset[str] | None:
    """Canonical classes an ``except`` clause catches; None for a bare ``except:``."""
    if handler.type is None:
        return None
    return frozenset(_resolve(ctx, handler.type, 0))


def _resolve(ctx: Context, expr: cst.BaseExpression, depth: int) -> set[str]:
    if isinstance(expr, cst.Tuple):
        out: set[str] = set()
        for el in expr.elements:
            out |= _resolve(ctx, el.value, depth)
        return out
    qual = ctx.qualname(expr)
    if qual is None and isinstance(expr, cst.Name):
        scopes = ctx.scopes
        if scopes.lookup(expr.value) is None:
            if not scopes.module_scope.has_star_import:
                qual = B + expr.value  # an unbound name is a builtin
        elif depth < 3:
            # ERRORS = (requests.Timeout, OSError) bound once, then ``except ERRORS:``
            value = scopes.value_of(expr)
            if isinstance(value, cst.Tuple):
                return _resolve(ctx, value, depth + 1)
    if qual is None:
        return set()
    return set(canonical(qual))


def guarded(ctx: Context, library: str) -> bool:
    """Whether the node being visited sits in the body of a ``try`` (inside the
    same function) with a handler that catches a failure error of ``library``,
    or of ``with contextlib.suppress(...)`` / ``pytest.raises(...)`` naming one.

    Handlers, ``else`` and ``finally`` blocks are not guarded by their own try.
    """
    wanted = catching(library)
    stack = ctx.stack
    for i in range(len(stack) - 2, -1, -1):
        node = stack[i]
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(node, (cst.Try, cst.TryStar)) and stack[i + 1] is node.body:
            for handler in node.handlers:
                caught = handler_classes(ctx, handler)
                if caught is None or caught & wanted:
                    return True
        elif isinstance(node, cst.With) and stack[i + 1] is node.body:
            for item in node.items:
                call = item.item
                if isinstance(call, cst.Call) and ctx.qualname(call.func) in SUPPRESSORS:
                    swallowed: set[str] = set()
                    for arg in call.args:
                        if arg.keyword is None and not arg.star:
                            swallowed |= _resolve(ctx, arg.value, 0)
                    if swallowed & wanted:
                        return True
    return False


# Context managers that swallow the exception classes passed to them.
SUPPRESSORS = frozenset({"contextlib.suppress", "pytest.raises"})


def suggestion(library: str) -> str:
    """What to catch, as the message spells it."""
    return SUGGEST.get(library, "the library's errors")


SUGGEST: dict[str, str] = {
    "requests": "`requests.RequestException`",
    "httpx": "`httpx.HTTPError`",
    "aiohttp": "`aiohttp.ClientError` and `asyncio.TimeoutError`",
    "redis": "`redis.RedisError`",
    "urllib": "`urllib.error.URLError` and `TimeoutError`",
    "urllib3": "`urllib3.exceptions.HTTPError`",
    "http.client": "`OSError` and `http.client.HTTPException`",
    "socket": "`OSError`",
    "smtplib": "`OSError` (`smtplib.SMTPException` derives from it)",
    "ftplib": "`ftplib.all_errors`",
    "imaplib": "`OSError` and `imaplib.IMAP4.error`",
    "poplib": "`OSError` and `poplib.error_proto`",
    "xmlrpc.client": "`OSError` and `xmlrpc.client.Error`",
    "asyncio": "`OSError`",
    "grpc": "`grpc.RpcError`",
    "psycopg2": "`psycopg2.Error`",
    "psycopg": "`psycopg.Error`",
    "pymysql": "`pymysql.MySQLError`",
    "pymongo": "`pymongo.errors.PyMongoError`",
    "botocore": "`botocore.exceptions.BotoCoreError` and `ClientError`",
    "boto3": "`botocore.exceptions.BotoCoreError` and `ClientError`",
    "kafka": "`kafka.errors.KafkaError`",
    "pika": "`pika.exceptions.AMQPError`",
    "websockets": "`OSError` and `websockets.exceptions.WebSocketException`",
    "pybreaker": "`pybreaker.CircuitBreakerError`",
    "aiobreaker": "`aiobreaker.CircuitBreakerError`",
}
