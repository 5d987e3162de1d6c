"""Which calls reach a remote dependency, by library.

``remote_call(ctx, call)`` is the one question REL102, the retry-loop
detector and the report ask. The REL501 timeout catalog lives in
``catalog/timeouts.py``; this table is wider (httpx, aiohttp, redis are
remote but bounded by default) and carries no argument details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog import timeouts
from rel05_lint.catalog.sessions import REQUESTS_SESSION
from rel05_lint.catalog.timeouts import GRPC_STUBS, HTTP_VERBS, URLLIB3_POOLS
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.scope import Instance

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

# qualified module-level function -> library. Calls that wait forever without
# a timeout come from the timeout catalog; the rest are remote but bounded by
# default (httpx 5 s, aiohttp 300 s, urllib3.request 3 s) or take no timeout.
MODULE_CALLS: dict[str, str] = {
    **{name: t.library for name, t in timeouts.FUNCTIONS.items() if t.missing and not t.client},
    **{f"httpx.{v}": "httpx" for v in (*HTTP_VERBS, "stream")},
    "aiohttp.request": "aiohttp",
    "urllib3.request": "urllib3",
    "asyncio.open_connection": "asyncio",
}


@dataclass(frozen=True)
class InstanceKind:
    library: str
    constructors: frozenset[str]
    methods: frozenset[str] | None  # None: every method is a remote call


INSTANCE_KINDS: tuple[InstanceKind, ...] = (
    InstanceKind("requests", REQUESTS_SESSION, frozenset(timeouts.SESSION_CALLS.methods)),
    InstanceKind(
        "httpx",
        frozenset({"httpx.Client", "httpx.AsyncClient"}),
        frozenset((*HTTP_VERBS, "stream", "send")),
    ),
    InstanceKind(
        "aiohttp",
        frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"}),
        frozenset((*HTTP_VERBS, "ws_connect")),
    ),
    InstanceKind(
        "urllib3",
        URLLIB3_POOLS,
        frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    ),
    InstanceKind("urllib", timeouts.OPENER_CALLS.constructors, frozenset({"open"})),
    InstanceKind(
        "http.client",
        frozenset({"http.client.HTTPConnection", "http.client.HTTPSConnection"}),
        frozenset({"request", "getresponse", "connect", "send"}),
    ),
    InstanceKind(
        "socket",
        frozenset({"socket.socket", "socket.create_connection", "socket.socketpair"}),
        frozenset(
            {
                "connect",
                "connect_ex",
                "recv",
                "recv_into",
                "recvfrom",
                "send",
                "sendall",
                "sendto",
                "accept",
                "makefile",
            }
        ),
    ),
    InstanceKind(
        "redis",
        frozenset(
            {
                "redis.Redis",
                "redis.StrictRedis",
                "redis.from_url",
                "redis.Redis.from_url",
                "redis.client.Redis",
                "redis.asyncio.Redis",
                "redis.asyncio.from_url",
                "redis.asyncio.StrictRedis",
                "redis.asyncio.Redis.from_url",
                "redis.asyncio.client.Redis",
            }
        ),
        None,
    ),
)


# Methods every object has; never a remote call even on a tracked instance.
_LOCAL_METHODS = frozenset({"close", "__enter__", "__exit__", "__aenter__", "__aexit__", "mount", "pipeline"})


@dataclass(frozen=True)
class RemoteCall:
    library: str
    name: str  # qualified function, or "<constructor>.<method>" for instance calls
    call: cst.Call
    instance: Instance | None = None


def remote_call(ctx: Context, call: cst.Call) -> RemoteCall | None:
    """The remote dependency ``call`` reaches, or None if it is not a known one."""
    func = call.func
    qual = ctx.qualname(func)
    if qual is not None and qual in MODULE_CALLS:
        return RemoteCall(MODULE_CALLS[qual], qual, call)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in _LOCAL_METHODS:
        return None
    target = func.value
    # grpc: stub.Method(...), and stub.Method.future(...) / .with_call(...)
    for node in (
        target,
        target.value if isinstance(target, cst.Attribute) and method in ("future", "with_call") else None,
    ):
        if node is None:
            continue
        stub = ctx.instance(node, GRPC_STUBS)
        if stub is not None:
            return RemoteCall("grpc", f"{stub.qualname}.{method}", call, stub)
    for kind in INSTANCE_KINDS:
        if kind.methods is not None and method not in kind.methods:
            continue
        inst = ctx.instance(target, kind.constructors)
        if inst is not None:
            return RemoteCall(kind.library, f"{inst.qualname}.{method}", call, inst)
    return None


# What remote_call() can resolve, for the prefilter (grpc stubs apart: see timeouts.grpc_stub).
REMOTE_NAMES = Names(MODULE_CALLS, *(kind.constructors for kind in INSTANCE_KINDS))
