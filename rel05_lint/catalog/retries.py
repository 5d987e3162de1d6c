"""Retry mechanisms (BP03): which calls and decorators retry, and how to read them.

``retry_site(ctx, node)`` is the one question the REL3xx rules ask of a
decorator or a call. It is answered once per node (a small per-file cache),
with everything the five rules need: the limit (REL301), the wait (REL302,
REL303, via ``rel05_lint.waits``) and the exceptions retried (REL304).
Library facts (defaults, positions) come from the verified catalog and are
restated in the rule pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog import waits
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN as SPREAD
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context


@dataclass(frozen=True)
class Mechanism:
    library: str
    bare: bool = False  # usable as a bare ``@decorator`` (no call)
    decorates: bool = True  # used as a decorator: the decorated function is retried


TENACITY = Mechanism("tenacity", bare=True)
TENACITY_OBJECT = Mechanism("tenacity", decorates=False)
BACKOFF = Mechanism("backoff")
RETRYING = Mechanism("retrying", bare=True)
RETRYING_OBJECT = Mechanism("retrying", decorates=False)
RETRY_PKG = Mechanism("retry")
RETRY_CALL = Mechanism("retry", decorates=False)
STAMINA = Mechanism("stamina")
STAMINA_OBJECT = Mechanism("stamina", decorates=False)
URLLIB3 = Mechanism("urllib3", decorates=False)
ADAPTER = Mechanism("requests", decorates=False)
GOOGLE = Mechanism("google-api-core", decorates=False)
CELERY = Mechanism("celery")

# qualified name -> mechanism
MECHANISMS: dict[str, Mechanism] = {
    "tenacity.retry": TENACITY,
    "tenacity.Retrying": TENACITY_OBJECT,
    "tenacity.AsyncRetrying": TENACITY_OBJECT,
    "tenacity.asyncio.AsyncRetrying": TENACITY_OBJECT,
    "tenacity.TornadoRetrying": TENACITY_OBJECT,
    "tenacity.tornadoweb.TornadoRetrying": TENACITY_OBJECT,
    "backoff.on_exception": BACKOFF,
    "backoff.on_predicate": BACKOFF,
    "backoff._decorator.on_exception": BACKOFF,
    "backoff._decorator.on_predicate": BACKOFF,
    "retrying.retry": RETRYING,
    "retrying.Retrying": RETRYING_OBJECT,
    "retry.retry": RETRY_PKG,
    "retry.api.retry": RETRY_PKG,
    "retry.api.retry_call": RETRY_CALL,
    "stamina.retry": STAMINA,
    "stamina.retry_context": STAMINA_OBJECT,
    "stamina.RetryingCaller": STAMINA_OBJECT,
    "stamina.AsyncRetryingCaller": STAMINA_OBJECT,
    # urllib3.Retry, urllib3.util.Retry, urllib3.util.retry.Retry and the copy
    # requests re-exports are one class.
    "urllib3.Retry": URLLIB3,
    "urllib3.util.Retry": URLLIB3,
    "urllib3.util.retry.Retry": URLLIB3,
    "requests.adapters.Retry": URLLIB3,
    "requests.packages.urllib3.util.retry.Retry": URLLIB3,
    "requests.packages.urllib3.util.Retry": URLLIB3,
    "requests.adapters.HTTPAdapter": ADAPTER,
    "google.api_core.retry.Retry": GOOGLE,
    "google.api_core.retry.AsyncRetry": GOOGLE,
    "google.api_core.retry.StreamingRetry": GOOGLE,
    "google.api_core.retry.AsyncStreamingRetry": GOOGLE,
    "google.api_core.retry_async.AsyncRetry": GOOGLE,
    "celery.shared_task": CELERY,
    "celery.app.shared_task": CELERY,
}
# Objects iterated to retry a block: ``for attempt in Retrying(...)``.
ATTEMPT_ITERATORS = frozenset(
    q for q, m in MECHANISMS.items() if m in (TENACITY_OBJECT, STAMINA_OBJECT) and "Caller" not in q
)
CELERY_APPS = frozenset({"celery.Celery", "celery.app.Celery", "celery.app.base.Celery"})
CELERY_TASK_BASES = frozenset({"celery.Task", "celery.app.task.Task"})
STOP_NEVER = frozenset({"tenacity.stop_never", "tenacity.stop.stop_never"})
_STOP_ANY = frozenset({"tenacity.stop_any", "tenacity.stop.stop_any"})
_STOP_ALL = frozenset({"tenacity.stop_all", "tenacity.stop.stop_all"})
_RETRY_IF_TYPE = frozenset({"tenacity.retry_if_exception_type", "tenacity.retry.retry_if_exception_type"})
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})


@dataclass(frozen=True)
class Unbounded:
    """Why a retry never gives up, and how a fix would bound it."""

    where: cst.CSTNode
    reason: str  # "has no `stop=`"
    keyword: str | None = None  # the option a fix sets; None: no fix
    existing: cst.BaseExpression | None = None  # a value the fix replaces
    compose: bool = False  # tenacity: keep the old stop and `|` the bound onto it


@dataclass(frozen=True)
class AnyError:
    where: cst.CSTNode
    reason: str


@dataclass(frozen=True)
class RetrySite:
    mechanism: Mechanism
    qualname: str
    node: cst.CSTNode  # the Decorator, or the Call when not a decorator
    call: cst.Call | None  # the configuring call; None for a bare decorator
    label: str  # "`@retry` (tenacity)"
    unbounded: Unbounded | None
    wait: waits.Wait | None  # None: the mechanism has no wait to judge
    any_error: AnyError | None

    @property
    def decorator(self) -> cst.Decorator | None:
        return self.node if isinstance(self.node, cst.Decorator) else None

    @property
    def func(self) -> cst.BaseExpression:
        """What a fix edits next to: the configuring call's callee, or the bare decorator."""
        if self.call is not None:
            return self.call.func
        assert isinstance(self.node, cst.Decorator)  # no call: a bare decorator
        return self.node.decorator

    @property
    def retries_function(self) -> bool:
        """The decorated function is retried (REL305). A Celery task retries by itself
        only with ``autoretry_for``."""
        if self.decorator is None or not self.mechanism.decorates:
            return False
        if self.mechanism is CELERY:
            return self.call is not None and args.keyword_arg(self.call, "autoretry_for") is not None
        return True


