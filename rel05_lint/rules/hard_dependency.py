"""REL102 hard-dependency. Page: rules/REL102.md"""

from __future__ import annotations

import libcst as cst

from rel05_lint import handlers
from rel05_lint.catalog import errors
from rel05_lint.catalog.remote import remote_call
from rel05_lint.rule import Rule


class HardDependency(Rule):
    code = "REL102"
    name = "hard-dependency"
    best_practice = "BP01"
    summary = "A request handler calls a remote dependency with no handler for its failure"
    triggers = handlers.FRAMEWORK_TRIGGERS

    @classmethod
    def relevant(cls, text: str, path: str) -> bool:
        return handlers.may_have_handlers(text, path)

    def visit_Call(self, node: cst.Call) -> None:
        handler = handlers.enclosing_handler(self.ctx)
        if handler is None:
            return
        remote = remote_call(self.ctx, node)
        if remote is None or errors.guarded(self.ctx, remote.library):
            return
        callee = self.ctx.code(node.func)
        self.report(
            node,
            f"request handler `{handler.name}` calls {remote.library} (`{callee}()`) outside any "
            f"`try` that catches its errors: when the dependency is down or slow the whole request "
            f"fails with no degraded answer; catch {errors.suggestion(remote.library)} and return "
            "a fallback (cached or partial data, a default, a clear 503)",
        )
