"""The shape limits checked before libcst parses (rel05_lint.core.limits)."""

from __future__ import annotations

import ast

from rel05_lint.core import limits


def verdict(text: str) -> str | None:
    return limits.too_large(ast.parse(text), text)


def test_real_shapes_within_the_limits():
    nested_blocks = "".join("    " * i + "if x:\n" for i in range(90)) + "    " * 90 + "y = 1\n"
    assert verdict(nested_blocks) is None
    assert verdict("x = " + "-" * 200 + "a\n") is None  # deeper than any real expression seen
    assert verdict("X = [" + ", ".join(["1"] * 10_000) + "]\n") is None
    assert verdict("def f(a=1, *, b=2):\n    return a.b.c(d)[e]\n") is None


def test_deep_expressions_anywhere_are_refused():
    deep = "-" * 300 + "1"
    for text in (
        f"x = {deep}\n",
        f"def f(a={deep}):\n    pass\n",  # a default value: no position of its own
        f"if {deep}:\n    pass\n",  # a compound statement's header
        "".join("    " * i + "if x:\n" for i in range(50)) + "    " * 50 + f"y = {deep}\n",
        f"x = [y for y in z if {deep}]\n",
    ):
        why = verdict(text)
        assert why is not None and "too deeply nested" in why, text[:60]


def test_many_nodes_are_refused_with_the_count():
    why = verdict("X = [" + ",".join(["1"] * (limits.MAX_NODES + 1)) + "]\n")
    assert why is not None and "too large to analyse" in why and "syntax nodes" in why


def test_a_long_shallow_statement_is_within_the_limits():
    text = "X = {" + ", ".join(f"'k{i}': {i}" for i in range(20_000)) + "}\n"
    assert len(text) > limits.MAX_DEPTH * 100 and verdict(text) is None
