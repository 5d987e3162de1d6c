"""Node positions for a file with findings, in one code-generation pass.

libcst's ``PositionProvider`` and ``WhitespaceInclusivePositionProvider`` each
regenerate the whole module (two passes), split every token with a regular
expression and wrap the syntactic-position hook in a generator-based context
manager. This computes both maps in one pass with plain tuples and counts
newlines with ``str.count``; the ranges are the same (tests/test_prefilter.py
compares them with libcst's on every fixture). Only files with findings pay
for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rel05_lint.core.lazy import later, libcst_internal, libcst_metadata
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from libcst.metadata import CodeRange

_NEWLINE = re.compile(r"\r\n?|\n")


class _Ranges(Mapping):
    """node -> CodeRange, built from (line, col, end_line, end_col) on demand."""

    def __init__(self, raw: dict[cst.CSTNode, tuple[int, int, int, int]]) -> None:
        self._raw = raw

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        a, b, c, d = self._raw[node]
        return libcst_metadata.CodeRange(libcst_metadata.CodePosition(a, b), libcst_metadata.CodePosition(c, d))

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class _Syntactic:
    """``record_syntactic_position`` as a plain context manager (libcst's is a generator)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(self, state: _Counting, node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc) -> None:
        state = self.state
        syntactic = state.syntactic
        start = self.start
        end = (state.line, state.column)
        if self.start_node is not None:
            start = syntactic[self.start_node][:2]
        if self.end_node is not None:
            end = syntactic[self.end_node][2:]
        syntactic[self.node] = (*start, *end)


def _state_class() -> Any:
    """The code generator's state, counting positions; a subclass of libcst's,
    so it is built once libcst is loaded."""
    return type("_State", (_Counting, libcst_internal.CodegenState), {})


class _Counting:
    """What ``_State`` adds to libcst's ``CodegenState`` (put first in its bases)."""

    tokens: list[str]
    indent_tokens: list[str]

    def __init__(self, module: cst.Module) -> None:
        # Cooperative: the next class in _State's bases is libcst's CodegenState.
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)  # type: ignore[call-arg]
        self.line = 1
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.syntactic: dict[cst.CSTNode, tuple[int, int, int, int]] = {}
        self.inclusive: dict[cst.CSTNode, tuple[int, int, int, int]] = {}

    def _advance(self, value: str) -> None:
        if "\r" in value:
            parts = _NEWLINE.split(value)
            if len(parts) > 1:
                self.line += len(parts) - 1
                self.column = len(parts[-1])
                return
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    # Module._codegen_impl asks whether any token was written (len(state.tokens)):
    # the first one is kept, the rest are only counted.
    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        if not self.tokens:
            self.tokens.append(value)
        self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        rng = (*self.starts.pop(), self.line, self.column)
        self.inclusive[node] = rng
        if node not in self.syntactic:
            self.syntactic[node] = rng

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _Syntactic(self, node, start_node, end_node)

    def pop_trailing_newline(self) -> None:
        pass  # no token list is kept; the last newline ends the module


_State = later(_state_class)


def node_positions(module: cst.Module) -> tuple[Mapping[cst.CSTNode, CodeRange], Mapping[cst.CSTNode, CodeRange]]:
    """(syntactic, whitespace-inclusive) ranges of every node, as libcst's providers give them."""
    state = _State(module)
    module._codegen(state)
    return _Ranges(state.syntactic), _Ranges(state.inclusive)