def retry_site(ctx: Context, node: cst.CSTNode) -> RetrySite | None:
    """The retry mechanism configured at ``node`` (a Decorator or a Call), if any.

    Must be asked while ``node`` is being visited (names resolve in the current
    scope). A call that is a decorator's expression answers None: the finding
    belongs to the decorator. Cached per node, so the five rules share one answer.
    """
    return ctx.memo("retry_site", node, _site)


def _site(ctx: Context, node: cst.CSTNode) -> RetrySite | None:
    if isinstance(node, cst.Decorator):
        expr = node.decorator
        if isinstance(expr, cst.Call):
            return _from_call(ctx, expr, node)
        qual = ctx.qualname(expr)
        mech = MECHANISMS.get(qual) if qual else None
        if qual is None or mech is None or not mech.bare:
            return None
        return _build(ctx, mech, qual, node, None, f"`@{ctx.code(expr)}`")
    if isinstance(node, cst.Call):
        parent = ctx.stack[-2] if len(ctx.stack) > 1 else None
        if isinstance(parent, cst.Decorator) and parent.decorator is node:
            return None
        return _from_call(ctx, node, None)
    return None


def _from_call(ctx: Context, call: cst.Call, decorator: cst.Decorator | None) -> RetrySite | None:
    qual = ctx.qualname(call.func)
    mech = MECHANISMS.get(qual) if qual else None
    if mech is None and is_celery_task_decorator(ctx, call.func):
        mech, qual = CELERY, "celery.Celery.task"
    if mech is None or qual is None:
        return None
    text = ctx.code(call.func)
    label = f"`@{text}`" if decorator is not None else f"`{text}()`"
    return _build(ctx, mech, qual, decorator or call, call, label)


