"""Calls that take a timeout, as data: qualified name -> where the bound goes.

One table answers three rules. REL501 flags a ``missing`` target called
without its bound; REL502 flags an explicit ``None`` on any target (and the
timeout objects below that set no bound at all); REL504 reads literal values
on all of them. ``catalog/remote.py`` builds its library map from these
tables, so a name is listed once.

Positions are 0-based. ``HTTPSConnection``, ``SMTP_SSL``, ``POP3_SSL``,
``IMAP4_SSL`` and ``FTP_TLS`` take the timeout by position on Python 3.10 and
3.11 and by keyword only from 3.12 (``varies``): an argument at that position
means "present, value unknown" (no finding, no fix that would pass it twice).
Library facts behind each row are in the rule pages (rules/REL501.md,
rules/REL502.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog.sessions import REQUESTS_SESSION
from rel05_lint.core.args import ArgSpec, find, string_value
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Facts, Names
from rel05_lint.core.scope import Instance

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


@dataclass(frozen=True)
class Target:
    library: str
    arg: ArgSpec
    # REL501: without the bound this call waits forever. False for calls that
    # are bounded by default and only go wrong when given None (httpx, redis 8).
    missing: bool = True
    # Other arguments that set the same bound (pymongo: socketTimeoutMS too).
    also: tuple[ArgSpec, ...] = ()
    # 0 switches the bound off as None does (pymongo's "0 or None means unlimited").
    zero_off: bool = False
    # Seconds per unit of the value: 0.001 for the *MS options.
    unit: float = 1
    # A URI argument whose literal query string may carry the bound (pymongo).
    uri: ArgSpec | None = None
    # A client constructor: the call itself does no I/O (remote.py skips it).
    client: bool = False
    # The bound is an object, not a number: the fix is advice, written with
    # "{}" standing for default-timeout (twilio's http_client).
    advice: str | None = None
    # E9: version-dependent defaults, (distribution, major). ``missing_below``:
    # REL501 also when every allowed version is below that major (redis < 8).
    # ``bounded_from``: REL502 drops the item when every allowed version is at
    # or above it (aiohttp 4 makes request timeout=None mean the session's).
    missing_below: tuple[str, int] | None = None
    bounded_from: tuple[str, int] | None = None

    @property
    def args(self) -> tuple[ArgSpec, ...]:
        """Every argument that sets the bound, the preferred one first."""
        return (self.arg, *self.also)


def _t(
    library: str,
    keyword: str = "timeout",
    position: int | None = None,
    missing: bool = True,
    varies: bool = False,
    **kw,
) -> Target:
    return Target(library, ArgSpec(keyword, position, varies), missing, **kw)


HTTP_VERBS = ("request", "get", "options", "head", "post", "put", "patch", "delete")

MONGO_CLIENTS = (
    "pymongo.MongoClient",
    "pymongo.mongo_client.MongoClient",
    "pymongo.AsyncMongoClient",
    "pymongo.asynchronous.mongo_client.AsyncMongoClient",
    "motor.motor_asyncio.AsyncIOMotorClient",
    "motor.motor_tornado.MotorClient",
)

# --- module-level functions and constructors ---------------------------------
FUNCTIONS: dict[str, Target] = {
    # requests: every module function passes **kwargs to Session.request (timeout=None).
    **{f"requests.{v}": _t("requests") for v in HTTP_VERBS},
    **{f"requests.api.{v}": _t("requests") for v in HTTP_VERBS},
    # urlopen(url, data=None, timeout=GLOBAL): GLOBAL is socket.getdefaulttimeout(), None.
    "urllib.request.urlopen": _t("urllib", position=2),
    "http.client.HTTPConnection": _t("http.client", position=2),
    # (host, port, key_file, cert_file, timeout) on 3.10/3.11; keyword-only on 3.12.
    "http.client.HTTPSConnection": _t("http.client", position=4, varies=True),
    "socket.create_connection": _t("socket", position=1),
    "smtplib.SMTP": _t("smtplib", position=3),
    # (host, port, local_hostname, keyfile, certfile, timeout) on 3.10/3.11.
    "smtplib.SMTP_SSL": _t("smtplib", position=5, varies=True),
    # (host, port, local_hostname, source_address, timeout) on every version.
    "smtplib.LMTP": _t("smtplib", position=4),
    "ftplib.FTP": _t("ftplib", position=4),
    # (host, user, passwd, acct, keyfile, certfile, context, timeout) on 3.10/3.11.
    "ftplib.FTP_TLS": _t("ftplib", position=7, varies=True),
    "imaplib.IMAP4": _t("imaplib", position=2),
    # (host, port, keyfile, certfile, ssl_context, timeout) on 3.10/3.11.
    "imaplib.IMAP4_SSL": _t("imaplib", position=5, varies=True),
    "poplib.POP3": _t("poplib", position=2),
    # (host, port, keyfile, certfile, timeout) on 3.10/3.11.
    "poplib.POP3_SSL": _t("poplib", position=4, varies=True),
    # libpq has no compiled-in connect timeout; the DSN may carry it (see dsn_has_connect_timeout).
    "psycopg2.connect": _t("psycopg2", "connect_timeout"),
    # PyMySQL bounds the TCP connect (10 s) but not reads; all its parameters are keyword-only.
    "pymysql.connect": _t("pymysql", "read_timeout"),
    "pymysql.Connect": _t("pymysql", "read_timeout"),
    "pymysql.Connection": _t("pymysql", "read_timeout"),
    "pymysql.connections.Connection": _t("pymysql", "read_timeout"),
    # --- bounded by default: only an explicit None is a problem (REL502) ---
    # urllib3.request() defaults to 3 s; None passes through to the pool and turns it off.
    "urllib3.request": _t("urllib3", missing=False),
    # Pool constructors: the timeout travels with the instance (see INSTANCE_CALLS).
    **{
        name: _t("urllib3", missing=False)
        for name in (
            "urllib3.PoolManager",
            "urllib3.ProxyManager",
            "urllib3.HTTPConnectionPool",
            "urllib3.HTTPSConnectionPool",
            "urllib3.connection_from_url",
            "urllib3.poolmanager.PoolManager",
            "urllib3.poolmanager.ProxyManager",
            "urllib3.connectionpool.HTTPConnectionPool",
            "urllib3.connectionpool.HTTPSConnectionPool",
            "urllib3.connectionpool.connection_from_url",
        )
    },
    # httpx: 5 s everywhere by default; timeout=None turns every phase off.
    **{f"httpx.{v}": _t("httpx", missing=False) for v in (*HTTP_VERBS, "stream")},
    "httpx.Client": _t("httpx", missing=False),
    "httpx.AsyncClient": _t("httpx", missing=False),
    # redis-py 8 defaults to 5 s; an explicit socket_timeout=None blocks on every version.
    # Before 8.0 the default was None: REL501 when the project allows only redis < 8 (E9).
    **{
        name: _t("redis", "socket_timeout", missing=False, client=True, missing_below=("redis", 8))
        for name in (
            "redis.Redis",
            "redis.StrictRedis",
            "redis.from_url",
            "redis.Redis.from_url",
            "redis.StrictRedis.from_url",
            "redis.client.Redis",
            "redis.ConnectionPool",
            "redis.ConnectionPool.from_url",
            "redis.connection.ConnectionPool",
            "redis.asyncio.Redis",
            "redis.asyncio.StrictRedis",
            "redis.asyncio.from_url",
            "redis.asyncio.Redis.from_url",
            "redis.asyncio.client.Redis",
            "redis.asyncio.ConnectionPool",
            "redis.asyncio.ConnectionPool.from_url",
            "redis.asyncio.connection.ConnectionPool",
        )
    },
    # BlockingConnectionPool waits `timeout` (20 s) for a free connection; None waits forever.
    **{
        name: _t("redis", missing=False, client=True)
        for name in (
            "redis.BlockingConnectionPool",
            "redis.connection.BlockingConnectionPool",
            "redis.asyncio.BlockingConnectionPool",
            "redis.asyncio.connection.BlockingConnectionPool",
        )
    },
    # asyncpg: connect has a 60 s connect timeout, but command_timeout (every
    # query) defaults to None. Both take keyword arguments only after the DSN.
    **{
        name: _t("asyncpg", "command_timeout")
        for name in ("asyncpg.connect", "asyncpg.connection.connect", "asyncpg.create_pool", "asyncpg.pool.create_pool")
    },
    # pymongo/motor: socketTimeoutMS and timeoutMS default to None, and 0 also
    # means "no limit"; either bounds socket reads. The host URI may carry them.
    **{
        name: _t(
            "pymongo",
            "timeoutMS",
            also=(ArgSpec("socketTimeoutMS"),),
            zero_off=True,
            unit=0.001,
            uri=ArgSpec("host", 0),
            client=True,
        )
        for name in MONGO_CLIENTS
    },
    # twilio: Client() builds TwilioHttpClient(timeout=None), which hands
    # timeout=None to requests. Client(username, password, account_sid, region, http_client, ...).
    "twilio.rest.Client": _t("twilio", "http_client", 4, client=True, advice="TwilioHttpClient(timeout={})"),
    # TwilioHttpClient(pool_connections, request_hooks, timeout, ...)
    "twilio.http.http_client.TwilioHttpClient": _t("twilio", position=2, client=True),
    # SQLAlchemy waits pool_timeout (30 s) for a pooled connection; None blocks forever.
    **{
        name: _t("sqlalchemy", "pool_timeout", missing=False, client=True)
        for name in (
            "sqlalchemy.create_engine",
            "sqlalchemy.engine.create_engine",
            "sqlalchemy.ext.asyncio.create_async_engine",
        )
    },
    # botocore Config: 60 s connect and read by default; None removes the bound.
    **{
        name: _t("botocore", "connect_timeout", missing=False, also=(ArgSpec("read_timeout"),), client=True)
        for name in ("botocore.config.Config", "botocore.client.Config")
    },
    # setdefaulttimeout(None) makes every new stdlib socket block forever.
    "socket.setdefaulttimeout": _t("socket", position=0, missing=False),
    "asyncio.wait_for": _t("asyncio", position=1, missing=False),
    "asyncio.timeout": _t("asyncio", "delay", position=0, missing=False),
}


@dataclass(frozen=True)
class InstanceCalls:
    """Methods that take a timeout on instances built by ``constructors``."""

    library: str
    constructors: frozenset[str]
    methods: Mapping[str, Target]
    # Where the constructor takes a timeout that covers every call through the
    # instance (urllib3 pools). Given at all (even None: REL502's business),
    # the calls are not REL501.
    ctor_arg: ArgSpec | None = None


URLLIB3_POOLS = frozenset(
    name for name, target in FUNCTIONS.items() if target.library == "urllib3" and name != "urllib3.request"
)
HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
AIOHTTP_SESSIONS = frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"})

SESSION_CALLS = InstanceCalls(
    "requests",
    REQUESTS_SESSION,
    {
        **{v: _t("requests") for v in HTTP_VERBS if v != "request"},
        # Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)
        "request": _t("requests", position=8),
        "send": _t("requests"),
    },
)
OPENER_CALLS = InstanceCalls(
    "urllib",
    frozenset({"urllib.request.build_opener", "urllib.request.OpenerDirector"}),
    {"open": _t("urllib", position=2)},  # open(fullurl, data=None, timeout=GLOBAL)
)
INSTANCE_CALLS: tuple[InstanceCalls, ...] = (
    SESSION_CALLS,
    OPENER_CALLS,
    # Pool timeouts are keyword-only here: HTTPConnectionPool's position moved
    # between urllib3 1.26 (strict=) and 2.x.
    InstanceCalls("urllib3", URLLIB3_POOLS, {"request": _t("urllib3"), "urlopen": _t("urllib3")}, ArgSpec("timeout")),
    InstanceCalls(
        "httpx",
        HTTPX_CLIENTS,
        {m: _t("httpx", missing=False) for m in (*HTTP_VERBS, "stream", "build_request")},
    ),
    # A per-request timeout=None on a session becomes ClientTimeout(total=None):
    # it drops even the session's 300 s. (aiohttp.request(timeout=None) hands
    # None to a temporary ClientSession, which restores the 300 s default.)
    # aiohttp 4 makes a request's timeout=None fall back to the session's (E9).
    InstanceCalls(
        "aiohttp",
        AIOHTTP_SESSIONS,
        {m: _t("aiohttp", missing=False, bounded_from=("aiohttp", 4)) for m in HTTP_VERBS},
    ),
)


class _GrpcStubs:
    """Classes named ``*Stub`` imported from a ``*_pb2_grpc`` module."""

    def __contains__(self, qualname: object) -> bool:
        if not isinstance(qualname, str) or "." not in qualname:
            return False
        module, _, cls = qualname.rpartition(".")
        return cls.endswith("Stub") and module.rsplit(".", 1)[-1].endswith("_pb2_grpc")


GRPC_STUBS = _GrpcStubs()


class _KubernetesApis:
    """The generated ``kubernetes.client`` API classes (``CoreV1Api``, ``BatchV1Api``, ...)."""

    def __contains__(self, qualname: object) -> bool:
        if not isinstance(qualname, str) or not qualname.startswith("kubernetes.client."):
            return False
        cls = qualname.rpartition(".")[2]
        return len(cls) > 3 and cls.endswith("Api") and cls[0].isupper()


KUBERNETES_APIS = _KubernetesApis()
# Every API method takes _request_timeout through **kwargs; without it the
# underlying urllib3 pool waits forever.
KUBERNETES_TARGET = _t("kubernetes", "_request_timeout")
# MultiCallable.__call__/future/with_call(request, timeout=None, metadata=None, ...)
GRPC_TARGET = _t("grpc", position=1)
GRPC_WRAPPERS = ("future", "with_call")
_NOT_RPC = frozenset({"close", "__enter__", "__exit__", "__aenter__", "__aexit__"})

# --- sockets (REL502 settimeout(None)) -----------------------------------------
SOCKET_CONSTRUCTORS = frozenset({"socket.socket", "socket.create_connection", "socket.fromfd", "ssl.wrap_socket"})
SOCKET_PAIRS = frozenset({"socket.socketpair"})  # returns (a, b)
SSL_CONTEXTS = frozenset({"ssl.SSLContext", "ssl.create_default_context", "ssl._create_unverified_context"})
SETTIMEOUT = _t("socket", position=0, missing=False)  # settimeout(value): positional-only

# --- timeout objects: REL502 when they set no bound at all ---------------------


@dataclass(frozen=True)
class TimeoutObject:
    library: str
    fields: tuple[ArgSpec, ...]  # every argument that sets a bound
    # httpx.Timeout() without a default raises unless all four phases are set,
    # so only an explicit None default is a finding there.
    explicit_none: bool = False
    add_on_fix: str | None = None  # the field the fix adds when none is given
    bounded_from: tuple[str, int] | None = None  # as Target.bounded_from


def _fields(*names: str, positional: int) -> tuple[ArgSpec, ...]:
    return tuple(ArgSpec(n, i if i < positional else None) for i, n in enumerate(names))


_AIOHTTP_TIMEOUT = TimeoutObject(
    "aiohttp",
    _fields("total", "connect", "sock_read", "sock_connect", positional=4),
    add_on_fix="total",
    bounded_from=("aiohttp", 4),  # aiohttp 4: ClientTimeout() has a 300 s total
)
_URLLIB3_TIMEOUT = TimeoutObject("urllib3", _fields("total", "connect", "read", positional=3), add_on_fix="total")
_HTTPX_TIMEOUT = TimeoutObject(
    "httpx", _fields("timeout", "connect", "read", "write", "pool", positional=1), explicit_none=True
)
TIMEOUT_OBJECTS: dict[str, TimeoutObject] = {
    "aiohttp.ClientTimeout": _AIOHTTP_TIMEOUT,
    "aiohttp.client.ClientTimeout": _AIOHTTP_TIMEOUT,
    "urllib3.Timeout": _URLLIB3_TIMEOUT,
    "urllib3.util.Timeout": _URLLIB3_TIMEOUT,
    "urllib3.util.timeout.Timeout": _URLLIB3_TIMEOUT,
    "httpx.Timeout": _HTTPX_TIMEOUT,
}

# --- clients left on a long default (REL504) ----------------------------------


@dataclass(frozen=True)
class LongDefault:
    """A client whose default timeout is bounded but long."""

    library: str
    arg: ArgSpec
    seconds: float
    none_is_default: bool  # an explicit None also keeps the default (aiohttp sessions)


_AIOHTTP_SESSION = LongDefault("aiohttp", ArgSpec("timeout"), 300, True)  # ClientTimeout(total=300, sock_connect=30)
_LLM = LongDefault("openai", ArgSpec("timeout"), 600, False)  # 600 s read, 5 s connect; keyword-only
LONG_DEFAULTS: dict[str, LongDefault] = {
    "aiohttp.ClientSession": _AIOHTTP_SESSION,
    "aiohttp.client.ClientSession": _AIOHTTP_SESSION,
    **{f"openai.{c}": _LLM for c in ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI")},
    **{
        f"anthropic.{c}": LongDefault("anthropic", ArgSpec("timeout"), 600, False)
        for c in ("Anthropic", "AsyncAnthropic")
    },
}

# --- local waits (REL503; REL504 reads their literals too) ---------------------
LOCAL_FUNCTIONS: dict[str, ArgSpec] = {
    "subprocess.run": ArgSpec("timeout"),
    "subprocess.call": ArgSpec("timeout"),
    "subprocess.check_call": ArgSpec("timeout"),
    "subprocess.check_output": ArgSpec("timeout"),
    "concurrent.futures.wait": ArgSpec("timeout", 1),
    "concurrent.futures.as_completed": ArgSpec("timeout", 1),
}
POPEN = frozenset({"subprocess.Popen"})
POPEN_METHODS: dict[str, ArgSpec] = {"communicate": ArgSpec("timeout", 1), "wait": ArgSpec("timeout", 0)}
EXECUTORS = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)
FUTURE_RESULT = ArgSpec("timeout", 0)
# Enclosing calls / context managers that put a deadline on asyncio.open_connection.
ASYNC_DEADLINE_CALLS = frozenset({"asyncio.wait_for"})
ASYNC_DEADLINE_CONTEXTS = frozenset({"asyncio.timeout", "asyncio.timeout_at", "async_timeout.timeout"})

# --- resolving a call against the tables -------------------------------------


@dataclass(frozen=True)
class Hit:
    target: Target
    display: str  # how messages name the call, without the parentheses
    key: str  # the catalog entry: a qualified name, or "<constructor>.<method>"
    instance: Instance | None = None
    ctor_arg: ArgSpec | None = None


@dataclass(frozen=True)
class ExtraCalls:
    """``extra-timeout-calls``: by qualified name, and ``Class.method`` by method name."""

    functions: Mapping[str, Target]
    # method -> constructors (the name without its last part) -> target
    methods: Mapping[str, Mapping[str, Target]]


NO_EXTRA = ExtraCalls({}, {})


def extra_table(settings) -> ExtraCalls:
    """``extra-timeout-calls`` from the settings, as targets REL501 enforces.

    An entry is matched as a function (``mylib.fetch``) and, as E8 allows, as
    a method of a class (``mylib.Client.fetch``): instances the constructor
    ``mylib.Client`` builds are tracked and ``fetch`` on them is checked.
    """
    functions: dict[str, Target] = {}
    methods: dict[str, dict[str, Target]] = {}
    for e in settings.extra_timeout_calls:
        target = Target("extra", ArgSpec(e.keyword, e.position))
        functions[e.call] = target
        owner, _, method = e.call.rpartition(".")
        if owner:
            methods.setdefault(method, {})[owner] = target
    return ExtraCalls(functions, methods)


def lookup(ctx: Context, call: cst.Call, extra: ExtraCalls = NO_EXTRA) -> Hit | None:
    """The catalog entry ``call`` hits: a function, a method on a tracked instance, or a socket."""
    func = call.func
    qual = ctx.qualname(func)
    if qual is not None:
        target = extra.functions.get(qual) or FUNCTIONS.get(qual)
        if target is not None:
            return Hit(target, qual, qual)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    owner = func.value
    grpc = _grpc_hit(ctx, func, method, owner)
    if grpc is not None:
        return grpc
    classes = extra.methods.get(method)
    if classes:
        inst = ctx.instance(owner, classes)
        if inst is not None:
            key = f"{inst.qualname}.{method}"
            return Hit(classes[inst.qualname], _display(ctx, func, key), key, inst)
    if not (method in _NOT_RPC or method.startswith("__")):
        api = ctx.instance(owner, KUBERNETES_APIS)
        if api is not None:
            key = f"{api.qualname}.{method}"
            return Hit(KUBERNETES_TARGET, _display(ctx, func, key), key, api)
    for kind in INSTANCE_CALLS:
        target = kind.methods.get(method)
        if target is None:
            continue
        inst = ctx.instance(owner, kind.constructors)
        if inst is not None:
            key = f"{inst.qualname}.{method}"
            return Hit(target, _display(ctx, func, key), key, inst, kind.ctor_arg)
    if method == "settimeout" and is_socket(ctx, owner):
        return Hit(SETTIMEOUT, _display(ctx, func, "socket.settimeout"), "socket.settimeout")
    return None


def _grpc_hit(ctx: Context, func: cst.Attribute, method: str, owner: cst.BaseExpression) -> Hit | None:
    if method in _NOT_RPC or method.startswith("__"):
        return None
    stub = ctx.instance(owner, GRPC_STUBS)
    if stub is None and method in GRPC_WRAPPERS and isinstance(owner, cst.Attribute):
        stub = ctx.instance(owner.value, GRPC_STUBS)
    if stub is None:
        return None
    key = f"{stub.qualname}.{method}"
    return Hit(GRPC_TARGET, _display(ctx, func, key), key, stub)


def _display(ctx: Context, func: cst.BaseExpression, fallback: str) -> str:
    text = ctx.code(func)
    return text if "\n" not in text and len(text) <= 60 else fallback


def is_socket(ctx: Context, node: cst.CSTNode, _depth: int = 0) -> bool:
    """Whether ``node`` is a tracked socket (the spec's list, plus ``conn`` from ``accept()``)."""
    if _depth > 4:
        return False
    if isinstance(node, cst.Call):
        func = node.func
        if ctx.qualname(func) in SOCKET_CONSTRUCTORS:
            return True
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value == "wrap_socket"
            and ctx.instance(func.value, SSL_CONTEXTS) is not None
        )
    if isinstance(node, cst.Subscript):  # pair = socket.socketpair(); pair[0]
        return ctx.instance(node.value, SOCKET_PAIRS) is not None
    if not isinstance(node, (cst.Name, cst.Attribute)):
        return False
    value = ctx.scopes.value_of(node)
    if value is not None:
        return is_socket(ctx, value, _depth + 1)
    return isinstance(node, cst.Name) and _unpacked_socket(ctx, node.value, _depth)


