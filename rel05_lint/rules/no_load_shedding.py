"""REL203 no-load-shedding. Page: rules/REL203.md"""

from __future__ import annotations

from rel05_lint.catalog.servers import LOOPBACK, SERVER_NAMES, SERVERS, Server
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

SERVER = Kind("server", "BP02", "gRPC and uvicorn servers", "with a concurrency limit (load shedding)", headline=True)


class NoLoadShedding(Rule):
    code = "REL203"
    name = "no-load-shedding"
    best_practice = "BP02"
    summary = "A server with no concurrency limit queues overload instead of refusing it"
    fix_applicability = Applicability.DISPLAY_ONLY
    default_enabled = False
    counts = (SERVER,)
    survey_words = ("server", "uvicorn")
    needs = SERVER_NAMES

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        qual = ctx.qualname(node.func)
        server = SERVERS.get(qual) if qual is not None else None
        if server is None:
            return
        limit = args.find(node, server.limit, ctx)
        if limit is UNKNOWN or (limit is not None and not args.is_none(limit)):
            self.count(SERVER, True, node)
            return
        if _local_only(ctx, node, server):
            return  # a helper on loopback or an ephemeral port takes no outside load
        self.count(SERVER, False, node)
        keyword = server.limit.keyword
        how = f"`{keyword}=None`" if limit is not None else f"no `{keyword}`"
        if server.library == "gRPC":
            consequence = (
                "once every worker thread is busy, new RPCs wait in the executor's unbounded queue until "
                "their callers time out, instead of being refused with RESOURCE_EXHAUSTED"
            )
        else:
            consequence = (
                "under overload every connection is accepted and queued, so latency grows for everyone "
                "instead of the excess being refused with a 503 that a load balancer or client can retry elsewhere"
            )
        where = next((a for a in node.args if a.value is limit), node)
        self.report(
            where,
            f"`{ctx.code(node.func)}()` has {how}: {consequence}",
            fix=FixSpec(
                Applicability.DISPLAY_ONLY,
                f"Set `{keyword}` to what the service can finish in time (it then answers {server.refusal} beyond it)",
            ),
        )


def _local_only(ctx, node: cst.Call, server: Server) -> bool:
    """Bound to a literal loopback address, or to port 0 (an ephemeral helper)."""
    if server.host is None or server.port is None:
        return False
    port = _literal(ctx, args.find(node, server.port, ctx))
    if args.number_value(port) == 0:
        return True
    host = args.string_value(_literal(ctx, args.find(node, server.host, ctx)))
    return host in LOOPBACK


def _literal(ctx, value: object) -> cst.CSTNode | None:
    if isinstance(value, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(value)
        return bound if bound is not None else value
    return value if isinstance(value, cst.CSTNode) else None