def is_celery_task_decorator(ctx: Context, func: cst.BaseExpression) -> bool:
    """``app.task`` on a Celery app: built here, or imported from a module named
    ``celery``/``celery_app`` (the layout Celery's documentation uses)."""
    if not (isinstance(func, cst.Attribute) and func.attr.value == "task"):
        return False
    if ctx.instance(func.value, CELERY_APPS) is not None:
        return True
    qual = ctx.qualname(func.value)
    if qual is None or "." not in qual:
        return False
    return any(part in ("celery", "celery_app") for part in qual.split(".")[:-1])


def _build(ctx: Context, mech: Mechanism, qual: str, node, call: cst.Call | None, label: str) -> RetrySite:
    lib = mech.library
    label = f"{label} ({lib})"
    unbounded: Unbounded | None = None
    wait: waits.Wait | None = None
    any_error: AnyError | None = None
    if lib == "tenacity":
        unbounded, wait, any_error = (
            _tenacity_bound(ctx, node, call),
            waits.tenacity_wait(ctx, call),
            _tenacity_any(ctx, node, call),
        )
    elif lib == "retrying":
        unbounded, wait = _retrying_bound(ctx, node, call), waits.retrying_wait(ctx, call)
        any_error = _retrying_any(ctx, node, call)
    elif call is None:
        pass  # only tenacity and retrying decorate bare: nothing to read here
    elif lib == "backoff":
        unbounded, wait = _backoff_bound(ctx, node, call), waits.backoff_wait(ctx, call)
        if qual.endswith("on_exception"):
            any_error = _broad_arg(ctx, call, ArgSpec("exception", 1), None)
    elif lib == "retry":
        first = 3 if mech is RETRY_CALL else 0
        unbounded, wait = _retry_pkg_bound(ctx, node, call, first), waits.retry_pkg_wait(ctx, call, first)
        any_error = _broad_arg(
            ctx, call, ArgSpec("exceptions", first), node, "keeps the default `exceptions=Exception`"
        )
    elif lib == "stamina":
        unbounded = _stamina_bound(ctx, node, call)
        if "Caller" not in qual:
            wait = waits.stamina_wait(ctx, call)
            any_error = _broad_arg(ctx, call, ArgSpec("on", 0 if mech is STAMINA_OBJECT else None), None)
    elif lib == "urllib3":
        unbounded, wait = _urllib3_bound(ctx, call), waits.urllib3_wait(ctx, call)
    elif lib == "requests":
        wait = waits.adapter_wait(ctx, call)
    elif lib == "google-api-core":
        unbounded = _google_bound(ctx, call)
    elif lib == "celery":
        value = args.find(call, ArgSpec("max_retries"), ctx)
        if args.is_none(value):
            unbounded = Unbounded(_where(call, value, node), "sets `max_retries=None`")
    return RetrySite(mech, qual, node, call, label, unbounded, wait, any_error)


def _where(call: cst.Call | None, value, default: cst.CSTNode) -> cst.CSTNode:
    """The argument that carries ``value`` (the finding's location), else ``default``."""
    if call is not None:
        for arg in call.args:
            if arg.value is value:
                return arg
    return default


def _absent(value) -> bool:
    return value is None or args.is_none(value)


# --- limits (REL301) -----------------------------------------------------------------