def _unpacked_socket(ctx: Context, name: str, depth: int) -> bool:
    """``a, b = socket.socketpair()`` or ``conn, addr = sock.accept()``, bound once."""
    found = ctx.scopes.lookup(name)
    if found is None or len(found[0]) != 1:
        return False
    node = found[0][0].node
    if not (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.value, cst.Call)):
        return False
    target = node.targets[0].target
    if not isinstance(target, (cst.Tuple, cst.List)):
        return False
    names = [el.value.value if isinstance(el.value, cst.Name) else None for el in target.elements]
    value = node.value
    if ctx.qualname(value.func) in SOCKET_PAIRS:
        return name in names
    func = value.func
    return (
        names[:1] == [name]
        and isinstance(func, cst.Attribute)
        and func.attr.value == "accept"
        and is_socket(ctx, func.value, depth + 1)
    )


def timeout_object(ctx: Context, call: cst.Call) -> tuple[str, TimeoutObject] | None:
    qual = ctx.qualname(call.func)
    obj = TIMEOUT_OBJECTS.get(qual) if qual is not None else None
    return (qual, obj) if qual is not None and obj is not None else None


def none_members(value: object) -> list[cst.Name]:
    """Literal ``None`` in the value itself or as a member of a tuple/list."""
    if isinstance(value, cst.Name) and value.value == "None":
        return [value]
    if isinstance(value, (cst.Tuple, cst.List)):
        return [el.value for el in value.elements if isinstance(el.value, cst.Name) and el.value.value == "None"]
    return []


