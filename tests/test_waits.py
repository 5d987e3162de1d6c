"""The one wait analysis: none / constant / growing, with or without randomness."""

from __future__ import annotations

import itertools

import libcst as cst
import pytest

from rel05_lint.catalog import waits
from rel05_lint.catalog.waits import CONSTANT, GROWING, NONE, UNKNOWN, LoopFacts, Wait
from rel05_lint.core.config import Settings
from rel05_lint.core.rule import Context
from rel05_lint.core.scope import ScopeTracker

PRELUDE = """\
import random
import backoff
import retry
import retrying
import stamina
import tenacity
from tenacity import wait_chain, wait_exponential, wait_fixed, wait_none, wait_random
from tenacity import wait_exponential_jitter, wait_incrementing, wait_random_exponential
from urllib3 import Retry
STEP = wait_exponential(max=10)
"""


def _ctx_and_expr(expr: str):
    module = cst.parse_module(PRELUDE + expr + "\n")
    ctx = Context(module, "t.py", Settings(), ScopeTracker(module), "\n")
    return ctx, module.body[-1].body[0].value


def tenacity(expr: str) -> Wait:
    ctx, node = _ctx_and_expr(expr)
    return waits.tenacity_expr(ctx, node)


@pytest.mark.parametrize(
    "expr, growth, random",
    [
        ("wait_none()", NONE, False),
        ("wait_fixed(2)", CONSTANT, False),
        ("wait_random(0, 2)", CONSTANT, True),
        ("wait_fixed(1) + wait_random(0, 1)", CONSTANT, True),
        ("wait_exponential(multiplier=1, max=30)", GROWING, False),
        ("tenacity.wait.wait_exponential()", GROWING, False),
        ("wait_exponential(exp_base=1)", CONSTANT, False),
        ("wait_incrementing(1, 2)", GROWING, False),
        ("wait_incrementing(1, 0)", CONSTANT, False),
        ("wait_exponential() + wait_fixed(1)", GROWING, False),
        ("wait_exponential() + wait_random(0, 1)", GROWING, True),
        ("tenacity.wait_combine(wait_fixed(1), wait_incrementing(1))", GROWING, False),
        ("wait_random_exponential(max=30)", GROWING, True),
        ("tenacity.wait_full_jitter()", GROWING, True),
        ("wait_exponential_jitter(max=30)", GROWING, True),
        ("wait_chain(wait_fixed(1), wait_fixed(5))", GROWING, False),
        ("wait_chain(wait_fixed(1))", CONSTANT, False),
        ("STEP", GROWING, False),
        ("STEP + wait_random(0, 1)", GROWING, True),
    ],
)
def test_tenacity_waits(expr, growth, random):
    w = tenacity(expr)
    assert (w.growth, w.random) == (growth, random)


@pytest.mark.parametrize("expr", ["my_wait", "make_wait()", "tenacity.wait_exception(pick)", "wait_fixed(1) + custom"])
def test_unknown_waits_fire_nothing(expr):
    w = tenacity(expr)
    assert w.growth == UNKNOWN and not w.no_backoff and not w.unjittered


def test_renames_point_at_every_wait_exponential():
    w = tenacity("wait_exponential(1) + wait_fixed(2) + tenacity.wait_exponential(3)")
    assert [len(c.args) for c in w.renames] == [1, 1]
    assert tenacity("wait_incrementing(1)").renames == ()


@pytest.mark.parametrize("growth, random", list(itertools.product([NONE, CONSTANT, GROWING, UNKNOWN], [False, True])))
def test_rel302_and_rel303_never_fire_on_one_wait(growth, random):
    w = Wait(growth, random)
    assert not (w.no_backoff and w.unjittered)
    assert w.no_backoff == (growth in (NONE, CONSTANT))
    assert w.unjittered == (growth == GROWING and not random)


def _call(expr: str):
    return _ctx_and_expr(expr)


def test_tenacity_missing_wait_is_none():
    ctx, call = _call("tenacity.retry(stop=tenacity.stop_after_attempt(3))")
    assert waits.tenacity_wait(ctx, call).growth == NONE
    assert waits.tenacity_wait(ctx, None).growth == NONE  # bare @retry
    ctx, call = _call("tenacity.retry(**options)")
    assert waits.tenacity_wait(ctx, call).growth == UNKNOWN


