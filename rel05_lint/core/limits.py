"""Shape limits checked on CPython's tree before libcst parses a file.

libcst's parser is super-linear in expression depth and keeps about 3 KB per
syntax node (measured: a chain of 2,000 ``+`` terms takes 13 s, 500
subscripts 2 s, 200 nested lists 1 s; a one-million-item list several GB),
while CPython parses the same text in milliseconds. A file beyond these limits
is one REL001 finding, and the run goes on with the other files.

The limits are several times the largest real code seen (23,092 files of 57
applications: at most 96,918 nodes in one file, syntax depth at most 141).
The check is cheap: nodes are counted only in files longer than the node
limit in bytes (a node takes at least one byte), and only statements or
expressions spanning at least ``MAX_DEPTH`` bytes are walked for depth (each
level of nesting takes at least one byte).
"""

from __future__ import annotations

import ast
from itertools import accumulate

MAX_NODES = 300_000
MAX_DEPTH = 250

# Fields of compound statements that hold statements (walked for their own
# statements) rather than expressions.
_BODIES = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def too_large(tree: ast.Module, text: str) -> str | None:
    """Why ``tree``'s file is not analysed, or None when it is within the limits."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_NODES:
        nodes = sum(1 for _ in ast.walk(tree))
        if nodes > MAX_NODES:
            return f"too large to analyse ({nodes:,} syntax nodes; the limit is {MAX_NODES:,})"
    starts = [0, *accumulate(len(line) for line in data.splitlines(keepends=True))]
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if _span(node, starts) < MAX_DEPTH:
            continue
        if not isinstance(node, ast.stmt) or not any(f in _BODIES for f in node._fields):
            if _deeper_than(node, MAX_DEPTH):
                return f"too deeply nested to analyse (an expression over {MAX_DEPTH} levels deep)"
            continue
        for name in node._fields:  # a long compound statement: its parts one by one
            value = getattr(node, name)
            todo.extend(value if isinstance(value, list) else [value] if isinstance(value, ast.AST) else [])
    return None


def _span(node: ast.AST, starts: list[int]) -> int:
    """Bytes from the start to the end of ``node``; huge when it has no position."""
    try:
        begin = starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
    except (AttributeError, TypeError, IndexError):
        return MAX_DEPTH  # no position (arguments, match cases): walk it
    return end - begin


def _deeper_than(root: ast.AST, limit: int) -> bool:
    todo: list[tuple[ast.AST, int]] = [(root, 1)]
    children = ast.iter_child_nodes
    while todo:
        node, depth = todo.pop()
        if depth > limit:
            return True
        todo.extend((child, depth + 1) for child in children(node))
    return False