def dsn_has_connect_timeout(ctx: Context, call: cst.Call) -> bool:
    """psycopg2: ``connect_timeout`` inside a string-literal DSN (or a name bound once to one)."""
    dsn = find(call, ArgSpec("dsn", 0), ctx)
    if isinstance(dsn, (cst.Name, cst.Attribute)):
        dsn = ctx.scopes.value_of(dsn)
    text = string_value(dsn) if isinstance(dsn, cst.CSTNode) else None
    return text is not None and "connect_timeout" in text


def uri_options(ctx: Context, call: cst.Call, spec: ArgSpec) -> dict[str, tuple[str, cst.CSTNode]] | None:
    """The query options of a string-literal URI (or a name bound once to one),
    keyed by lower-cased name (MongoDB matches them case-insensitively), each
    with its value and the literal it was read from. None when there is no
    literal URI to read."""
    uri = find(call, spec, ctx)
    if isinstance(uri, (cst.Name, cst.Attribute)):
        uri = ctx.scopes.value_of(uri)
    if not isinstance(uri, cst.CSTNode):
        return None
    text = string_value(uri)
    if text is None:
        return None
    query = text.partition("?")[2]
    options: dict[str, tuple[str, cst.CSTNode]] = {}
    for pair in query.replace(";", "&").split("&"):
        key, sep, value = pair.partition("=")
        if sep:
            options[key.strip().lower()] = (value.strip(), uri)
    return options