def _tenacity_bound(ctx: Context, node, call) -> Unbounded | None:
    stop = None if call is None else args.find(call, ArgSpec("stop", 1), ctx)
    if stop is SPREAD:
        return None
    if stop is None:
        return Unbounded(node, "has no `stop=`", "stop")
    if not stop_unbounded(ctx, stop):
        return None
    direct = args.is_none(stop) or ctx.qualname(stop) in STOP_NEVER
    return Unbounded(
        _where(call, stop, node), f"stops on `{ctx.code(stop)}`, which never fires", "stop", stop, not direct
    )


def stop_unbounded(ctx: Context, expr, depth: int = 0) -> bool:
    """A tenacity stop that never fires: ``stop_never``, None, ``|`` of only such
    parts, or ``&`` with one (``stop_all`` needs every part to fire)."""
    if depth > 4:
        return False
    if args.is_none(expr) or ctx.qualname(expr) in STOP_NEVER:
        return True
    if isinstance(expr, cst.BinaryOperation):
        parts = [stop_unbounded(ctx, expr.left, depth + 1), stop_unbounded(ctx, expr.right, depth + 1)]
        if isinstance(expr.operator, cst.BitOr):
            return all(parts)
        if isinstance(expr.operator, cst.BitAnd):
            return any(parts)
        return False
    if isinstance(expr, cst.Call) and not args.has_star_args(expr):
        qual = ctx.qualname(expr.func)
        parts = [stop_unbounded(ctx, a.value, depth + 1) for a in expr.args]
        if qual in _STOP_ANY:
            return bool(parts) and all(parts)
        if qual in _STOP_ALL:
            return any(parts)
        return False
    if isinstance(expr, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(expr)
        return bound is not None and stop_unbounded(ctx, bound, depth + 1)
    return False


def _backoff_bound(ctx: Context, node, call) -> Unbounded | None:
    tries = args.find(call, ArgSpec("max_tries"), ctx)
    time = args.find(call, ArgSpec("max_time"), ctx)
    if SPREAD in (tries, time) or not (_absent(tries) and _absent(time)):
        return None
    reason = (
        "has no `max_tries` or `max_time`"
        if tries is None and time is None
        else "sets no `max_tries` or `max_time` (None)"
    )
    return Unbounded(node, reason, "max_tries", tries if isinstance(tries, cst.BaseExpression) else None)


def _retrying_bound(ctx: Context, node, call) -> Unbounded | None:
    if call is None:
        return Unbounded(node, "has no `stop_max_attempt_number` or `stop_max_delay`", "stop_max_attempt_number")
    values = [
        args.find(call, ArgSpec(k), ctx) for k in ("stop", "stop_func", "stop_max_attempt_number", "stop_max_delay")
    ]
    if SPREAD in values or not all(_absent(v) for v in values):
        return None
    count = values[2]
    existing = count if isinstance(count, cst.BaseExpression) else None
    return Unbounded(node, "has no `stop_max_attempt_number` or `stop_max_delay`", "stop_max_attempt_number", existing)


def _retry_pkg_bound(ctx: Context, node, call, first: int) -> Unbounded | None:
    tries = args.find(call, ArgSpec("tries", first + 1), ctx)
    if tries is SPREAD:
        return None
    if tries is None:
        return Unbounded(node, "keeps the default `tries=-1`", "tries")
    number = args.number_value(tries)
    if number is None or number >= 0:
        return None
    return Unbounded(_where(call, tries, node), f"sets `tries={ctx.code(tries)}`", "tries", tries)


def _stamina_bound(ctx: Context, node, call) -> Unbounded | None:
    attempts = args.find(call, ArgSpec("attempts"), ctx)
    timeout = args.find(call, ArgSpec("timeout"), ctx)
    if args.is_none(attempts) and args.is_none(timeout):
        return Unbounded(node, "sets `attempts=None` and `timeout=None`")
    return None


_URLLIB3_COUNTERS = ("connect", "read", "redirect", "status", "other")


def _urllib3_bound(ctx: Context, call) -> Unbounded | None:
    total = args.find(call, ArgSpec("total", 0), ctx)
    if not args.is_none(total):
        return None
    others = [args.find(call, ArgSpec(k, i + 1), ctx) for i, k in enumerate(_URLLIB3_COUNTERS)]
    if SPREAD in others or not all(_absent(v) for v in others):
        return None
    return Unbounded(_where(call, total, call), "sets `total=None` with no other counter")


def _google_bound(ctx: Context, call) -> Unbounded | None:
    # `deadline=` is the deprecated alias; when given it wins over `timeout`.
    deadline = args.find(call, ArgSpec("deadline"), ctx)
    value = deadline if deadline is not None else args.find(call, ArgSpec("timeout", 4), ctx)
    if not args.is_none(value):
        return None
    key = "deadline" if deadline is not None else "timeout"
    return Unbounded(_where(call, value, call), f"sets `{key}=None`, so it has no deadline")


# --- exceptions (REL304) ----------------------------------------------------------------


def is_broad(ctx: Context, expr) -> bool:
    """``Exception``/``BaseException`` (the builtins, not shadowed), alone or in a tuple."""
    if isinstance(expr, cst.Tuple):
        return any(is_broad(ctx, e.value) for e in expr.elements)
    if isinstance(expr, cst.Name) and expr.value in BROAD_EXCEPTIONS:
        return ctx.scopes.lookup(expr.value) is None
    return ctx.qualname(expr) in ("builtins.Exception", "builtins.BaseException")


def _broad_arg(ctx: Context, call, spec: ArgSpec, node, absent_reason: str | None = None) -> AnyError | None:
    value = args.find(call, spec, ctx)
    if value is None:
        return AnyError(node, absent_reason) if absent_reason and node is not None else None
    if value is SPREAD or not is_broad(ctx, value):
        return None
    return AnyError(_where(call, value, node or call), f"retries on `{ctx.code(value)}`")


def _tenacity_any(ctx: Context, node, call) -> AnyError | None:
    value = None if call is None else args.find(call, ArgSpec("retry", 3), ctx)
    if value is SPREAD:
        return None
    if value is None:
        return AnyError(node, "has no `retry=`, so it retries on every exception")
    if isinstance(value, cst.Call) and ctx.qualname(value.func) in _RETRY_IF_TYPE:
        types = args.find(value, ArgSpec("exception_types", 0), ctx)
        if types is None or (types is not SPREAD and is_broad(ctx, types)):
            return AnyError(_where(call, value, node), f"retries on `{ctx.code(value)}`, that is every exception")
    return None


def _retrying_any(ctx: Context, node, call) -> AnyError | None:
    value = None if call is None else args.find(call, ArgSpec("retry_on_exception"), ctx)
    if value is SPREAD or not _absent(value):
        return None
    return AnyError(node, "has no `retry_on_exception`, so it retries on every exception")


# --- Celery task classes ----------------------------------------------------------------


def is_celery_task_class(ctx: Context, cls: cst.ClassDef) -> bool:
    for base in cls.bases:
        if ctx.qualname(base.value) in CELERY_TASK_BASES:
            return True
        value = base.value
        if isinstance(value, cst.Attribute) and value.attr.value == "Task" and ctx.instance(value.value, CELERY_APPS):
            return True
    return False


# --- retried functions (REL305) ---------------------------------------------------------------


def retried_by(ctx: Context, decorator: cst.Decorator) -> RetrySite | None:
    """The retry that ``decorator`` wraps its function in, if any: a mechanism used
    directly, or a name bound once to one (``my_retry = retry(...)``, ``@my_retry``)."""
    site = retry_site(ctx, decorator)
    expr = decorator.decorator
    if site is None and isinstance(expr, (cst.Name, cst.Attribute)):
        value = ctx.scopes.value_of(expr)
        if isinstance(value, cst.Call):
            site = _from_call(ctx, value, decorator)
    return site if site is not None and site.retries_function else None
