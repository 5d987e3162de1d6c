"""REL504 excessive-timeout. Page: rules/REL504.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.catalog.timeouts import (
    LOCAL_WAIT_NAMES,
    LONG_DEFAULT_NAMES,
    LONG_DEFAULTS,
    LOOKUP_NAMES,
    REMOTE_WORDS,
    TIMEOUT_OBJECT_NAMES,
    api_classes,
    extra_names,
    extra_table,
    local_wait,
    lookup,
    timeout_object,
    written_in,
)
from rel05_lint.core.args import find, is_none, number_value
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

TIMEOUT_VALUE = Kind("timeout-value", "BP05", "timeout values", "within max-timeout")

_CONSEQUENCE = (
    "a stalled dependency holds this caller (its thread, connection or task) that long, longer than "
    "the callers upstream wait, so they give up and retry while the stuck work piles up"
)


class ExcessiveTimeout(Rule):
    code = "REL504"
    name = "excessive-timeout"
    best_practice = "BP05"
    summary = "A literal timeout above max-timeout, or a client left on a long default above it"
    default_enabled = False
    options = ("max-timeout", "extra-timeout-calls")
    counts = (TIMEOUT_VALUE,)
    survey_words = (
        *REMOTE_WORDS,
        *("httpx", "aiohttp", "asyncio", "subprocess", "concurrent", "openai", "anthropic", "botocore", "sqlalchemy"),
    )

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.extra = extra_table(settings)
        # Per instance, not per class: extra-timeout-calls come from the settings.
        self._needs = (
            LOOKUP_NAMES | TIMEOUT_OBJECT_NAMES | LOCAL_WAIT_NAMES | LONG_DEFAULT_NAMES | extra_names(settings)
        )

    def relevant(self, facts: Facts) -> bool:
        return self._needs.found_in(facts) or api_classes(facts)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        limit = self.settings.max_timeout
        for display, keyword, value, unit in self._timeouts(node):
            members = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
            for literal in [el.value for el in members] if members is not None else [value]:
                seconds = number_value(literal)
                if seconds is not None:
                    seconds *= unit
                    self.count(TIMEOUT_VALUE, seconds <= limit, literal)
                if seconds is None or seconds <= limit:
                    continue
                self.report(
                    literal if written_in(node, literal) else node,
                    f"`{display}()` allows {seconds:g} s (`{keyword}`), above max-timeout ({limit:g} s): {_CONSEQUENCE}",
                )
        qual = ctx.qualname(node.func)
        long = LONG_DEFAULTS.get(qual) if qual is not None else None
        if long is not None:
            self._long_default(node, long, limit)

    def _long_default(self, node: cst.Call, long, limit: float) -> None:
        """A client left on a bounded but long default (aiohttp 300 s, OpenAI/Anthropic 600 s)."""
        ctx = self.ctx
        value = find(node, long.arg, ctx)
        default = value is None or (long.none_is_default and is_none(value))
        seconds = number_value(value)
        if seconds is not None and isinstance(value, cst.BaseExpression):
            self.count(TIMEOUT_VALUE, seconds <= limit, value)
            if seconds > limit:
                self.report(
                    value if written_in(node, value) else node,
                    f"`{ctx.code(node.func)}()` allows {seconds:g} s (`{long.arg.keyword}`), above max-timeout "
                    f"({limit:g} s): {_CONSEQUENCE}",
                )
            return
        if long.seconds <= limit:
            return
        self.count(TIMEOUT_VALUE, not default, node)
        if default:  # for aiohttp, None at the session also means the default
            self.report(
                node,
                f"`{ctx.code(node.func)}()` keeps {long.library}'s default timeout of "
                f"{long.seconds:g} s, above max-timeout ({limit:g} s): {_CONSEQUENCE}",
            )

    def _timeouts(self, node: cst.Call):
        """(call name, keyword, value expression) for each timeout the call is given."""
        ctx = self.ctx
        obj = timeout_object(ctx, node)
        if obj is not None:
            qual, spec = obj
            for field in spec.fields:
                yield qual, field.keyword, find(node, field, ctx), 1
            return
        hit = lookup(ctx, node, self.extra) or local_wait(ctx, node)
        if hit is not None:
            for arg in hit.target.args:
                yield hit.display, arg.keyword, find(node, arg, ctx), hit.target.unit
