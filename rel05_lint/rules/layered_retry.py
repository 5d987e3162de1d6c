"""REL306 layered-retry. Page: rules/REL306.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.analysis.retry_layers import Outer, enclosing_retry
from rel05_lint.analysis.retry_loops import may_retry
from rel05_lint.analysis.retry_rule import SURVEY_WORDS
from rel05_lint.catalog.clients import (
    CLIENT_ERROR_PACKAGES,
    FOREIGN_ERROR_PACKAGES,
    RETRYING_NAMES,
    ClientCall,
    Layer,
    adapter_attempts,
    client_call,
)
from rel05_lint.catalog.sessions import REQUESTS_SESSION
from rel05_lint.core import args
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts
    from rel05_lint.core.rule import Context

RETRY_LAYER = Kind(
    "retry-layer",
    "BP03",
    "calls inside a retry on clients that retry by themselves",
    "with the client's own retries off",
    headline=True,
)
_MOUNT_ADAPTER = ArgSpec("adapter", 1)


class LayeredRetry(Rule):
    """A retrying client called from retried code.

    A requests Session's retries come from the adapters mounted on it, which
    may be mounted after the call is written (``__init__`` below a method), so
    Session calls are judged in ``finish``.
    """

    code = "REL306"
    name = "layered-retry"
    best_practice = "BP03"
    summary = "A client that retries by itself is called inside another retry"
    fix_applicability = Applicability.DISPLAY_ONLY
    counts = (RETRY_LAYER,)
    survey_words = SURVEY_WORDS

    def relevant(self, facts: Facts) -> bool:
        return may_retry(facts) and RETRYING_NAMES.found_in(facts)

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self.sessions: list[tuple[cst.Call, ClientCall, Outer]] = []
        self.mounts: dict[int, list[int | None]] = {}  # id(Session(...) call) -> attempts per adapter

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "mount":
            session = ctx.instance(func.value, REQUESTS_SESSION)
            if session is not None:
                adapter = args.find(node, _MOUNT_ADAPTER, ctx)
                attempts = adapter_attempts(ctx, adapter) if isinstance(adapter, cst.BaseExpression) else None
                self.mounts.setdefault(id(session.call), []).append(attempts)
            return
        found = client_call(ctx, node)
        if found is None:
            return
        outer = enclosing_retry(ctx)
        if outer is None:
            return
        if found.layer is None:
            self.sessions.append((node, found, outer))
            return
        self._judge(node, found, found.layer, outer)

    def finish(self) -> None:
        for node, found, outer in self.sessions:
            assert found.instance is not None  # a Session call names its session
            mounted = self.mounts.get(id(found.instance.call), [])
            known = [a for a in mounted if a is not None]
            # An adapter the file does not show: cannot judge.
            attempts = None if len(known) < len(mounted) else max(known, default=1)
            layer = Layer("requests", "requests Session", attempts, advice="mount an adapter with `max_retries=0`")
            if attempts is not None and attempts <= 1:
                self.count(RETRY_LAYER, True, node)
                continue  # no adapter with retries: requests itself does not retry
            self._judge(node, found, layer, outer, note=" (an `HTTPAdapter(max_retries=...)` is mounted on it)")

    def _judge(self, node: cst.Call, found: ClientCall, layer: Layer, outer: Outer, note: str = "") -> None:
        if layer.attempts is None:
            return  # a value the file does not show (a spread, a setting): cannot judge
        if layer.attempts <= 1 or _disjoint(outer, layer):
            # Its retries are off, or the outer retry never sees this client's errors.
            self.count(RETRY_LAYER, True, node)
            return
        self.count(RETRY_LAYER, False, node)
        inner = f"{layer.attempts} {layer.library} attempts"
        if layer.note:
            inner = f"{inner} {layer.note}"
        if outer.attempts is not None:
            total = outer.attempts * layer.attempts
            product = f"{outer.attempts} {outer.layer} attempts x {inner} = {total} calls per operation"
        elif outer.unbounded:
            product = f"an unbounded {outer.layer} retry, each attempt making up to {inner}"
        else:
            product = f"every {outer.layer} attempt makes up to {inner}"
        self.report(
            node,
            f"`{found.display}()` runs inside {outer.label}, and the {layer.client}{note} retries by itself: "
            f"{product}, multiplying the load on a dependency that is already failing",
            fix=FixSpec(
                Applicability.DISPLAY_ONLY,
                f"Keep one retry layer: {layer.advice}, or drop the outer retry",
            ),
        )


def _disjoint(outer: Outer, layer: Layer) -> bool:
    """The outer retry catches only another library's errors, which this client never raises."""
    if not outer.catches:
        return False
    own = CLIENT_ERROR_PACKAGES.get(layer.library, frozenset())
    for qual in outer.catches:
        top = qual.split(".")[0]
        if top not in FOREIGN_ERROR_PACKAGES or top in own:
            return False
    return True
