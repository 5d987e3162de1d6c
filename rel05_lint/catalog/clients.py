"""Clients as data: the ones that retry by themselves (REL306) and the pooled
ones a process should build once (REL404).

Library facts (read from the installed packages: openai 3.57, anthropic 2.15,
botocore/boto3 1.44, urllib3 2.8, requests 2.34; restated with sources in
rules/REL306.md and rules/REL404.md):

- openai and anthropic clients retry a failed request twice
  (``DEFAULT_MAX_RETRIES = 2`` in ``_constants.py``): 3 attempts, unless built
  with ``max_retries=0``; ``with_options(max_retries=...)`` overrides it for
  the calls made through it. The ``openai`` module's own client
  (``openai.chat.completions.create(...)``) reads the module attribute
  ``openai.max_retries`` (2). openai 0.x (``openai.ChatCompletion.create``)
  mounted ``HTTPAdapter(max_retries=2)``: 3 attempts on connection errors.
- botocore clients retry by default: 3 attempts in ``standard`` mode (the
  default since botocore 1.44.0), 5 in ``legacy`` mode (before). A
  ``Config(retries={"total_max_attempts": n})`` means n attempts,
  ``{"max_attempts": n}`` means n retries after the first.
- urllib3 pools default to ``Retry.DEFAULT = Retry(3)``: 4 attempts;
  ``retries=False`` or ``0`` turns them off; an int ``n`` means n retries.
- requests retries nothing unless an ``HTTPAdapter(max_retries=...)`` is
  mounted: an int ``n`` becomes ``Retry.from_int(n)`` (n retries); a
  ``Retry(total=n)`` means n retries, and ``Retry()`` without ``total`` 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog.sessions import REQUESTS_SESSION
from rel05_lint.catalog.timeouts import HTTP_VERBS, URLLIB3_POOLS
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN, ArgSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.scope import Instance

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

# --- clients that retry by themselves (REL306) -------------------------------

OPENAI_CLIENTS = frozenset(
    {
        "openai.OpenAI",
        "openai.AsyncOpenAI",
        "openai.AzureOpenAI",
        "openai.AsyncAzureOpenAI",
        "openai.Client",
        "openai.AsyncClient",
        "openai._client.OpenAI",
        "openai._client.AsyncOpenAI",
    }
)
ANTHROPIC_CLIENTS = frozenset(
    {
        "anthropic.Anthropic",
        "anthropic.AsyncAnthropic",
        "anthropic.Client",
        "anthropic.AsyncClient",
        "anthropic._client.Anthropic",
        "anthropic._client.AsyncAnthropic",
    }
)
SDK_CLIENTS: dict[str, str] = {
    **{name: "openai" for name in OPENAI_CLIENTS},
    **{name: "anthropic" for name in ANTHROPIC_CLIENTS},
}
SDK_DEFAULT_RETRIES = 2
# Resources of the openai module's own client (openai >= 1): openai.chat.completions.create(...)
OPENAI_MODULE_RESOURCES = frozenset(
    {
        "audio",
        "batches",
        "beta",
        "chat",
        "completions",
        "containers",
        "conversations",
        "embeddings",
        "evals",
        "files",
        "fine_tuning",
        "images",
        "models",
        "moderations",
        "realtime",
        "responses",
        "uploads",
        "vector_stores",
        "videos",
    }
)
# openai 0.x API resources: openai.ChatCompletion.create(...) (sync, through requests).
OPENAI_LEGACY = frozenset(
    f"openai.{cls}.create"
    for cls in ("ChatCompletion", "Completion", "Embedding", "Edit", "Image", "Moderation", "Audio", "FineTune")
)
# Low-level request methods on an SDK client itself (client.post(...)).
SDK_REQUEST_METHODS = frozenset({"get", "post", "put", "patch", "delete", "request", "get_api_list"})

BOTO3_CLIENTS = frozenset({"boto3.client", "boto3.session.Session.client", "boto3.Session.client"})
BOTO3_RESOURCES = frozenset({"boto3.resource", "boto3.session.Session.resource", "boto3.Session.resource"})
BOTO3_SESSIONS = frozenset({"boto3.Session", "boto3.session.Session"})
BOTOCORE_CONFIGS = frozenset({"botocore.config.Config", "botocore.client.Config", "boto3.session.Config"})
# client(service_name, region_name, api_version, use_ssl, verify, endpoint_url,
#        aws_access_key_id, aws_secret_access_key, aws_session_token, config, ...)
BOTO3_CONFIG = ArgSpec("config", 9)
BOTOCORE_STANDARD_ATTEMPTS = 3
BOTOCORE_LEGACY_ATTEMPTS = 5
# Client methods that make no request.
BOTO3_LOCAL_METHODS = frozenset(
    {
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "close",
        "generate_presigned_url",
        "generate_presigned_post",
        "exceptions",
        "meta",
        "waiter_names",
    }
)
# Resource attributes and methods that make no request (sub-resources are CamelCase).
BOTO3_RESOURCE_LOCAL = frozenset({"meta", "get_available_subresources"})

HTTP_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
URLLIB3_RETRY = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "requests.packages.urllib3.util.Retry",
    }
)
URLLIB3_DEFAULT_RETRIES = 3  # Retry.DEFAULT
URLLIB3_RETRY_TOTAL = 10  # Retry() without total
# HTTPAdapter(pool_connections, pool_maxsize, max_retries, pool_block)
ADAPTER_RETRIES = ArgSpec("max_retries", 2)
URLLIB3_METHODS = frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"})
SESSION_METHODS = frozenset((*HTTP_VERBS, "send"))

# Exception packages each client's errors come from (REL306: an outer retry
# that catches only another library's errors never sees this client fail).
CLIENT_ERROR_PACKAGES: dict[str, frozenset[str]] = {
    "openai": frozenset({"openai", "httpx", "httpcore"}),
    "anthropic": frozenset({"anthropic", "httpx", "httpcore"}),
    "botocore": frozenset({"botocore", "boto3", "urllib3", "s3transfer"}),
    "requests": frozenset({"requests", "urllib3"}),
    "urllib3": frozenset({"urllib3"}),
}
# Libraries whose exceptions a client above never raises unless listed for it.
FOREIGN_ERROR_PACKAGES = frozenset(
    {
        "requests",
        "httpx",
        "httpcore",
        "aiohttp",
        "urllib3",
        "redis",
        "botocore",
        "boto3",
        "grpc",
        "pymongo",
        "psycopg",
        "psycopg2",
        "pymysql",
        "sqlalchemy",
        "openai",
        "anthropic",
        "kafka",
        "pika",
        "elasticsearch",
        "websockets",
    }
)


@dataclass(frozen=True)
class Layer:
    """A client that retries by itself, as met at one call.

    ``attempts`` is the most calls one request may make (None: cannot tell,
    a value the file does not show); 1 or less means its retries are off.
    """

    library: str  # "openai", "botocore", "urllib3", "requests"
    client: str  # what messages call it: "openai client", "boto3 client"
    attempts: int | None
    note: str = ""  # "(5 in legacy retry mode)"
    advice: str = ""  # how to switch this layer off

    @property
    def retries(self) -> bool:
        return self.attempts is None or self.attempts > 1


def _int(value: object) -> int | None:
    number = args.number_value(value)
    return int(number) if number is not None and number == int(number) else None


def _is_false(value: object) -> bool:
    return isinstance(value, cst.Name) and value.value == "False"


def _follow(ctx: Context, expr: object, depth: int = 0) -> object:
    """A name bound once to an expression: that expression."""
    while isinstance(expr, (cst.Name, cst.Attribute)) and depth < 4:
        value = ctx.scopes.value_of(expr)
        if value is None or value is expr:
            break
        expr, depth = value, depth + 1
    return expr


# --- reading the counts ---------------------------------------------------------


def sdk_layer(ctx: Context, library: str, value: object) -> Layer:
    """An openai/anthropic client given ``max_retries`` = ``value`` (None: absent)."""
    advice = "build the client with `max_retries=0`"
    name = f"{library} client"
    if value is None:
        return Layer(library, name, SDK_DEFAULT_RETRIES + 1, advice=advice)
    if value is UNKNOWN:
        return Layer(library, name, None)  # a spread may switch it off: cannot tell
    n = _int(_follow(ctx, value))
    return Layer(library, name, None if n is None else n + 1, advice=advice)


def botocore_layer(ctx: Context, config: object, name: str = "boto3 client") -> Layer:
    """A boto3 client (or resource: ``name``) built with ``config`` (None: absent)."""
    advice = f'build the {name.split()[-1]} with `config=Config(retries={{"total_max_attempts": 1}})`'
    legacy = f"({BOTOCORE_LEGACY_ATTEMPTS} in legacy retry mode, the default before botocore 1.44)"
    default = Layer("botocore", name, BOTOCORE_STANDARD_ATTEMPTS, legacy, advice)
    if config is None or args.is_none(config):
        return default
    config = _follow(ctx, config)
    if not (isinstance(config, cst.Call) and ctx.qualname(config.func) in BOTOCORE_CONFIGS):
        return Layer("botocore", name, None)  # built elsewhere: cannot tell
    retries = args.find(config, ArgSpec("retries"), ctx)
    if retries is None or args.is_none(retries):
        return default
    shown = _follow(ctx, retries)
    keys = args.spread_keys(shown, ctx) if isinstance(shown, cst.BaseExpression) else None
    if keys is None:
        return Layer("botocore", name, None)
    total = keys.get("total_max_attempts")
    if total is not None:
        n = _int(_follow(ctx, total))
        return Layer("botocore", name, n, advice=advice)
    retry_count = keys.get("max_attempts")
    if retry_count is not None:
        n = _int(_follow(ctx, retry_count))
        return Layer("botocore", name, None if n is None else n + 1, advice=advice)
    mode_value = _follow(ctx, keys["mode"]) if "mode" in keys else None
    mode = args.string_value(mode_value) if isinstance(mode_value, cst.CSTNode) else None
    if mode == "legacy":
        return Layer("botocore", name, BOTOCORE_LEGACY_ATTEMPTS, advice=advice)
    if mode in ("standard", "adaptive"):
        return Layer("botocore", name, BOTOCORE_STANDARD_ATTEMPTS, advice=advice)
    return default if "mode" not in keys else Layer("botocore", name, None, advice=advice)


def urllib3_retries(ctx: Context, value: object, default: int | None) -> int | None:
    """Attempts allowed by a urllib3 ``retries``/``max_retries`` value: an int,
    False, None (``default`` retries) or a ``Retry(...)``; None when unknown."""
    if value is None or args.is_none(value):
        return None if default is None else default + 1
    if value is UNKNOWN:
        return None
    value = _follow(ctx, value)
    if _is_false(value):
        return 1
    n = _int(value)
    if n is not None:
        return max(n, 0) + 1
    if isinstance(value, cst.Call) and ctx.qualname(value.func) in URLLIB3_RETRY:
        total = args.find(value, ArgSpec("total", 0), ctx)
        if total is None:
            return URLLIB3_RETRY_TOTAL + 1
        shown = _follow(ctx, total)
        if _is_false(shown):
            return 1
        n = _int(shown)
        return None if n is None else max(n, 0) + 1
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "from_int"
        and ctx.qualname(value.func.value) in URLLIB3_RETRY
    ):
        return urllib3_retries(ctx, args.find(value, ArgSpec("retries", 0), ctx), default)
    return None


def adapter_attempts(ctx: Context, adapter: object) -> int | None:
    """Attempts a mounted ``HTTPAdapter(max_retries=...)`` allows; None: unknown."""
    adapter = _follow(ctx, adapter)
    if not (isinstance(adapter, cst.Call) and ctx.qualname(adapter.func) in HTTP_ADAPTERS):
        return None
    value = args.find(adapter, ADAPTER_RETRIES, ctx)
    if value is None:
        return 1  # requests' DEFAULT_RETRIES = 0
    return urllib3_retries(ctx, value, 0)


# --- which calls go through a retrying client -----------------------------------


@dataclass(frozen=True)
class ClientCall:
    """A call that goes through a client which retries by itself."""

    layer: Layer | None  # None: a requests Session, whose layer is its mounted adapters
    instance: Instance | None  # the tracked client (None: the openai module's own client)
    display: str  # "client.chat.completions.create"


def client_call(ctx: Context, call: cst.Call) -> ClientCall | None:
    """The self-retrying client ``call`` makes a request through, if any."""
    func = call.func
    qual = ctx.qualname(func)
    if qual is not None:
        parts = qual.split(".")
        if parts[0] == "openai" and len(parts) > 2 and parts[1] in OPENAI_MODULE_RESOURCES:
            return ClientCall(_openai_module_layer(ctx), None, qual)
        if qual in OPENAI_LEGACY:
            layer = Layer("openai", "openai 0.x API", SDK_DEFAULT_RETRIES + 1, "(on connection errors)")
            return ClientCall(layer, None, qual)
        if qual == "urllib3.request":
            retries = args.find(call, ArgSpec("retries"), ctx)
            attempts = urllib3_retries(ctx, retries, URLLIB3_DEFAULT_RETRIES)
            advice = "pass `retries=False`"
            return ClientCall(Layer("urllib3", "urllib3 module pool", attempts, advice=advice), None, qual)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    display = ctx.code(func)
    display = display if "\n" not in display and len(display) <= 60 else method
    # Walk the chain down from the method (client.chat.completions.create,
    # client.with_options(...).x.y, self.http.get); the nearest part that is a
    # tracked client is the client.
    chain: list[str] = []
    override: object = None
    node: cst.BaseExpression = func.value
    while True:
        found = _client_at(ctx, call, node, chain, method, override, display)
        if found is not None:
            return found if found.display else None
        if isinstance(node, cst.Attribute):
            chain.append(node.attr.value)
            node = node.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "with_options"
        ):
            given = args.find(node, ArgSpec("max_retries"), ctx)
            if given is not None and override is None:
                override = given
            node = node.func.value
        else:
            return None


def _instances(ctx: Context, node: cst.BaseExpression, constructors: frozenset[str] | dict[str, str]) -> list[Instance]:
    """The tracked instance ``node`` is, or one per branch of ``A(...) if c else B(...)``
    (every branch must be one)."""
    inst = ctx.instance(node, constructors)
    if inst is not None:
        return [inst]
    value = _follow(ctx, node)
    if isinstance(value, cst.IfExp):
        out = []
        for branch in (value.body, value.orelse):
            found = ctx.instance(branch, constructors)
            if found is None:
                return []
            out.append(found)
        return out
    return []


def _least(layers: list[Layer]) -> Layer:
    """The layer that retries least (unknown if any is unknown): what every branch does at least."""
    if any(layer.attempts is None for layer in layers):
        return Layer(layers[0].library, layers[0].client, None)
    return min(layers, key=lambda layer: layer.attempts or 0)


_NOT_A_REQUEST = ClientCall(None, None, "")  # a tracked client, but this call makes no request


def _client_at(
    ctx: Context,
    call: cst.Call,
    node: cst.BaseExpression,
    chain: list[str],
    method: str,
    override: object,
    display: str,
) -> ClientCall | None:
    """``node`` as the client of ``call``: a ClientCall, ``_NOT_A_REQUEST``, or None (not a client)."""
    sdks = _instances(ctx, node, SDK_CLIENTS)
    if sdks:
        if not chain and method not in SDK_REQUEST_METHODS:
            return _NOT_A_REQUEST
        layers = []
        for sdk in sdks:
            value = override if override is not None else args.find(sdk.call, ArgSpec("max_retries"), ctx)
            layers.append(sdk_layer(ctx, SDK_CLIENTS[sdk.qualname], value))
        return ClientCall(_least(layers), sdks[0], display)
    if not chain:
        boto = boto3_client(ctx, node)
        if boto is not None:
            if method in BOTO3_LOCAL_METHODS:
                return _NOT_A_REQUEST
            return ClientCall(botocore_layer(ctx, args.find(boto.call, BOTO3_CONFIG, ctx)), boto, display)
        if method == "paginate":
            owner = _paginator_owner(ctx, node)
            if owner is not None:
                return ClientCall(botocore_layer(ctx, args.find(owner.call, BOTO3_CONFIG, ctx)), owner, display)
        pool = ctx.instance(node, URLLIB3_POOLS)
        if pool is not None:
            if method not in URLLIB3_METHODS:
                return _NOT_A_REQUEST
            per_call = args.find(call, ArgSpec("retries"), ctx)
            value = per_call if per_call is not None else args.find(pool.call, ArgSpec("retries"), ctx)
            attempts = urllib3_retries(ctx, value, URLLIB3_DEFAULT_RETRIES)
            layer = Layer("urllib3", "urllib3 pool", attempts, advice="build the pool with `retries=False`")
            return ClientCall(layer, pool, display)
        session = ctx.instance(node, REQUESTS_SESSION)
        if session is not None:
            return ClientCall(None, session, display) if method in SESSION_METHODS else _NOT_A_REQUEST
    resource = _resource_root(ctx, node)
    if resource is not None:
        if not _resource_action(method):
            return _NOT_A_REQUEST
        layer = botocore_layer(ctx, args.find(resource.call, BOTO3_CONFIG, ctx), "boto3 resource")
        return ClientCall(layer, resource, display)
    return None


def _openai_module_layer(ctx: Context) -> Layer:
    """The openai module's client: ``openai.max_retries = n`` at module level changes it."""
    advice = "set `openai.max_retries = 0`"
    for binding in _module_attribute_assignments(ctx, "openai", "max_retries"):
        n = _int(binding)
        return Layer("openai", "openai module client", None if n is None else n + 1, advice=advice)
    return Layer("openai", "openai module client", SDK_DEFAULT_RETRIES + 1, advice=advice)


