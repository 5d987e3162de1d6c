"""What a file's text says about which rules could fire on it (the sound prefilter).

Every rule finds its targets by qualified names resolved through imports
(``scope.py``): ``requests.get`` resolves only if the file has an absolute
``import requests`` / ``from requests... import`` somewhere, and every part
of the dotted name (``requests``, ``get``) is then written in the text as an
identifier, in the import or in the attribute chain. So a rule can only fire
if one of the names in its catalog *could* resolve: its top-level package is
imported and all its parts occur in the text. ``Names`` is that test;
``Facts`` holds what it reads, computed at most once per file:

- ``imports``: top-level packages of the absolute imports in any statement,
  from the ``ast`` tree the engine's syntax check builds anyway;
- ``subscript_keys``: string keys assigned through a subscript
  (``app.config["SESSION_TYPE"] = ...``), evaluated as Python evaluates them;
- ``loop_with_try``: a ``try`` inside a ``while True``/``while 1`` or a
  ``for`` over a call (the only loop shapes a retry loop can have);
- the text itself, for plain substring tests.

These over-approximate what libcst sees (a name in a comment counts too,
and a substring test is weaker than a word test), never the reverse, which
is what soundness needs. Substrings rather than a set of words: one C-level
scan per part is cheaper than tokenising every file, and the import test
already does the selecting. When CPython cannot parse the file (no tree),
the engine runs every rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

# Statement types that hold blocks, and their block fields.
_BLOCKS: dict[type, tuple[str, ...]] = {}
for _name, _fields in {
    "FunctionDef": ("body",),
    "AsyncFunctionDef": ("body",),
    "ClassDef": ("body",),
    "If": ("body", "orelse"),
    "For": ("body", "orelse"),
    "AsyncFor": ("body", "orelse"),
    "While": ("body", "orelse"),
    "With": ("body",),
    "AsyncWith": ("body",),
    "Try": ("body", "handlers", "orelse", "finalbody"),
    "TryStar": ("body", "handlers", "orelse", "finalbody"),
    "ExceptHandler": ("body",),
    "Match": ("cases",),
    "match_case": ("body",),
}.items():
    if hasattr(ast, _name):  # TryStar is 3.11+
        _BLOCKS[getattr(ast, _name)] = _fields


class Facts:
    """One file's text, path and (lazily) its imports and identifiers."""

    __slots__ = ("_imports", "_keys", "_loop_try", "path", "text", "tree")

    def __init__(self, text: str, path: str, tree: ast.Module | None) -> None:
        self.text = text
        self.path = path
        self.tree = tree
        self._imports: frozenset[str] | None = None
        self._keys: frozenset[str] | None = None
        self._loop_try = False

    @property
    def known(self) -> bool:
        """False when CPython could not parse the text: then assume anything."""
        return self.tree is not None

    def has(self, *parts: str) -> bool:
        """Whether the text contains one of ``parts`` (plain substrings)."""
        text = self.text
        return any(p in text for p in parts)

    @property
    def imports(self) -> frozenset[str]:
        if self._imports is None:
            self._scan()
        return self._imports  # type: ignore[return-value]

    @property
    def subscript_keys(self) -> frozenset[str]:
        if self._keys is None:
            self._scan()
        return self._keys  # type: ignore[return-value]

    @property
    def loop_with_try(self) -> bool:
        if self._keys is None:
            self._scan()
        return self._loop_try

    def _scan(self) -> None:
        """One pass over the statements (never the expressions) of the tree."""
        imports: set[str] = set()
        keys: set[str] = set()
        loop_try = False
        # (statement, inside a loop of a retry shape)
        # Any: exact-type dispatch below (faster than isinstance) does not narrow for mypy.
        todo: list[tuple[Any, bool]] = [(node, False) for node in self.tree.body] if self.tree is not None else []
        blocks = _BLOCKS
        while todo:
            node, in_loop = todo.pop()
            kind = type(node)  # exact types: this loop runs for every statement
            if kind is ast.Import:
                imports.update(alias.name.partition(".")[0] for alias in node.names)
            elif kind is ast.ImportFrom:
                if not node.level and node.module:
                    imports.add(node.module.partition(".")[0])
            elif kind is ast.Assign or kind is ast.AnnAssign:
                for target in node.targets if kind is ast.Assign else (node.target,):
                    if type(target) is ast.Subscript and type(target.slice) is ast.Constant:
                        if type(target.slice.value) is str:
                            keys.add(target.slice.value)
            elif kind in blocks:
                if kind in _TRIES:
                    loop_try = loop_try or in_loop
                elif kind in _LOOPS:
                    in_loop = in_loop or _retry_shape(node)
                for field in blocks[kind]:
                    todo.extend((child, in_loop) for child in getattr(node, field))
        self._imports = frozenset(imports)
        self._keys = frozenset(keys)
        self._loop_try = loop_try


_TRIES = tuple(getattr(ast, n) for n in ("Try", "TryStar") if hasattr(ast, n))
_LOOPS = (ast.While, ast.For, ast.AsyncFor)


def _retry_shape(loop: ast.While | ast.For | ast.AsyncFor) -> bool:
    """``while True``/``while 1`` or ``for ... in <call>``: a superset of retry_loops._form."""
    if isinstance(loop, ast.While):
        return isinstance(loop.test, ast.Constant) and loop.test.value in (True, 1)
    return isinstance(loop.iter, ast.Call)


class Names:
    """A catalog of qualified names; ``found_in`` is true when one could resolve.

    Built once per process (rule class attributes), from the same tables the
    rules read, so the prefilter cannot drift from the catalog.
    """

    def __init__(self, *groups: Iterable[str]) -> None:
        self.by_top: dict[str, list[frozenset[str]]] = {}
        for group in groups:
            for qualname in group:
                parts = qualname.split(".")
                entry = self.by_top.setdefault(parts[0], [])
                if frozenset(parts) not in entry:
                    entry.append(frozenset(parts))

    def __or__(self, other: Names) -> Names:
        merged = Names()
        for source in (self, other):
            for top, entries in source.by_top.items():
                target = merged.by_top.setdefault(top, [])
                target.extend(e for e in entries if e not in target)
        return merged

    def found_in(self, facts: Facts) -> bool:
        if not facts.known:
            return True
        tops = self.by_top.keys() & facts.imports
        if not tops:
            return False
        text = facts.text
        return any(all(p in text for p in parts) for top in tops for parts in self.by_top[top])
