"""REL404 client-per-request. Page: rules/REL404.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis import request_handlers as handlers
from rel05_lint.catalog.clients import POOLED_NAMES, pooled_client
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.core.rule import Context

POOLED_CLIENT = Kind(
    "pooled-client",
    "BP04",
    "pooled clients (HTTP sessions, SDK clients, engines, thread pools)",
    "built once, outside request handlers",
    headline=True,
)

# An AWS Lambda entry point: ``def lambda_handler(event, context)`` at module level.
LAMBDA_NAMES = frozenset({"lambda_handler", "handler"})
_EVENT = frozenset({"event", "_event", "evt"})
_CONTEXT = frozenset({"context", "_context", "ctx", "_ctx", "_"})

_CONNECTIONS = (
    "every request opens new connections (and TLS handshakes) and drops them, file descriptors run "
    "out under load, and no shared pool bounds the calls to the dependency"
)
_THREADS = "every request starts its own threads, so N concurrent requests run N pools and nothing bounds the total"


class ClientPerRequest(Rule):
    code = "REL404"
    name = "client-per-request"
    best_practice = "BP04"
    summary = "A pooled client built inside a request handler, once per request"
    fix_applicability = Applicability.DISPLAY_ONLY
    counts = (POOLED_CLIENT,)

    def relevant(self, facts: Facts) -> bool:
        return POOLED_NAMES.found_in(facts) and (handlers.handlers_possible(facts) or facts.has("handler"))

    def surveys(self, facts: Facts) -> bool:
        return POOLED_NAMES.found_in(facts)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        built = pooled_client(ctx, node)
        if built is None:
            return
        what = built[0]
        handler = handlers.enclosing_handler(ctx)
        where: str | None
        if handler is not None:
            where = f"request handler `{handler.name}`"
        else:
            fn = _enclosing_lambda_handler(ctx)
            where = f"Lambda handler `{fn.name.value}`" if fn is not None else None
        self.count(POOLED_CLIENT, where is None, node)
        if where is None:
            return
        consequence = _THREADS if what == "thread pool" else _CONNECTIONS
        self.report(
            node,
            f"{where} builds a new {what} (`{ctx.code(node.func)}()`) on every call: {consequence}",
            fix=FixSpec(
                Applicability.DISPLAY_ONLY,
                f"Build the {what} once, at module level or in a startup hook (lifespan), and reuse it",
            ),
        )


def _enclosing_lambda_handler(ctx: Context) -> cst.FunctionDef | None:
    """The module-level ``lambda_handler(event, context)`` whose own body holds the node."""
    stack = ctx.stack
    for i in range(len(stack) - 2, -1, -1):
        node = stack[i]
        if isinstance(node, cst.FunctionDef):
            if stack[i + 1] is not node.body or not is_lambda_handler(ctx, node):
                return None
            return node
        if isinstance(node, (cst.Lambda, cst.ClassDef)):
            return None
    return None


def is_lambda_handler(ctx: Context, fn: cst.FunctionDef) -> bool:
    if fn.name.value not in LAMBDA_NAMES:
        return False
    scope = ctx.scopes.scope_of(fn)
    if scope is None or scope.parent is not ctx.scopes.module_scope:
        return False
    params = [*fn.params.posonly_params, *fn.params.params]
    return (
        len(params) == 2
        and all(p.default is None for p in params)
        and params[0].name.value in _EVENT
        and params[1].name.value in _CONTEXT
    )
