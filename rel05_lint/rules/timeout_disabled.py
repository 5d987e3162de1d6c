"""REL502 timeout-disabled. Page: rules/REL502.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis.timeouts import (
    FAILS_INSTEAD,
    TIMEOUT_CALL,
    TIMEOUT_EXPLICIT,
    bounded_by_version,
    count_timeout,
    default_value,
    ms_code,
    timeout_fix,
)
from rel05_lint.catalog.timeouts import (
    LOOKUP_NAMES,
    TIMEOUT_OBJECT_NAMES,
    URLLIB3_POOLS,
    ZERO_OFF_NAMES,
    Target,
    TimeoutObject,
    api_classes,
    extra_names,
    extra_table,
    lookup,
    none_members,
    timeout_object,
    uri_options,
    written_in,
)
from rel05_lint.core.args import UNKNOWN, find, is_none, number_value
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec, Replace, add_keyword
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

_HANG = "a peer that accepts the connection and never answers blocks this call forever"
# What None means for each library, where it says more than "no timeout".
_CONSEQUENCE = {
    "httpx": "it switches off httpx's 5 s default for every phase, so a stalled server holds this call forever",
    "aiohttp": "a per-request None drops even the session's 300 s total, so a stalled server holds this request forever",
    "redis": "it undoes redis-py's 5 s default, so a Redis server that stops answering blocks every command forever",
    "grpc": "the call gets no deadline and waits forever on a server that hangs",
    "psycopg2": "libpq then waits forever for an unreachable or stalled database",
    "pymysql": "every query then waits forever on a server that stops answering",
    "asyncio": "the awaited work gets no deadline and can wait forever",
    "asyncpg": "every query then waits forever on a stalled database or a lock it cannot get",
    "pymongo": "0 and None both mean no limit, so a server that stops answering blocks the operation forever",
    "sqlalchemy": "when the pool is exhausted, a caller waits forever for a connection instead of failing after 30 s",
    "botocore": "it removes botocore's 60 s default, so a stalled AWS endpoint holds this client's calls forever",
    "kubernetes": "the call then waits forever on an API server that stops answering",
    "twilio": "the client then builds its default TwilioHttpClient, which passes timeout=None to requests",
}
_SPECIAL = {
    "socket.setdefaulttimeout": "every new socket (urllib, http.client, smtplib, ftplib, urllib3 pools left at "
    "their default) then blocks forever on a peer that stops answering",
    "urllib3.request": "it drops the module function's 3 s default, so " + _HANG,
    "socket.settimeout": "the socket goes back to blocking mode, so connect, recv and send wait forever",
    **{
        name: "when every connection is taken, a caller waits forever for one instead of failing after 20 s"
        for name in (
            "redis.BlockingConnectionPool",
            "redis.connection.BlockingConnectionPool",
            "redis.asyncio.BlockingConnectionPool",
            "redis.asyncio.connection.BlockingConnectionPool",
        )
    },
}
# Timeout setters and deadlines, not remote calls: the report does not count them.
_NOT_CLIENTS = frozenset({"socket", "asyncio"})
_POOL = "every request through this pool then waits forever for a server that accepts the connection and never answers"
_OBJECT_CONSEQUENCE = {
    "aiohttp": "every field is None, so a request using it never times out, not even after the session's 300 s",
    "urllib3": "connect and read fall back to the socket default, None, so a request using it can wait forever",
    "httpx": "connect, read, write and pool waits all become unlimited",
}


class TimeoutDisabled(Rule):
    code = "REL502"
    name = "timeout-disabled"
    best_practice = "BP05"
    summary = "An explicit None (or an empty timeout object) switches a client timeout off"
    fix_applicability = Applicability.UNSAFE
    options = ("default-timeout", "extra-timeout-calls", "target-versions")
    counts = (TIMEOUT_CALL, TIMEOUT_EXPLICIT)
    # Only the bounded-default libraries: REL501 counts the others.
    survey_words = ("urllib3", "httpx", "redis", "aiohttp", "sqlalchemy", "botocore")
    # Every finding needs a literal None, except ClientTimeout()/urllib3.Timeout().

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.extra = extra_table(settings)
        self._needs = LOOKUP_NAMES | extra_names(settings)

    def relevant(self, facts: Facts) -> bool:
        # Every finding needs a literal None, except ClientTimeout()/urllib3.Timeout().
        return (
            (facts.has("None") and (self._needs.found_in(facts) or api_classes(facts)))
            or TIMEOUT_OBJECT_NAMES.found_in(facts)
            or ZERO_OFF_NAMES.found_in(facts)  # socketTimeoutMS=0, in a keyword or a URI
        )

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        obj = timeout_object(ctx, node)
        if obj is not None:
            self._timeout_object(node, *obj)
            return
        hit = lookup(ctx, node, self.extra)
        if hit is None:
            return
        target = hit.target
        if bounded_by_version(self.settings, target.bounded_from) is not None:
            return  # aiohttp 4: a request's None falls back to the session's timeout
        if hit.key in URLLIB3_POOLS:
            consequence = _POOL
        else:
            consequence = _SPECIAL.get(hit.key, _CONSEQUENCE.get(target.library, _HANG))
        counted = False
        for spec in target.args:
            value = find(node, spec, ctx)
            if not target.missing and target.library not in _NOT_CLIENTS and hit.key not in URLLIB3_POOLS:
                # A client bounded by default (REL501 counts the others); pools are
                # judged at each request through them. Counted once, at its first bound.
                if not counted:
                    count_timeout(self, node, value is not None, not none_members(value))
                counted = True
            if value is None or value is UNKNOWN:
                continue
            offs: list[tuple[cst.BaseExpression, str]] = [(n, "None") for n in none_members(value)]
            if target.zero_off and number_value(value) == 0:
                offs.append((value, ctx.code(value)))
            for off, shown in offs:
                if off is value:
                    how = (
                        f"`{spec.keyword}={shown}`" if _by_keyword(node, value) else f"`{shown}` as its {spec.keyword}"
                    )
                else:
                    how = f"`None` inside its `{spec.keyword}`"
                direct = written_in(node, off)
                self.report(
                    off if direct else node,
                    f"`{hit.display}()` gets {how}: {consequence}",
                    fix=self._replace(off, shown, spec.keyword, target) if direct else None,
                )
        if target.uri is not None:
            self._uri(node, hit.display, target, consequence)

    def _uri(self, node: cst.Call, display: str, target: Target, consequence: str) -> None:
        """pymongo: ``socketTimeoutMS=0`` (or ``timeoutMS=0``) in a literal URI's query."""
        options = uri_options(self.ctx, node, target.uri) if target.uri else None
        for spec in target.args if options else ():
            found = options.get(spec.keyword.lower()) if options else None
            if found is None or found[0].lower() not in ("0", "none"):
                continue
            literal = found[1]
            self.report(
                literal if written_in(node, literal) else node,
                f"`{display}()` gets `{spec.keyword}={found[0]}` in its URI: {consequence}",
            )

    def _replace(self, off: cst.BaseExpression, shown: str, keyword: str, target: Target) -> FixSpec | None:
        if target.advice is not None:
            value = default_value(self.ctx, "timeout")
            advice = target.advice.format(value[0] if value else self.settings.timeout_code)
            return FixSpec(Applicability.DISPLAY_ONLY, f"Pass `{keyword}={advice}` ({FAILS_INSTEAD})")
        if target.unit != 1:
            return timeout_fix(
                self.ctx,
                keyword,
                lambda code: (
                    f"Replace `{shown}` with `{ms_code(code)}` (milliseconds: default-timeout {code} s "
                    f"x 1000; {FAILS_INSTEAD})"
                ),
                lambda code: Replace(off, cst.parse_expression(ms_code(code))),
            )
        return timeout_fix(
            self.ctx,
            keyword,
            lambda code: f"Replace `{shown}` with `{code}` ({FAILS_INSTEAD})",
            lambda code: Replace(off, cst.parse_expression(code)),
        )

    def _timeout_object(self, node: cst.Call, qual: str, obj: TimeoutObject) -> None:
        ctx = self.ctx
        if bounded_by_version(self.settings, obj.bounded_from) is not None:
            return  # aiohttp 4: ClientTimeout() has a 300 s total
        values = [find(node, f, ctx) for f in obj.fields]
        if any(v is UNKNOWN or (v is not None and not is_none(v)) for v in values):
            return  # some bound is set (or may be, through a spread)
        if obj.explicit_none and values[0] is None:
            return  # httpx.Timeout() without a default is a ValueError, not a hang
        shown = f"{qual}(None)" if obj.explicit_none else f"{qual}()"
        self.report(
            node,
            f"`{shown}` sets no bound: {_OBJECT_CONSEQUENCE[obj.library]}",
            fix=self._fill_object(node, obj, values),
        )

    def _fill_object(self, node: cst.Call, obj: TimeoutObject, values: list) -> FixSpec | None:
        if any(arg.star for arg in node.args):
            return None  # a literal spread holds the None; editing it is not worth the risk
        value = default_value(self.ctx, "timeout")
        if value is None:
            return None
        code, changes = value
        new_value = cst.parse_expression(code)
        nones = {id(v) for v in values if v is not None}
        args = [a.with_changes(value=new_value) if id(a.value) in nones else a for a in node.args]
        new = node.with_changes(args=args)
        steps = [f"replace each `None` with `{code}`"] if nones else []
        if obj.add_on_fix is not None and not nones:  # nothing given at all: set the overall bound
            new = add_keyword(new, obj.add_on_fix, code)
            steps.append(f"set `{obj.add_on_fix}={code}`")
        what = " and ".join(steps)
        what = what[0].upper() + what[1:]
        return FixSpec(Applicability.UNSAFE, what, [Replace(node, new), *changes])


def _by_keyword(call: cst.Call, value: cst.CSTNode) -> bool:
    return any(a.keyword is not None and a.value is value for a in call.args) or not any(
        a.value is value for a in call.args
    )