def _module_attribute_assignments(ctx: Context, module: str, attr: str) -> list[cst.BaseExpression]:
    out: list[cst.BaseExpression] = []
    for stmt in ctx.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    t = target.target
                    if isinstance(t, cst.Attribute) and t.attr.value == attr and ctx.qualname(t.value) == module:
                        out.append(small.value)
    return out


def boto3_client(ctx: Context, node: cst.CSTNode) -> Instance | None:
    """A boto3 client: ``boto3.client(...)``, ``session.client(...)`` on a tracked
    ``boto3.Session``, or a name bound to one."""
    inst = ctx.instance(node, BOTO3_CLIENTS)
    if inst is not None:
        return inst
    return _session_made(ctx, node, "client")


def _session_made(ctx: Context, node: cst.CSTNode, method: str) -> Instance | None:
    call = _follow(ctx, node)
    if not isinstance(call, cst.Call):
        return None
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == method:
        if ctx.instance(func.value, BOTO3_SESSIONS) is not None:
            return Instance(f"boto3.session.Session.{method}", call)
    return None


def _paginator_owner(ctx: Context, node: cst.CSTNode) -> Instance | None:
    """``client.get_paginator(...)`` (or a name bound to it): the client."""
    call = _follow(ctx, node)
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    if call.func.attr.value != "get_paginator":
        return None
    return boto3_client(ctx, call.func.value)


