"""REL504 excessive-timeout. Page: rules/REL504.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from rel05_lint.catalog.timeouts import (
    AIOHTTP_SESSIONS,
    LOCAL_WAIT_NAMES,
    LOOKUP_NAMES,
    REMOTE_WORDS,
    TIMEOUT_OBJECT_NAMES,
    extra_names,
    extra_table,
    grpc_stub,
    local_wait,
    lookup,
    timeout_object,
    written_in,
)
from rel05_lint.core.args import ArgSpec, find, is_none, number_value
from rel05_lint.core.prefilter import Names
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

TIMEOUT_VALUE = Kind("timeout-value", "BP05", "timeout values", "within max-timeout")

AIOHTTP_DEFAULT_TOTAL = 300  # aiohttp's DEFAULT_TIMEOUT: ClientTimeout(total=300, sock_connect=30)
_CONSEQUENCE = (
    "a stalled dependency holds this caller (its thread, connection or task) that long, longer than "
    "the callers upstream wait, so they give up and retry while the stuck work piles up"
)


class ExcessiveTimeout(Rule):
    code = "REL504"
    name = "excessive-timeout"
    best_practice = "BP05"
    summary = "A literal timeout above max-timeout, or an aiohttp session left on its 300 s default"
    default_enabled = False
    options = ("max-timeout", "extra-timeout-calls")
    counts = (TIMEOUT_VALUE,)
    survey_words = (*REMOTE_WORDS, "httpx", "aiohttp", "asyncio", "subprocess", "concurrent")

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.extra = extra_table(settings)
        # Per instance, not per class: extra-timeout-calls come from the settings.
        self._needs = (
            LOOKUP_NAMES | TIMEOUT_OBJECT_NAMES | LOCAL_WAIT_NAMES | Names(AIOHTTP_SESSIONS) | extra_names(settings)
        )

    def relevant(self, facts: Facts) -> bool:
        return self._needs.found_in(facts) or grpc_stub(facts)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        limit = self.settings.max_timeout
        for display, keyword, value in self._timeouts(node):
            members = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
            for literal in [el.value for el in members] if members is not None else [value]:
                seconds = number_value(literal)
                if seconds is not None:
                    self.count(TIMEOUT_VALUE, seconds <= limit, literal)
                if seconds is None or seconds <= limit:
                    continue
                self.report(
                    literal if written_in(node, literal) else node,
                    f"`{display}()` allows {seconds:g} s (`{keyword}`), above max-timeout ({limit:g} s): {_CONSEQUENCE}",
                )
        if ctx.qualname(node.func) in AIOHTTP_SESSIONS and limit < AIOHTTP_DEFAULT_TOTAL:
            value = find(node, ArgSpec("timeout"), ctx)
            self.count(TIMEOUT_VALUE, not (value is None or is_none(value)), node)
            if value is None or is_none(value):  # None at the session also means the default
                self.report(
                    node,
                    f"`{ctx.code(node.func)}()` keeps aiohttp's default total timeout of "
                    f"{AIOHTTP_DEFAULT_TOTAL} s, above max-timeout ({limit:g} s): {_CONSEQUENCE}",
                )

    def _timeouts(self, node: cst.Call):
        """(call name, keyword, value expression) for each timeout the call is given."""
        ctx = self.ctx
        obj = timeout_object(ctx, node)
        if obj is not None:
            qual, spec = obj
            for field in spec.fields:
                yield qual, field.keyword, find(node, field, ctx)
            return
        hit = lookup(ctx, node, self.extra) or local_wait(ctx, node)
        if hit is not None:
            yield hit.display, hit.target.arg.keyword, find(node, hit.target.arg, ctx)
