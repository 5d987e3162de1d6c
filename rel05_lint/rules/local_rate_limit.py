"""REL202 local-rate-limit. Page: rules/REL202.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.catalog.limiters import LIMITER_NAMES, LIMITERS, LOCAL_STORAGE, STORAGE_SETTINGS
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

RATE_LIMITER = Kind("rate-limiter", "BP02", "rate limiters", "counting in shared storage", headline=True)

_CONSEQUENCE = (
    "each worker process counts alone, so N workers (or hosts) allow N times the limit, "
    "and every restart or deploy resets the counts"
)


class LocalRateLimit(Rule):
    """Limiters are judged in ``finish``: the module may set the storage setting
    anywhere (``app.config[...] = ...`` below the ``Limiter(...)``)."""

    code = "REL202"
    name = "local-rate-limit"
    best_practice = "BP02"
    summary = "A rate limiter that counts in each process's memory"
    fix_applicability = Applicability.DISPLAY_ONLY
    counts = (RATE_LIMITER,)
    survey_words = ("Limiter",)
    needs = LIMITER_NAMES

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self.pending: list[tuple[cst.Call, str, str]] = []  # (call, library, how storage is local)
        self.configured = False  # the module sets RATELIMIT_STORAGE_URI/URL

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        qual = ctx.qualname(node.func)
        limiter = LIMITERS.get(qual) if qual is not None else None
        if limiter is None:
            self._setting_keywords(node)
            return
        found = args.find(node, limiter.storage, ctx)
        if found is None:
            self.pending.append((node, limiter.library, "has no `storage_uri`"))
            return
        if found is UNKNOWN:
            self.count(RATE_LIMITER, True, node)  # a spread: the operator's storage
            return
        value = found
        if isinstance(value, (cst.Name, cst.Attribute)):
            bound = ctx.scopes.value_of(value)
            value = bound if bound is not None else value
        text = args.string_value(value)
        if text is not None and text.strip() in LOCAL_STORAGE:
            self.pending.append((node, limiter.library, f'stores its counts in `"{text.strip()}"`'))
            return
        self.count(RATE_LIMITER, True, node)  # a shared store, or configuration the file does not show

    # --- the storage settings, wherever the module sets them ---
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._setting_target(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._setting_target(node.target)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if args.string_value(node.key) in STORAGE_SETTINGS:
            self.configured = True

    def _setting_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value in STORAGE_SETTINGS:
            self.configured = True
        elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and args.string_value(index.value) in STORAGE_SETTINGS:
                self.configured = True

    def _setting_keywords(self, node: cst.Call) -> None:
        # app.config.update(RATELIMIT_STORAGE_URI=...), dict(RATELIMIT_STORAGE_URL=...), setdefault("...")
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in STORAGE_SETTINGS:
                self.configured = True
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("setdefault", "__setitem__") and node.args:
            if args.string_value(node.args[0].value) in STORAGE_SETTINGS:
                self.configured = True

    def finish(self) -> None:
        for node, library, how in self.pending:
            self.count(RATE_LIMITER, self.configured, node)
            if self.configured:
                continue
            setting = "RATELIMIT_STORAGE_URL" if library == "slowapi" else "RATELIMIT_STORAGE_URI"
            self.report(
                node,
                f"{library} `{self.ctx.code(node.func)}()` {how} and this module sets no `{setting}`, "
                f"so it counts in process memory: {_CONSEQUENCE}",
                fix=FixSpec(
                    Applicability.DISPLAY_ONLY,
                    f'Pass `storage_uri="redis://..."` (or memcached, MongoDB) so every worker shares one count, '
                    f"or set `{setting}` in the app's configuration",
                ),
            )
