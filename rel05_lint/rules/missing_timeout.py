"""REL501 missing-timeout. Page: rules/REL501.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis.timeouts import (
    FAILS_INSTEAD,
    TIMEOUT_CALL,
    TIMEOUT_EXPLICIT,
    count_timeout,
    default_value,
    ms_code,
    timeout_fix,
    waits_forever,
)
from rel05_lint.analysis.wrappers import forwards
from rel05_lint.catalog.timeouts import (
    MISSING_NAMES,
    REMOTE_WORDS,
    VERSIONED_NAMES,
    Target,
    api_classes,
    bound_in_uri,
    dsn_has_connect_timeout,
    extra_names,
    extra_table,
    lookup,
    none_members,
)
from rel05_lint.core.args import find, may_add_keyword
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec, Replace, add_keyword
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

_HANG = "if the server accepts the connection and never answers, this call waits forever"
_CONSEQUENCE = {
    "requests": _HANG,
    "urllib": f"{_HANG} (the default is the process-wide socket timeout, which is None)",
    "urllib3": f"the pool was built without one too, so {_HANG}",
    "http.client": "every request on this connection waits forever for a server that accepts and never answers",
    "socket": "the socket blocks forever on a peer that accepts the connection and never answers",
    "smtplib": "a mail server that accepts the connection and never answers blocks this client forever",
    "ftplib": "an FTP server that accepts the connection and never answers blocks this client forever",
    "imaplib": "an IMAP server that accepts the connection and never answers blocks this client forever",
    "poplib": "a POP3 server that accepts the connection and never answers blocks this client forever",
    "psycopg2": "libpq has no default connect timeout, so an unreachable or stalled database blocks the connect forever",
    "pymysql": "PyMySQL bounds only the TCP connect (10 s); a server that stops answering blocks every query forever",
    "grpc": "gRPC sets no deadline by default, so a server that hangs keeps this call waiting forever",
    "asyncpg": "asyncpg sets no query timeout by default, so a stalled database or a lock wait blocks each query forever",
    "pymongo": "pymongo leaves socket reads unbounded by default, so a server that stops answering blocks the "
    "operation forever",
    "twilio": "twilio's HTTP client passes timeout=None to requests, so a stalled API call waits forever",
    "kubernetes": "the kubernetes client sets no timeout by default, so an API server that stops answering "
    "blocks this call forever",
    "redis": "redis-py before 8.0 has no socket timeout by default, so a Redis server that stops answering blocks "
    "every command forever",
    "extra": "it is listed in extra-timeout-calls, so without it the call can wait forever on a stalled dependency",
}


class MissingTimeout(Rule):
    code = "REL501"
    name = "missing-timeout"
    best_practice = "BP05"
    summary = "A remote call whose library waits forever by default is made without a timeout"
    fix_applicability = Applicability.UNSAFE
    options = ("default-timeout", "extra-timeout-calls", "target-versions")
    counts = (TIMEOUT_CALL, TIMEOUT_EXPLICIT)
    survey_words = REMOTE_WORDS

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.extra = extra_table(settings)
        # Per instance, not per class: extra-timeout-calls come from the settings.
        self._needs = MISSING_NAMES | extra_names(settings)

    def relevant(self, facts: Facts) -> bool:
        if self._needs.found_in(facts) or api_classes(facts):
            return True
        # Version-dependent rows (redis < 8) count only when the project pins them so.
        return bool(self.settings.versions.allowed) and VERSIONED_NAMES.found_in(facts)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        hit = lookup(ctx, node, self.extra)
        if hit is None:
            if ctx.project is not None:
                self._wrapper_call(node)
            return
        if not waits_forever(self.settings, hit.target):
            return
        if hit.ctor_arg and hit.instance and not hit.instance.known_args:
            return  # known by annotation only: the pool it names may carry a timeout
        carried = find(hit.instance.call, hit.ctor_arg, ctx) if hit.ctor_arg and hit.instance else None
        if carried is not None:
            count_timeout(self, node, True, not none_members(carried))
            return  # the instance carries a timeout (or REL502 already flags its None)
        target = hit.target
        for spec in target.args:
            given = find(node, spec, ctx)
            if given is not None:
                count_timeout(self, node, True, not none_members(given))
                return  # given (a literal None is REL502), or a spread that may hold it
        if bound_in_uri(ctx, node, target) or (target.library == "psycopg2" and dsn_has_connect_timeout(ctx, node)):
            count_timeout(self, node, True, True)
            return
        count_timeout(self, node, False, False)
        keyword = target.arg.keyword
        what = " or ".join(a.keyword for a in target.args)
        if target.uri is not None:
            what += " (keyword or in a literal URI)"
        consequence = _CONSEQUENCE[target.library]
        if not target.missing:
            allowed = self.settings.versions.get(target.missing_below[0]) if target.missing_below else None
            if allowed is not None:
                consequence += f" (this project allows {allowed.describe()})"
        self.report(node, f"`{hit.display}()` has no {what}: {consequence}", fix=self._fix(node, target, keyword))

    def _wrapper_call(self, node: cst.Call) -> None:
        """E2: a call of a project function that forwards its bound to a remote call."""
        found = forwards(self.ctx, node)
        if found is None:
            return
        count_timeout(self, node, False, False)
        wrap, target = found.wrap, found.target
        keyword = target.arg.keyword if wrap.how == "spread" else wrap.param
        name = _display(self.ctx.code(node.func))
        message = (
            f"`{name}()` forwards to `{found.inner}()` without a {target.arg.keyword}: {_CONSEQUENCE[target.library]}"
        )
        fix = None
        if target.unit == 1 and target.advice is None:
            fix = timeout_fix(
                self.ctx,
                keyword,
                lambda code: f"Add `{keyword}={code}` (the wrapper passes it on; {FAILS_INSTEAD})",
                lambda code: Replace(node, add_keyword(node, keyword, code)),
            )
        self.report(node, message, fix=fix)

    def _fix(self, node: cst.Call, target: Target, keyword: str) -> FixSpec | None:
        if target.advice is not None:
            value = default_value(self.ctx, "timeout")
            shown = target.advice.format(value[0] if value else self.settings.timeout_code)
            return FixSpec(
                Applicability.DISPLAY_ONLY,
                f"Pass `{keyword}={shown}` (from twilio.http.http_client; {FAILS_INSTEAD})",
            )
        if not may_add_keyword(node, keyword, self.ctx):
            return None  # a spread or *args may already pass it: the keyword would clash
        if target.unit != 1:
            return timeout_fix(
                self.ctx,
                keyword,
                lambda code: (
                    f"Add `{keyword}={ms_code(code)}` (milliseconds: default-timeout {code} s x 1000; {FAILS_INSTEAD})"
                ),
                lambda code: Replace(node, add_keyword(node, keyword, ms_code(code))),
            )
        return timeout_fix(
            self.ctx,
            keyword,
            lambda code: f"Add `{keyword}={code}` ({FAILS_INSTEAD})",
            lambda code: Replace(node, add_keyword(node, keyword, code)),
        )


def _display(text: str) -> str:
    return text if "\n" not in text and len(text) <= 60 else text.split("\n", 1)[0][:57] + "..."