def _resource_root(ctx: Context, node: cst.CSTNode, depth: int = 0) -> Instance | None:
    """The boto3 resource an expression derives from: the resource itself,
    ``s3.Bucket(name)``, ``table = dynamodb.Table(name)``, ``s3.meta.client``."""
    if depth > 6:
        return None
    inst = ctx.instance(node, BOTO3_RESOURCES)
    if inst is not None:
        return inst
    made = _session_made(ctx, node, "resource")
    if made is not None:
        return made
    if isinstance(node, cst.Call):
        return _resource_root(ctx, node.func, depth + 1)
    if isinstance(node, cst.Attribute):
        if _resource_root(ctx, node.value, depth + 1) is not None:
            return _resource_root(ctx, node.value, depth + 1)
        value = ctx.scopes.value_of(node)
        return _resource_root(ctx, value, depth + 1) if value is not None and value is not node else None
    if isinstance(node, cst.Name):
        value = ctx.scopes.value_of(node)
        return _resource_root(ctx, value, depth + 1) if value is not None and value is not node else None
    return None


def _resource_action(method: str) -> bool:
    """Resource actions and collection calls are lowercase; sub-resources are CamelCase."""
    return method[:1].islower() and method not in BOTO3_RESOURCE_LOCAL and not method.startswith("_")


