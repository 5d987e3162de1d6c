"""REL307 retry-non-idempotent. Page: rules/REL307.md"""

from __future__ import annotations

import re

from rel05_lint.analysis.retry_rule import RETRY
from rel05_lint.catalog.clients import URLLIB3_RETRY
from rel05_lint.catalog.idempotency import IDEMPOTENT_DEFAULT, Resend, read_only_path, resend
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec, Replace
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

# An aspect of a retry site, joined into BP03's headline: a retry complies when
# it is bounded, backs off, jitters and resends only idempotent requests.
RETRY_IDEMPOTENT = Kind(
    "retry.idempotent", "BP03", "urllib3 retries", "resending only idempotent methods", combined=RETRY
)

# The author has already said why resending is safe (a comment in the call or
# above it, or the function's docstring): a reviewer would not want a finding.
_EXPLAINED = re.compile(
    r"idempoten|read[- ]?only|graphql|safe to (?:retry|resend|repeat)|can be retried|dedup", re.IGNORECASE
)
# The module sends a key the server can deduplicate resent requests by (an
# Idempotency-Key header, a webhook delivery id): resending is then safe.
_DEDUP_KEY = re.compile(r"idempotency[-_ ]?key|delivery[-_ ]?id", re.IGNORECASE)
_DEFAULT_SET = "frozenset({" + ", ".join(f'"{m}"' for m in IDEMPOTENT_DEFAULT) + "})"
_CONSEQUENCE = (
    "a request that reached the server and timed out on the way back (or got a 5xx) is sent again, "
    "so its side effect (a payment, an order, a message) can happen twice"
)


class RetryNonIdempotent(Rule):
    code = "REL307"
    name = "retry-non-idempotent"
    best_practice = "BP03"
    summary = "A urllib3 `Retry` that resends POST or PATCH requests"
    fix_applicability = Applicability.UNSAFE
    fix_scope = "display-only when the method set is not written in the call"
    counts = (RETRY_IDEMPOTENT,)
    survey_words = ("Retry",)
    needs = Names(URLLIB3_RETRY)

    def start(self, ctx) -> None:
        super().start(ctx)
        self._module_has_key: bool | None = None

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        if not _is_retry_class(ctx, node):
            return
        problem = resend(ctx, node)
        if problem is not None and (read_only_path(ctx, node) or self._explained(node)):
            problem = None
        self.count(RETRY_IDEMPOTENT, problem is None, node)
        if problem is None:
            return
        if problem.every:
            what = (
                f"`{problem.keyword}={ctx.code(problem.value)}` retries every method, POST and PATCH included"
                if problem.written
                else f"`{problem.keyword}` retries every method, POST and PATCH included"
            )
        else:
            listed = " and ".join(problem.methods)
            what = f"`{problem.keyword}` lists {listed}"
        where = next((a for a in node.args if a.value is problem.value), node)
        self.report(where, f"`{ctx.code(node.func)}()`: {what}: {_CONSEQUENCE}", fix=self._fix(problem))

    def _explained(self, node: cst.Call) -> bool:
        if _EXPLAINED.search(self.ctx.code(node)):
            return True  # a comment inside the call
        for ancestor in self.ctx.ancestors():
            if isinstance(ancestor, cst.SimpleStatementLine):
                comments = [line.comment.value for line in ancestor.leading_lines if line.comment is not None]
                trailing = ancestor.trailing_whitespace.comment
                if trailing is not None:
                    comments.append(trailing.value)
                if any(_EXPLAINED.search(c) for c in comments):
                    return True
            elif isinstance(ancestor, cst.FunctionDef):
                doc = ancestor.get_docstring()
                if doc is not None and _EXPLAINED.search(doc) is not None:
                    return True
                break
        return self._dedup_key()

    def _dedup_key(self) -> bool:
        if self._module_has_key is None:
            self._module_has_key = _DEDUP_KEY.search(self.ctx.module.code) is not None
        return self._module_has_key

    def _fix(self, problem: Resend) -> FixSpec:
        advice = f"Retry only idempotent methods: `{problem.keyword}={_DEFAULT_SET}`"
        if not problem.written or self.ctx.scopes.lookup("frozenset") is not None:
            return FixSpec(Applicability.DISPLAY_ONLY, advice)
        display = problem.display
        dropped_ids = {id(e) for e in problem.drop}
        kept = [] if display is None else [e for e in display.elements if id(e) not in dropped_ids]
        if display is None or not kept:
            return FixSpec(Applicability.UNSAFE, advice, [Replace(problem.value, cst.parse_expression(_DEFAULT_SET))])
        dropped = " and ".join(problem.methods)
        return FixSpec(
            Applicability.UNSAFE,
            f"Drop {dropped} from `{problem.keyword}` (they are then sent once; handle their failures by hand)",
            [Replace(display, _without(display, kept))],
        )


def _without(display: cst.List | cst.Tuple | cst.Set, kept: list[cst.BaseElement]) -> cst.BaseExpression:
    """``display`` keeping only ``kept``: each keeps its separator, the last takes the old last one's."""
    elements = list(display.elements)
    last_comma = elements[-1].comma
    out: list[cst.BaseElement] = []
    for i, el in enumerate(kept):
        comma: cst.Comma | cst.MaybeSentinel
        if i < len(kept) - 1:
            comma = (
                el.comma if isinstance(el.comma, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        else:
            comma = last_comma
            if isinstance(display, cst.Tuple) and len(kept) == 1 and not isinstance(comma, cst.Comma):
                comma = cst.Comma()  # ("GET",): one element needs its comma to stay a tuple
        out.append(el.with_changes(comma=comma))
    return display.with_changes(elements=out)


def _is_retry_class(ctx, node: cst.Call) -> bool:
    """urllib3's Retry, or a class of this file deriving from it."""
    if ctx.qualname(node.func) in URLLIB3_RETRY:
        return True
    func = node.func
    if not isinstance(func, cst.Name):
        return False
    found = ctx.scopes.lookup(func.value)
    if found is None or len(found[0]) != 1 or found[0][0].kind != "class":
        return False
    cls = found[0][0].node
    return isinstance(cls, cst.ClassDef) and _derives_from_retry(ctx, cls, 0)


def _derives_from_retry(ctx, cls: cst.ClassDef, depth: int) -> bool:
    if depth > 4:
        return False
    for base in cls.bases:
        if base.keyword is not None:
            continue
        if ctx.qualname(base.value) in URLLIB3_RETRY:
            return True
        if isinstance(base.value, cst.Name):
            found = ctx.scopes.lookup(base.value.value, ctx.scopes.module_scope)
            if found and len(found[0]) == 1 and found[0][0].kind == "class":
                parent = found[0][0].node
                if (
                    isinstance(parent, cst.ClassDef)
                    and parent is not cls
                    and _derives_from_retry(ctx, parent, depth + 1)
                ):
                    return True
    return False
