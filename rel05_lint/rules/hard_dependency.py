"""REL102 hard-dependency. Page: rules/REL102.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis import request_handlers as handlers
from rel05_lint.catalog import errors
from rel05_lint.catalog.remote import REMOTE_NAMES, remote_call
from rel05_lint.catalog.timeouts import grpc_stub
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

HANDLER_CALL = Kind(
    "handler-call", "BP01", "remote calls in request handlers", "inside a try that catches their errors", headline=True
)


class HardDependency(Rule):
    code = "REL102"
    name = "hard-dependency"
    best_practice = "BP01"
    summary = "A request handler calls a remote dependency with no handler for its failure"
    counts = (HANDLER_CALL,)

    def surveys(self, facts: Facts) -> bool:
        return handlers.survey_handlers(facts)

    def relevant(self, facts: Facts) -> bool:
        return handlers.handlers_possible(facts) and (REMOTE_NAMES.found_in(facts) or grpc_stub(facts))

    def visit_Call(self, node: cst.Call) -> None:
        handler = handlers.enclosing_handler(self.ctx)
        if handler is None:
            return
        remote = remote_call(self.ctx, node)
        if remote is None:
            return
        guarded = errors.guarded(self.ctx, remote.library)
        self.count(HANDLER_CALL, guarded, node)
        if guarded:
            return
        callee = self.ctx.code(node.func)
        self.report(
            node,
            f"request handler `{handler.name}` calls {remote.library} (`{callee}()`) outside any "
            f"`try` that catches its errors: when the dependency is down or slow the whole request "
            f"fails with no degraded answer; catch {errors.suggestion(remote.library)} and return "
            "a fallback (cached or partial data, a default, a clear 503)",
        )