def bound_in_uri(ctx: Context, call: cst.Call, target: Target) -> bool | None:
    """Whether a literal URI sets one of the target's bounds (None: no literal URI)."""
    if target.uri is None:
        return None
    options = uri_options(ctx, call, target.uri)
    if options is None:
        return None
    return any(a.keyword.lower() in options for a in target.args)


def written_in(call: cst.Call, target: cst.CSTNode) -> bool:
    """Whether ``target`` is written inside the call's own arguments (not in a dict bound elsewhere).

    A value found through ``**OPTS`` is reported at the call, where a noqa
    comment for that call would go.
    """
    todo: list[cst.CSTNode] = [a.value for a in call.args]
    while todo:
        node = todo.pop()
        if node is target:
            return True
        todo.extend(node.children)
    return False


def local_wait(ctx: Context, call: cst.Call) -> Hit | None:
    """REL503's catalog: subprocess calls, Popen waits, futures waits and ``result()``."""
    func = call.func
    qual = ctx.qualname(func)
    if qual in LOCAL_FUNCTIONS:
        library = qual.split(".", 1)[0]
        return Hit(Target(library, LOCAL_FUNCTIONS[qual]), qual, qual)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in POPEN_METHODS:
        inst = ctx.instance(func.value, POPEN)
        if inst is not None:
            key = f"subprocess.Popen.{method}"
            return Hit(Target("subprocess", POPEN_METHODS[method]), _display(ctx, func, key), key, inst)
    if method == "result" and is_future(ctx, func.value):
        key = "concurrent.futures.Future.result"
        return Hit(Target("concurrent", FUTURE_RESULT), _display(ctx, func, key), key)
    return None


