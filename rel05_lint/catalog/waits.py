"""The one wait analysis behind REL302 and REL303.

Every retry mechanism's delay between attempts reduces to a ``Wait``: does it
grow (none / constant / growing, or unknown), and does randomness feed it.
REL303 fires on none/constant, REL302 on growing without randomness, so the
two can never fire on the same wait. Unknown never fires anything.

Readers for each library's options live here too, so that "what does this
wait do" is answered in one place for decorators, ``Retrying`` objects,
urllib3 ``Retry`` and hand-written loops alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN as SPREAD
from rel05_lint.core.args import ArgSpec
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

NONE = "none"  # no delay at all: attempts come back to back
CONSTANT = "constant"  # a delay that does not grow (fixed, or random in a fixed range)
GROWING = "growing"  # the delay grows with the attempt number
UNKNOWN = "unknown"  # cannot tell (custom wait, spread, helper function)

_RANK = {NONE: 0, CONSTANT: 1, GROWING: 2}


@dataclass(frozen=True)
class Wait:
    growth: str
    random: bool = False
    describe: str = ""  # what the code does, for messages ("has no `wait=`")
    where: cst.CSTNode | None = None  # the argument carrying the wait; None: the retry itself
    renames: tuple[cst.Call, ...] = ()  # tenacity wait_exponential(...) calls a fix can jitter
    jitter_off: cst.Arg | None = None  # backoff's `jitter=None`, which a fix removes

    @property
    def no_backoff(self) -> bool:  # REL303
        return self.growth in (NONE, CONSTANT)

    @property
    def unjittered(self) -> bool:  # REL302
        return self.growth == GROWING and not self.random


UNKNOWN_WAIT = Wait(UNKNOWN)


def combine(parts: list[Wait]) -> Wait:
    """A sum of waits (tenacity ``+``/``wait_combine``, several sleeps): it grows if
    any part grows, and is random if any part is."""
    if not parts or any(p.growth == UNKNOWN for p in parts):
        return UNKNOWN_WAIT
    growth = max((p.growth for p in parts), key=_RANK.__getitem__)
    renames = tuple(c for p in parts for c in p.renames)
    return Wait(growth, any(p.random for p in parts), renames=renames)


def _short(qual: str | None, *modules: str) -> str | None:
    """``tenacity.wait.wait_fixed`` -> ``wait_fixed`` when it lives in one of ``modules``."""
    if qual is None:
        return None
    for module in modules:
        if qual.startswith(module + "."):
            return qual.rsplit(".", 1)[1]
    return None


def _arg_node(call: cst.Call, value) -> cst.CSTNode | None:
    for arg in call.args:
        if arg.value is value:
            return arg
    return None


def _num(node) -> float | None:
    return args.number_value(node) if isinstance(node, cst.CSTNode) else None


# --- tenacity -----------------------------------------------------------------

_TENACITY = ("tenacity", "tenacity.wait")
_TENACITY_JITTERED = {"wait_random_exponential", "wait_full_jitter", "wait_exponential_jitter"}


def tenacity_wait(ctx: Context, call: cst.Call | None) -> Wait:
    """``wait=`` of ``@retry``/``Retrying``; a bare decorator has none (tenacity then
    retries at once: its default is ``wait_none()``)."""
    value = None if call is None else args.find(call, ArgSpec("wait", 2), ctx)
    if value is SPREAD:
        return UNKNOWN_WAIT
    if value is None:
        return Wait(NONE, describe="has no `wait=`")
    assert call is not None  # value came from it
    w = tenacity_expr(ctx, value)
    where = _arg_node(call, value) or value  # the value itself when it sits in a `**{...}` spread
    return Wait(w.growth, w.random, f"waits `{ctx.code(value)}`", where, w.renames)


def tenacity_expr(ctx: Context, expr: cst.BaseExpression, depth: int = 0) -> Wait:
    """Classify a tenacity wait expression, including ``+`` sums and names bound once."""
    if depth > 4:
        return UNKNOWN_WAIT
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return combine([tenacity_expr(ctx, expr.left, depth + 1), tenacity_expr(ctx, expr.right, depth + 1)])
    if isinstance(expr, (cst.Name, cst.Attribute)):
        bound = ctx.scopes.value_of(expr)
        return tenacity_expr(ctx, bound, depth + 1) if bound is not None else UNKNOWN_WAIT
    if not isinstance(expr, cst.Call):
        return UNKNOWN_WAIT
    name = _short(ctx.qualname(expr.func), *_TENACITY)
    if name is None:
        return UNKNOWN_WAIT
    if name == "wait_none":
        return Wait(NONE)
    if name == "wait_fixed":
        return Wait(CONSTANT)
    if name == "wait_random":
        return Wait(CONSTANT, random=True)
    if name in _TENACITY_JITTERED:
        return Wait(GROWING, random=True)
    if name == "wait_exponential":
        base = args.find(expr, ArgSpec("exp_base", 2), ctx)
        growth = CONSTANT if _num(base) == 1 else GROWING
        return Wait(growth, renames=(expr,))
    if name == "wait_incrementing":
        step = args.find(expr, ArgSpec("increment", 1), ctx)
        return Wait(CONSTANT if _num(step) == 0 else GROWING)
    if name in ("wait_combine", "wait_chain"):
        if args.has_star_args(expr):
            return UNKNOWN_WAIT
        parts = [tenacity_expr(ctx, a.value, depth + 1) for a in expr.args]
        w = combine(parts)
        if name == "wait_chain" and len(parts) > 1 and w.growth == CONSTANT:
            # A chain steps from one wait to the next: a stepped backoff.
            return Wait(GROWING, w.random, renames=w.renames)
        return w
    return UNKNOWN_WAIT  # wait_exception and anything newer: computed at run time


# --- backoff ------------------------------------------------------------------

_BACKOFF = ("backoff", "backoff._wait_gen")


def backoff_wait(ctx: Context, call: cst.Call) -> Wait:
    """backoff's wait generator, with the decorator's ``jitter`` (``full_jitter`` by default)."""
    gen = args.find(call, ArgSpec("wait_gen", 0), ctx)
    if gen is None or gen is SPREAD:
        return UNKNOWN_WAIT
    name = _short(ctx.qualname(gen), *_BACKOFF)
    jitter = args.find(call, ArgSpec("jitter"), ctx)
    jitter_arg = args.keyword_arg(call, "jitter") if args.is_none(jitter) else None
    random = not args.is_none(jitter)  # absent, unknown or a function: jittered
    where = _arg_node(call, gen)
    if name == "constant":
        return Wait(CONSTANT, random, f"uses `{ctx.code(gen)}`", where)
    if name in ("expo", "fibo"):
        base = args.find(call, ArgSpec("base"), ctx)  # a wait_gen keyword passed through
        if name == "expo" and _num(base) == 1:
            return Wait(CONSTANT, random, f"uses `{ctx.code(gen)}` with `base=1`", where)
        if not random:
            return Wait(GROWING, False, "passes `jitter=None`", jitter_arg, jitter_off=jitter_arg)
        return Wait(GROWING, True, where=where)
    return UNKNOWN_WAIT  # backoff.runtime or a custom generator


# --- retrying -----------------------------------------------------------------

_RETRYING_KEYS = (
    "wait",
    "wait_func",
    "wait_fixed",
    "wait_random_min",
    "wait_random_max",
    "wait_incrementing_start",
    "wait_incrementing_increment",
    "wait_exponential_multiplier",
    "wait_exponential_max",
    "wait_jitter_max",
)


def retrying_wait(ctx: Context, call: cst.Call | None) -> Wait:
    """retrying takes the max of every wait option given; none given means 0 ms."""
    if call is None:
        return Wait(NONE, describe="has no wait option")
    found = {}
    for key in _RETRYING_KEYS:
        value = args.find(call, ArgSpec(key), ctx)
        if value is SPREAD:
            return UNKNOWN_WAIT
        if value is not None and not args.is_none(value):
            found[key] = value
    if "wait" in found or "wait_func" in found:
        return UNKNOWN_WAIT
    exp = next((found[k] for k in ("wait_exponential_multiplier", "wait_exponential_max") if k in found), None)
    inc = next((found[k] for k in ("wait_incrementing_start", "wait_incrementing_increment") if k in found), None)
    rnd = "wait_random_min" in found or "wait_random_max" in found
    jitter = "wait_jitter_max" in found
    grower = exp if exp is not None else inc
    if grower is not None:
        key = "wait_exponential_*" if exp is not None else "wait_incrementing_*"
        return Wait(GROWING, jitter, f"uses `{key}` with no `wait_jitter_max`")
    if "wait_fixed" in found or rnd:
        value = found.get("wait_fixed")
        where = _arg_node(call, value) if value is not None else None
        text = (
            f"waits a fixed `wait_fixed={ctx.code(value)}`"
            if value is not None
            else "waits a random but constant range"
        )
        return Wait(CONSTANT, rnd or jitter, text, where)
    return Wait(NONE, jitter, "has no wait option")


# --- the `retry` package ---------------------------------------------------------


def retry_pkg_wait(ctx: Context, call: cst.Call, first: int) -> Wait:
    """``retry(exceptions, tries, delay, max_delay, backoff, jitter)``; ``first`` is the
    position of ``exceptions`` (0 for the decorator, 3 for ``retry_call``).

    Each round: sleep(delay); delay *= backoff; delay += jitter (a number adds a
    fixed amount, a (min, max) tuple a random one)."""
    delay = args.find(call, ArgSpec("delay", first + 2), ctx)
    factor = args.find(call, ArgSpec("backoff", first + 4), ctx)
    jitter = args.find(call, ArgSpec("jitter", first + 5), ctx)
    if SPREAD in (delay, factor, jitter):
        return UNKNOWN_WAIT
    delay_v = 0 if delay is None else _num(delay)
    factor_v = 1 if factor is None else _num(factor)
    if factor_v is None:
        return UNKNOWN_WAIT
    random = isinstance(jitter, cst.Tuple)
    jitter_v = 0 if jitter is None else (1 if random else _num(jitter))
    if jitter_v is None:
        return UNKNOWN_WAIT
    if (factor_v > 1 and delay_v != 0) or jitter_v != 0:
        return Wait(GROWING, random, "grows `delay` with a numeric `jitter` (a fixed amount, not random)")
    if delay_v == 0 or not isinstance(delay, cst.BaseExpression):
        return Wait(NONE, random, "keeps the default `delay=0`" if delay is None else "sets `delay=0`")
    return Wait(CONSTANT, random, f"waits a fixed `delay={ctx.code(delay)}` (`backoff=1`)", _arg_node(call, delay))


# --- stamina ------------------------------------------------------------------


def stamina_wait(ctx: Context, call: cst.Call) -> Wait:
    """stamina: ``wait_initial * wait_exp_base**n + uniform(0, wait_jitter)``, jittered by default."""
    base = args.find(call, ArgSpec("wait_exp_base"), ctx)
    jitter = args.find(call, ArgSpec("wait_jitter"), ctx)
    if SPREAD in (base, jitter):
        return UNKNOWN_WAIT
    random = _num(jitter) != 0
    if _num(base) == 1:
        return Wait(CONSTANT, random, "sets `wait_exp_base=1`", _arg_node(call, base))
    return Wait(GROWING, random, "sets `wait_jitter=0`", _arg_node(call, jitter))


# --- urllib3 / requests ---------------------------------------------------------


def urllib3_wait(ctx: Context, call: cst.Call) -> Wait | None:
    """urllib3 ``Retry``: ``backoff_factor`` (default 0: no backoff) and
    ``backoff_jitter`` (default 0.0: no jitter). None when it never retries."""
    total = args.find(call, ArgSpec("total", 0), ctx)
    if (isinstance(total, cst.Name) and total.value == "False") or _num(total) == 0:
        return None
    factor = args.find(call, ArgSpec("backoff_factor"), ctx)
    jitter = args.find(call, ArgSpec("backoff_jitter"), ctx)
    if SPREAD in (factor, jitter):
        return UNKNOWN_WAIT
    if factor is None or _num(factor) == 0:
        text = "has no `backoff_factor` (urllib3 defaults to 0)" if factor is None else "sets `backoff_factor=0`"
        return Wait(NONE, describe=text, where=_arg_node(call, factor) if factor is not None else None)
    random = jitter is not None and _num(jitter) != 0
    return Wait(
        GROWING,
        random,
        "sets `backoff_factor` with no `backoff_jitter`",
        _arg_node(call, jitter) if jitter is not None else None,
    )


def adapter_wait(ctx: Context, call: cst.Call) -> Wait | None:
    """``HTTPAdapter(max_retries=<int>)`` builds a ``Retry`` with no backoff at all."""
    value = args.find(call, ArgSpec("max_retries", 2), ctx)
    number = _num(value)
    if not isinstance(value, cst.Integer) or number is None or number <= 0:
        return None  # absent, 0, or a Retry(...) (analysed where it is built)
    return Wait(NONE, describe=f"passes the integer `max_retries={ctx.code(value)}`", where=_arg_node(call, value))


# --- hand-written loops -------------------------------------------------------------

# Calls that pass their arguments' behaviour through (a cap, a conversion).
_TRANSPARENT = frozenset({"min", "max", "abs", "round", "int", "float"})
_RANDOM_MODULES = ("random", "secrets", "numpy.random")
_RANDOM_CLASSES = frozenset({"random.Random", "random.SystemRandom", "numpy.random.default_rng"})


@dataclass(frozen=True)
class LoopFacts:
    """What a loop does to the names its sleep may read.

    ``counters``: source text of names that change every round (the loop
    variable, ``n += 1``, ``delay *= 2``, ``delay = delay * 2``);
    ``values``: other names assigned inside the loop, with their values.
    """

    counters: frozenset[str]
    values: dict[str, list[cst.BaseExpression]]


def expression_wait(ctx: Context, expr: cst.BaseExpression, facts: LoopFacts, depth: int = 0) -> Wait:
    """Classify one sleep expression of a hand-written retry loop.

    Growing: uses ``**``, a counter, or an indexed table by a counter.
    Random: a ``random``/``secrets`` call feeds it (directly or through a name).
    Unknown: calls to helpers whose behaviour is not visible here.
    """
    if depth > 6:
        return UNKNOWN_WAIT
    code = ctx.code(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
    if isinstance(expr, (cst.Integer, cst.Float)):
        return Wait(NONE if _num(expr) == 0 else CONSTANT)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        if code in facts.counters:
            # Randomness of what it is updated with (`delay = delay * 2 + random()`),
            # read without the counter itself so the recursion ends.
            rest = LoopFacts(facts.counters - {code}, {k: v for k, v in facts.values.items() if k != code})
            random = any(expression_wait(ctx, v, rest, depth + 1).random for v in facts.values.get(code, ()))
            return Wait(GROWING, random)
        if code in facts.values:
            return combine([expression_wait(ctx, v, facts, depth + 1) for v in facts.values[code]])
        bound = ctx.scopes.value_of(expr)
        if bound is not None:
            # Bound once outside the loop: a constant for the loop, maybe a random one.
            inner = expression_wait(ctx, bound, LoopFacts(frozenset(), {}), depth + 1)
            if inner.growth == UNKNOWN:
                return inner
            return Wait(CONSTANT, inner.random)
        return Wait(CONSTANT)  # a parameter, a setting, a constant
    if isinstance(expr, cst.UnaryOperation):
        return expression_wait(ctx, expr.expression, facts, depth + 1)
    if isinstance(expr, cst.BinaryOperation):
        w = combine(
            [expression_wait(ctx, expr.left, facts, depth + 1), expression_wait(ctx, expr.right, facts, depth + 1)]
        )
        if isinstance(expr.operator, cst.Power) and w.growth != UNKNOWN:
            return Wait(GROWING, w.random)
        return w
    if isinstance(expr, cst.IfExp):
        return combine(
            [expression_wait(ctx, expr.body, facts, depth + 1), expression_wait(ctx, expr.orelse, facts, depth + 1)]
        )
    if isinstance(expr, cst.Subscript):
        # DELAYS[attempt]: a table of delays stepped through by the counter.
        index = [
            expression_wait(ctx, e.slice.value, facts, depth + 1) for e in expr.slice if isinstance(e.slice, cst.Index)
        ]
        return Wait(GROWING if any(i.growth == GROWING for i in index) else CONSTANT)
    if isinstance(expr, cst.Call):
        return _call_wait(ctx, expr, facts, depth)
    return UNKNOWN_WAIT


def _call_wait(ctx: Context, call: cst.Call, facts: LoopFacts, depth: int) -> Wait:
    inner = [expression_wait(ctx, a.value, facts, depth + 1) for a in call.args]
    if is_random_call(ctx, call):
        grows = any(i.growth == GROWING for i in inner)
        return Wait(GROWING if grows else CONSTANT, True)
    func = call.func
    builtin = isinstance(func, cst.Name) and func.value in _TRANSPARENT and ctx.scopes.lookup(func.value) is None
    qual = ctx.qualname(func)
    if builtin or (qual is not None and qual.startswith("math.")):
        return combine(inner)
    return UNKNOWN_WAIT


def is_random_call(ctx: Context, call: cst.Call) -> bool:
    """``random.uniform(...)``, ``secrets.randbelow(...)``, ``rng.random()`` on a tracked RNG."""
    qual = ctx.qualname(call.func)
    if qual is not None and any(qual.startswith(m + ".") for m in _RANDOM_MODULES):
        return True
    func = call.func
    return isinstance(func, cst.Attribute) and ctx.instance(func.value, _RANDOM_CLASSES) is not None
