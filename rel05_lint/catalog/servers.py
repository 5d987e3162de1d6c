"""Servers and the option that makes them refuse work they cannot take (REL203).

- grpcio: ``grpc.server(thread_pool, handlers=None, interceptors=None,
  options=None, maximum_concurrent_rpcs=None, compression=None, xds=False)``
  and ``grpc.aio.server(migration_thread_pool=None, handlers=None,
  interceptors=None, options=None, maximum_concurrent_rpcs=None, ...)``:
  "maximum_concurrent_rpcs: The maximum number of concurrent RPCs this server
  will service before returning RESOURCE_EXHAUSTED status, or None to
  indicate no limit."
- uvicorn 0.4x: ``run(app, *, host="127.0.0.1", port=8000, ...,
  limit_concurrency=None, ...)`` and ``Config(app, host=..., ...,
  limit_concurrency=None, ...)``: "Maximum number of concurrent connections
  or tasks to allow, before issuing HTTP 503 responses."
"""

from __future__ import annotations

from dataclasses import dataclass

from rel05_lint.core.args import ArgSpec
from rel05_lint.core.prefilter import Names


@dataclass(frozen=True)
class Server:
    library: str
    limit: ArgSpec
    host: ArgSpec | None = None
    port: ArgSpec | None = None
    refusal: str = ""  # what a caller gets when the limit is reached


_GRPC = Server("gRPC", ArgSpec("maximum_concurrent_rpcs", 4), refusal="RESOURCE_EXHAUSTED")
_UVICORN = Server("uvicorn", ArgSpec("limit_concurrency"), ArgSpec("host"), ArgSpec("port"), refusal="503")
SERVERS: dict[str, Server] = {
    "grpc.server": _GRPC,
    "grpc.aio.server": _GRPC,
    "uvicorn.run": _UVICORN,
    "uvicorn.main.run": _UVICORN,
    "uvicorn.Config": _UVICORN,
    "uvicorn.config.Config": _UVICORN,
}
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SERVER_NAMES = Names(SERVERS)
