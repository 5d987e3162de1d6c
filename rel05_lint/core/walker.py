"""One traversal of a libcst tree that feeds every enabled rule.

libcst's own visitor rebuilds and visits every whitespace and punctuation
node; rules never look at those, so this walker follows only the fields that
can hold statements or expressions. Each rule's ``visit_<Node>`` and
``leave_<Node>`` methods are collected once per process into a dispatch table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.scope import EXPRESSION_SCOPES

# Fields that hold only layout (whitespace, punctuation, comments) or plain values.
_SKIP = frozenset(
    {
        "lpar",
        "rpar",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "comma",
        "semicolon",
        "colon",
        "first_colon",
        "second_colon",
        "dot",
        "equal",
        "operator",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "empty_lines",
        "leading_whitespace",
        "asynchronous",
        "relative",
        "separator",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "indent",
        "posonly_ind",
        "first_line",
        "last_line",
        "trailing_comma",
        "comment",
        "conversion",
        "star",
        "whitespace",
    }
)

_fields_cache: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _fields_cache.get(cls)
    if fields is None:
        fields = tuple(
            f.name for f in dataclasses.fields(cls) if f.name not in _SKIP and not f.name.startswith("whitespace")
        )
        _fields_cache[cls] = fields
    return fields


if TYPE_CHECKING:
    Callback = Callable[[cst.CSTNode], None]


class Dispatch:
    """visit/leave callbacks by node class, built once per process (per rule set)."""

    def __init__(self, visitors: Iterable[object]) -> None:
        self.visit: dict[str, list[Callback]] = {}
        self.leave: dict[str, list[Callback]] = {}
        for visitor in visitors:
            for attr in dir(type(visitor)):
                if attr.startswith("visit_"):
                    self.visit.setdefault(attr[6:], []).append(getattr(visitor, attr))
                elif attr.startswith("leave_"):
                    self.leave.setdefault(attr[6:], []).append(getattr(visitor, attr))
        # Per node class: (visit callbacks, leave callbacks, child fields, is def/class,
        # is lambda/comprehension),
        # filled as classes are met, so each node costs one dict lookup.
        self.plan: dict[type, tuple] = {}

    def plan_for(self, cls: type) -> tuple:
        plan = (
            tuple(self.visit.get(cls.__name__, ())),
            tuple(self.leave.get(cls.__name__, ())),
            _child_fields(cls),
            issubclass(cls, (cst.FunctionDef, cst.ClassDef)),
            issubclass(cls, EXPRESSION_SCOPES),
        )
        self.plan[cls] = plan
        return plan


def walk(root: cst.CSTNode, dispatch: Dispatch, scopes, stack: list) -> None:
    """Visit every statement and expression once.

    ``scopes`` follows def/class bodies; ``stack`` holds the ancestors of the
    node being visited (itself last), so rules need no parent metadata.
    """
    plans = dispatch.plan
    plan_for = dispatch.plan_for
    node_type = cst.CSTNode
    sequences = (tuple, list)
    push = stack.append
    pop = stack.pop

    def go(node: cst.CSTNode) -> None:
        cls = type(node)
        visits, leaves, fields, function_like, expression_scope = plans.get(cls) or plan_for(cls)
        push(node)
        for cb in visits:
            cb(node)
        if expression_scope:
            scopes.enter_expression(node)  # a lambda's or comprehension's own names
        for field in fields:
            if function_like and field == "body":
                continue  # walked below, inside the new scope
            value = getattr(node, field)
            if isinstance(value, node_type):
                go(value)
            elif isinstance(value, sequences):
                for item in value:
                    if isinstance(item, node_type):
                        go(item)
        if function_like:
            # Decorators, bases and defaults are evaluated in the enclosing scope;
            # only the body runs in the new one.
            scopes.enter(node)
            go(node.body)  # type: ignore[attr-defined]  # a FunctionDef or ClassDef
            scopes.exit(node)
        if expression_scope:
            scopes.exit(node)
        for cb in leaves:
            cb(node)
        pop()

    go(root)