# What ``client_call`` can resolve, for the prefilter.
RETRYING_NAMES = Names(
    SDK_CLIENTS,
    [f"openai.{r}" for r in OPENAI_MODULE_RESOURCES],
    OPENAI_LEGACY,
    BOTO3_CLIENTS,
    BOTO3_RESOURCES,
    BOTO3_SESSIONS,
    URLLIB3_POOLS,
    ["urllib3.request"],
    REQUESTS_SESSION,
)

# --- pooled clients a process builds once (REL404) -----------------------------

POOLED_CLIENTS: dict[str, str] = {
    **{name: "requests Session" for name in REQUESTS_SESSION},
    "httpx.Client": "httpx client",
    "httpx.AsyncClient": "httpx client",
    "aiohttp.ClientSession": "aiohttp session",
    "aiohttp.client.ClientSession": "aiohttp session",
    "boto3.client": "boto3 client",
    "boto3.resource": "boto3 resource",
    "boto3.Session": "boto3 session",
    "boto3.session.Session": "boto3 session",
    **{
        name: "redis client"
        for name in (
            "redis.Redis",
            "redis.StrictRedis",
            "redis.from_url",
            "redis.Redis.from_url",
            "redis.StrictRedis.from_url",
            "redis.client.Redis",
            "redis.asyncio.Redis",
            "redis.asyncio.StrictRedis",
            "redis.asyncio.from_url",
            "redis.asyncio.Redis.from_url",
            "redis.asyncio.client.Redis",
        )
    },
    "pymongo.MongoClient": "MongoDB client",
    "pymongo.mongo_client.MongoClient": "MongoDB client",
    "pymongo.AsyncMongoClient": "MongoDB client",
    "sqlalchemy.create_engine": "SQLAlchemy engine",
    "sqlalchemy.engine.create_engine": "SQLAlchemy engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "SQLAlchemy engine",
    "asyncpg.create_pool": "asyncpg pool",
    "asyncpg.pool.create_pool": "asyncpg pool",
    "concurrent.futures.ThreadPoolExecutor": "thread pool",
    "concurrent.futures.thread.ThreadPoolExecutor": "thread pool",
}
POOLED_NAMES = Names(POOLED_CLIENTS, BOTO3_SESSIONS)


def pooled_client(ctx: Context, call: cst.Call) -> tuple[str, str] | None:
    """(what messages call it, how it is spelled) when ``call`` builds a pooled client."""
    qual = ctx.qualname(call.func)
    if qual is not None and qual in POOLED_CLIENTS:
        return POOLED_CLIENTS[qual], qual
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("client", "resource"):
        if ctx.instance(func.value, BOTO3_SESSIONS) is not None:
            return f"boto3 {func.attr.value}", f"Session.{func.attr.value}"
    return None
