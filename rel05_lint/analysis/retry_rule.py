"""What the retry rules (REL301-REL305) share: the base class that feeds them
library retry sites and hand-written retry loops, the BP03 site kinds, and the
helpers their fixes use.

The five rules look at the same nodes; each asks the cached analyses
(``catalog.retries.retry_site``, ``analysis.retry_loops.retry_loop``) and
decides only what to report.
"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import RetryLoop, may_retry, retry_loop
from rel05_lint.catalog.retries import RetrySite, retry_site
from rel05_lint.core.args import may_add_keyword
from rel05_lint.core.fixes import Change, Replace, add_keyword, import_for, make_arg
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.prefilter import Facts
from rel05_lint.core.rule import Context, Rule
from rel05_lint.core.sites import Kind

# A retry site complies when it is bounded, backs off and jitters (jitter is
# asked only of a growing delay); one whose wait cannot be read is left out
# unless it is unbounded.
RETRY_JUDGED = Kind(
    "retry.judged",
    "BP03",
    "retry sites",
    "with a wait a static check can read (a custom wait, or no retries configured, is not)",
)
RETRY = Kind("retry", "BP03", "retry sites", "bounded, backed off and jittered", headline=True, gate=RETRY_JUDGED)
RETRY_BOUNDED = Kind("retry.bounded", "BP03", "retry sites", "bounded", combined=RETRY)
RETRY_JITTER = Kind("retry.jitter", "BP03", "backed-off retry sites", "jittered", combined=RETRY)
RETRY_BACKOFF = Kind(
    "retry.backoff", "BP03", "retry sites with a readable wait", "backed off (the delay grows)", combined=RETRY
)

# Every retry mechanism's spelling, and every hand-written loop's `try`:
# where the review report may find a retry site.
SURVEY_WORDS = ("try", "backoff", "max_retries", "HTTPAdapter")


class RetryRule(Rule):
    """Feeds ``check_site`` with library retries and ``check_loop`` with hand-written loops."""

    survey_words = SURVEY_WORDS

    def relevant(self, facts: Facts) -> bool:
        return may_retry(facts)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        site = retry_site(self.ctx, node)
        if site is not None:
            self.check_site(site)

    def visit_Call(self, node: cst.Call) -> None:
        site = retry_site(self.ctx, node)
        if site is not None:
            self.check_site(site)

    def visit_While(self, node: cst.While) -> None:
        loop = retry_loop(self.ctx, node)
        if loop is not None:
            self.check_loop(loop)

    visit_For = visit_While

    def check_site(self, site: RetrySite) -> None:
        """A library retry was configured at ``site``."""

    def check_loop(self, loop: RetryLoop) -> None:
        """``loop`` is a hand-written retry loop."""


def set_option(
    ctx: Context, site: RetrySite, keyword: str, value_code: str, existing: cst.BaseExpression | None = None
) -> list[Change] | None:
    """Changes that give ``site`` the option ``keyword=value``: replace the value
    it has, add the keyword to its call, or turn a bare ``@retry`` into a call.
    None where an added keyword would not take effect or could clash."""
    value = cst.parse_expression(value_code)
    if existing is not None:
        return [Replace(existing, value)]
    if site.call is None:
        expr = site.func
        return [Replace(expr, cst.Call(func=expr, args=[make_arg(keyword, value_code)]))]
    if applied_by_call(site) or not may_add_keyword(site.call, keyword, ctx):
        return None
    return [Replace(site.call, add_keyword(site.call, keyword, value_code))]


def applied_by_call(site: RetrySite) -> bool:
    """``tenacity.retry(f)``: given one positional argument, tenacity wraps it with
    the defaults and ignores every keyword, so a keyword a fix adds bounds nothing."""
    call = site.call
    if call is None or site.mechanism.library != "tenacity" or not site.qualname.endswith(".retry"):
        return False
    return any(a.keyword is None and a.star == "" for a in call.args)


def tenacity_name(ctx: Context, like: cst.BaseExpression, name: str) -> tuple[str, list[Change]] | None:
    """How to spell ``tenacity.<name>`` next to ``like`` (the expression the fix
    edits): ``t.retry`` gets ``t.<name>``; otherwise the file's imports decide
    (``core.fixes.import_for``). None when no spelling is safe at the site."""
    if isinstance(like, cst.Attribute) and ctx.qualname(like.value) == "tenacity":
        spelling = f"{ctx.code(like.value)}.{name}"
        if ctx.qualname(cst.parse_expression(spelling)) == f"tenacity.{name}":
            return spelling, []
    # `retry` came from `from tenacity import ...`: extend that line, even when
    # the file also has `import tenacity`.
    return import_for(ctx, "tenacity", name, prefer_from=isinstance(like, cst.Name))