def is_future(ctx: Context, node: cst.CSTNode, _depth: int = 0) -> bool:
    """``executor.submit(...)`` on a tracked executor, or a name bound once to one."""
    if isinstance(node, cst.Call):
        func = node.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value == "submit"
            and ctx.instance(func.value, EXECUTORS) is not None
        )
    if isinstance(node, (cst.Name, cst.Attribute)) and _depth < 4:
        value = ctx.scopes.value_of(node)
        return value is not None and is_future(ctx, value, _depth + 1)
    return False


# Module names a catalogued remote call resolves through (its import names
# one): where the review report may find a REL501 site.
REMOTE_WORDS = (
    "requests",
    "urllib",
    "http",
    "socket",
    "smtplib",
    "ftplib",
    "imaplib",
    "poplib",
    "psycopg2",
    "pymysql",
    "_pb2_grpc",
    "redis",
    "asyncpg",
    "pymongo",
    "motor",
    "twilio",
    "kubernetes",
)

# --- the prefilter's view of these tables (core/prefilter.py) ------------------
# Built once per process from the same tables ``lookup`` reads, so the
# prefilter cannot drift from the catalog.

# lookup(): module functions, methods on tracked instances (by constructor),
# sockets (constructors, SSL contexts, pairs; accept() needs one).
LOOKUP_NAMES = Names(
    FUNCTIONS,
    *(kind.constructors for kind in INSTANCE_CALLS),
    SOCKET_CONSTRUCTORS,
    SSL_CONTEXTS,
    SOCKET_PAIRS,
)
# The entries REL501 enforces: targets that wait forever when the bound is missing.
MISSING_NAMES = Names(
    [name for name, target in FUNCTIONS.items() if target.missing],
    *(kind.constructors for kind in INSTANCE_CALLS if any(t.missing for t in kind.methods.values())),
)
# Rows that wait forever only on some versions (E9: redis-py before 8.0).
VERSIONED_NAMES = Names([name for name, target in FUNCTIONS.items() if target.missing_below])
TIMEOUT_OBJECT_NAMES = Names(TIMEOUT_OBJECTS)
LONG_DEFAULT_NAMES = Names(LONG_DEFAULTS)
# Rows where a literal 0 (or a URI option) also switches the bound off: no "None" in the text needed.
ZERO_OFF_NAMES = Names([name for name, target in FUNCTIONS.items() if target.zero_off or target.uri])
# local_wait(): subprocess and futures waits.
LOCAL_WAIT_NAMES = Names(LOCAL_FUNCTIONS, POPEN, EXECUTORS)


def grpc_stub(facts: Facts) -> bool:
    """A ``*Stub`` class from a ``*_pb2_grpc`` module: the module name is in the text."""
    return "_pb2_grpc" in facts.text


def kubernetes_api(facts: Facts) -> bool:
    """A ``kubernetes.client`` API class: ``kubernetes`` imported, ``Api`` written."""
    return (not facts.known or "kubernetes" in facts.imports) and "Api" in facts.text


def api_classes(facts: Facts) -> bool:
    """The instance catalogs matched by pattern rather than by name (gRPC stubs, kubernetes APIs)."""
    return grpc_stub(facts) or kubernetes_api(facts)


def extra_names(settings) -> Names:
    """``extra-timeout-calls`` from the settings resolve like catalog names."""
    return Names([e.call for e in settings.extra_timeout_calls])
