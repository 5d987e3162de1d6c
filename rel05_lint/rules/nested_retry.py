"""REL305 nested-retry. Page: rules/REL305.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis.retry_loops import may_retry, retry_loop
from rel05_lint.analysis.retry_rule import SURVEY_WORDS
from rel05_lint.catalog.retries import ATTEMPT_ITERATORS, retried_by
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.scope import function_def
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.core.rule import Context

RETRY_CALL = Kind("retry-call", "BP03", "calls from a retry into this module's functions", "not retried again inside")


class NestedRetry(Rule):
    """Calls from one retry into another retried function of the same module.

    Functions may be defined after their callers, so calls are collected during
    the traversal and matched against the retried functions in ``finish``.
    """

    code = "REL305"
    name = "nested-retry"
    best_practice = "BP03"
    summary = "A retried function called from inside another retry"
    counts = (RETRY_CALL,)
    survey_words = SURVEY_WORDS

    def relevant(self, facts: Facts) -> bool:
        return may_retry(facts)

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self.frames: list[tuple[str, str | None]] = []  # ("def"|"loop", what retries it)
        self.defs: list[cst.FunctionDef] = []
        self.retried: dict[int, str] = {}  # id(FunctionDef) -> the retry's label
        self.pending: list[tuple[cst.Call, cst.FunctionDef, str, str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        label = None
        for decorator in node.decorators:
            site = retried_by(self.ctx, decorator)
            if site is not None:
                label = site.label
                self.retried[id(node)] = label
                break
        self.frames.append(("def", f"`{node.name.value}()`, which is itself retried" if label else None))
        self.defs.append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.pop()
        self.defs.pop()

    def visit_While(self, node: cst.CSTNode) -> None:
        loop = retry_loop(self.ctx, node)
        label = loop.label if loop is not None else None
        if label is None and isinstance(node, cst.For) and isinstance(node.iter, cst.Call):
            if self.ctx.qualname(node.iter.func) in ATTEMPT_ITERATORS:
                label = f"a `for ... in {self.ctx.code(node.iter.func)}()` retry loop"
        self.frames.append(("loop", label))

    visit_For = visit_While

    def leave_While(self, node: cst.CSTNode) -> None:
        self.frames.pop()

    leave_For = leave_While

    def visit_Call(self, node: cst.Call) -> None:
        outer = None
        for kind, label in reversed(self.frames):
            if label is not None:
                outer = label
                break
            if kind == "def":
                return
        if outer is None:
            return
        target = self._callee(node.func)
        if target is not None and not (self.defs and target is self.defs[-1]):
            self.pending.append((node, target, outer, self.ctx.code(node.func)))

    def _callee(self, func: cst.BaseExpression) -> cst.FunctionDef | None:
        """The function or method of this module that ``func`` names, if unambiguous."""
        scopes = self.ctx.scopes
        if isinstance(func, cst.Name):
            found = scopes.lookup(func.value)
            bindings = found[0] if found else []
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            current = scopes.frame
            cls = current.class_scope if current.kind == "function" else None
            if cls is None or current.self_name != func.value.value:
                return None
            bindings = cls.bindings.get(func.attr.value, [])
        else:
            return None
        if len(bindings) == 1:
            return function_def(bindings[0])
        return None

    def finish(self) -> None:
        for call, target, outer, callee in self.pending:
            inner = self.retried.get(id(target))
            self.count(RETRY_CALL, inner is None, call)
            if inner is None:
                continue
            self.report(
                call,
                f"`{callee}()` is retried by {inner} and called from {outer}: "
                "the attempts multiply (every outer attempt runs all the inner ones), "
                "amplifying the load on a dependency that is already failing",
            )