@pytest.mark.parametrize(
    "expr, growth, random, jitter_off",
    [
        ("backoff.on_exception(backoff.expo, E)", GROWING, True, False),
        ("backoff.on_exception(backoff.expo, E, jitter=None)", GROWING, False, True),
        ("backoff.on_predicate(backoff.fibo, jitter=backoff.random_jitter)", GROWING, True, False),
        ("backoff.on_exception(backoff.constant, E, interval=2)", CONSTANT, True, False),
        ("backoff.on_exception(backoff.constant, E, jitter=None)", CONSTANT, False, False),
        ("backoff.on_exception(backoff.expo, E, base=1)", CONSTANT, True, False),
        ("backoff.on_exception(my_gen, E)", UNKNOWN, False, False),
    ],
)
def test_backoff_waits(expr, growth, random, jitter_off):
    ctx, call = _call(expr)
    w = waits.backoff_wait(ctx, call)
    assert (w.growth, w.random, w.jitter_off is not None) == (growth, random, jitter_off)


@pytest.mark.parametrize(
    "expr, growth, random",
    [
        ("Retry(3)", NONE, False),
        ("Retry(3, backoff_factor=0)", NONE, False),
        ("Retry(3, backoff_factor=0.5)", GROWING, False),
        ("Retry(3, backoff_factor=0.5, backoff_jitter=0.0)", GROWING, False),
        ("Retry(3, backoff_factor=0.5, backoff_jitter=1)", GROWING, True),
    ],
)
def test_urllib3_waits(expr, growth, random):
    ctx, call = _call(expr)
    w = waits.urllib3_wait(ctx, call)
    assert (w.growth, w.random) == (growth, random)


def test_urllib3_without_retries_has_no_wait():
    for expr in ("Retry(total=False, backoff_factor=1)", "Retry(0)"):
        ctx, call = _call(expr)
        assert waits.urllib3_wait(ctx, call) is None


@pytest.mark.parametrize(
    "expr, growth, random",
    [
        ("retrying.retry()", NONE, False),
        ("retrying.retry(wait_fixed=1000)", CONSTANT, False),
        ("retrying.retry(wait_random_min=100, wait_random_max=900)", CONSTANT, True),
        ("retrying.retry(wait_exponential_multiplier=100)", GROWING, False),
        ("retrying.retry(wait_exponential_multiplier=100, wait_jitter_max=500)", GROWING, True),
        ("retrying.retry(wait_func=pick)", UNKNOWN, False),
        ("retry.retry(E)", NONE, False),
        ("retry.retry(E, delay=2)", CONSTANT, False),
        ("retry.retry(E, delay=1, backoff=2)", GROWING, False),
        ("retry.retry(E, delay=1, jitter=1)", GROWING, False),
        ("retry.retry(E, delay=1, backoff=2, jitter=(0, 1))", GROWING, True),
        ("stamina.retry(on=E)", GROWING, True),
        ("stamina.retry(on=E, wait_jitter=0)", GROWING, False),
        ("stamina.retry(on=E, wait_exp_base=1)", CONSTANT, True),
    ],
)
def test_other_library_waits(expr, growth, random):
    ctx, call = _call(expr)
    if expr.startswith("retrying"):
        w = waits.retrying_wait(ctx, call)
    elif expr.startswith("retry."):
        w = waits.retry_pkg_wait(ctx, call, 0)
    else:
        w = waits.stamina_wait(ctx, call)
    assert (w.growth, w.random) == (growth, random)


FACTS = LoopFacts(
    counters=frozenset({"attempt", "delay"}),
    values={"delay": [cst.parse_expression("delay * 2")], "pause": [cst.parse_expression("2 ** n")]},
)


@pytest.mark.parametrize(
    "expr, growth, random",
    [
        ("0", NONE, False),
        ("2", CONSTANT, False),
        ("SETTING", CONSTANT, False),
        ("2 ** n", GROWING, False),
        ("attempt", GROWING, False),
        ("attempt * 0.5", GROWING, False),
        ("delay", GROWING, False),
        ("min(delay * 2, 30)", GROWING, False),
        ("pause", GROWING, False),
        ("random.uniform(0, 2 ** attempt)", GROWING, True),
        ("delay + random.random()", GROWING, True),
        ("random.uniform(1, 3)", CONSTANT, True),
        ("DELAYS[attempt]", GROWING, False),
        ("DELAYS[0]", CONSTANT, False),
        ("compute(attempt)", UNKNOWN, False),
    ],
)
def test_loop_sleep_expressions(expr, growth, random):
    ctx, node = _ctx_and_expr(expr)
    w = waits.expression_wait(ctx, node, FACTS)
    assert (w.growth, w.random) == (growth, random)


def test_random_update_of_a_counter_counts_as_jitter():
    facts = LoopFacts(frozenset({"delay"}), {"delay": [cst.parse_expression("delay * 2 + random.random()")]})
    ctx, node = _ctx_and_expr("delay")
    w = waits.expression_wait(ctx, node, facts)
    assert (w.growth, w.random) == (GROWING, True)
