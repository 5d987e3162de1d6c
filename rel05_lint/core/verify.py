"""Check a pass of fixes before it is kept: the code must mean what it meant,
except in the nodes the fixes set out to change (black's safety check, narrowed).

Each edit is mapped to the innermost ``ast`` node of the original that holds
its range; the old and new trees are then walked side by side with those
nodes masked. Where they differ outside every mask, a mask may widen to the
innermost expression that holds the edit strictly inside it (adding
``timeout=10`` after ``url`` changes the call, not ``url``), never further and
never to a statement. Import lines a fix adds at the top of the module, or
names it adds to a top-level ``from ... import``, are the only statement-level
changes allowed.

``ast`` is used, not libcst: it parses about ten times faster, and its trees
leave out exactly what cannot change meaning (layout, comments, parentheses).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from rel05_lint.core.findings import Edit, Finding
from rel05_lint.core.source import python_tree, split_lines

# Nodes a mask may widen through: parts of one expression, never a statement
# (nor an except handler, which holds statements).
_EXPRESSION_PARTS = (ast.expr, ast.keyword, ast.arg, ast.arguments, ast.alias, ast.comprehension, ast.withitem)
_IMPORTS = (ast.Import, ast.ImportFrom)
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
_WHAT = {
    ast.Call: "the call",
    ast.Attribute: "the attribute",
    ast.Name: "the name",
    ast.Constant: "the value",
    ast.keyword: "the argument",
    ast.BinOp: "the expression",
    ast.Import: "the import",
    ast.ImportFrom: "the import",
}


@dataclass
class _Target:
    """Where one edit may change the tree: ``chain[level]`` and what it holds."""

    finding: Finding
    span: tuple  # the edit's range, in ast positions
    chain: list[tuple[ast.AST, bool]]  # (node, may change kind), innermost first
    level: int = 0


class _Mismatch(Exception):
    def __init__(self, node: ast.AST):
        self.node = node


def refusals(old_text: str, new_text: str, chosen: list[Finding]) -> list[tuple[Finding, str]]:
    """(finding, why) for each fix of ``chosen`` that must not be applied; [] if all may.

    ``new_text`` is ``old_text`` with every edit of ``chosen`` applied.
    """
    try:
        new_tree = python_tree(new_text)
    except _PARSE_ERRORS:
        return [(f, "the fixed file would not parse") for f in chosen]
    try:
        old_tree = python_tree(old_text)
    except _PARSE_ERRORS:
        return [(f, "the original does not parse with Python's own parser") for f in chosen]
    index = _Index(old_tree, split_lines(old_text))
    targets: list[_Target] = []
    inserted: list[str] = []  # ast.dump of each import statement a fix inserts as a line
    for f in chosen:
        assert f.fix is not None  # only findings with a fix are chosen
        for edit in f.fix.edits:
            added = _added_imports(edit)
            if added:
                inserted.extend(ast.dump(s) for s in added)
            else:
                targets.append(_Target(f, index.span_of(edit), index.chain(edit)))
    while True:
        masked: dict[int, bool] = {}
        for t in targets:
            node, kind_ok = t.chain[t.level]
            masked[id(node)] = masked.get(id(node), False) or kind_ok
        try:
            _compare(old_tree, new_tree, masked, inserted)
            return []
        except _Mismatch as exc:
            bad = exc.node
        except RecursionError:
            return [(f, "the fixed file is too deeply nested to verify") for f in chosen]
        above = index.ancestors(bad)
        widened = False
        for t in targets:
            # The nearest node the mask may widen to that holds the difference
            # (when the masked node itself changed kind: the next one up).
            for level in range(t.level + 1, len(t.chain)):
                if id(t.chain[level][0]) in above:
                    t.level = level
                    widened = True
                    break
        if not widened:
            return _blame(bad, above, targets, index, chosen)


def _blame(
    bad: ast.AST, above: set[int], targets: list[_Target], index: _Index, chosen: list[Finding]
) -> list[tuple[Finding, str]]:
    """The fixes the unexpected difference is nearest to (all of them if none is)."""

    def inside(t: _Target, outer) -> bool:
        return outer is not None and outer[0] <= t.span[0] and t.span[1] <= outer[1]

    span = index.span(bad)
    near = [t for t in targets if id(t.chain[-1][0]) in above or inside(t, span)]
    if not near:
        stmt = next((index.span(n) for n in index.lineage(bad) if isinstance(n, ast.stmt)), None)
        near = [t for t in targets if inside(t, stmt)]
    if not near:
        return [(f, "the fix would change code it does not target") for f in chosen]
    out: dict[int, tuple[Finding, str]] = {}
    for t in near:
        widest = t.chain[-1][0]
        if widest is _NOWHERE:
            # The edit lies between statements or in a statement's own text.
            why = "the fix would change a statement, not only the expression it targets"
        else:
            what = _WHAT.get(type(widest), f"the {type(widest).__name__.lower()} it targets")
            why = f"the fix would change code outside {what}"
        out.setdefault(id(t.finding), (t.finding, why))
    return list(out.values())


def _added_imports(edit: Edit) -> list[ast.stmt]:
    """The import statements ``edit`` inserts as whole lines ([] if it is not such an edit)."""
    if (edit.row, edit.col) != (edit.end_row, edit.end_col) or edit.col != 0 or not edit.content.strip():
        return []
    try:
        tree = ast.parse(edit.content)
    except _PARSE_ERRORS:
        return []
    if tree.body and all(isinstance(s, _IMPORTS) for s in tree.body):
        return tree.body
    return []


_NOWHERE = ast.AST()  # a mask that matches no node of any tree


class _Index:
    """Spans and parents of the original tree; positions in ast's UTF-8 byte columns."""

    def __init__(self, tree: ast.Module, lines: list[str]):
        self.tree = tree
        self.lines = lines
        self.parent: dict[int, ast.AST] = {}
        self._spans: dict[int, tuple | None] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[id(child)] = node

    def span_of(self, edit: Edit) -> tuple:
        return self._point(edit.row, edit.col), self._point(edit.end_row, edit.end_col)

    def _point(self, row: int, col: int) -> tuple[int, int]:
        line = self.lines[row - 1] if 0 < row <= len(self.lines) else ""
        return row, len(line[:col].encode("utf-8"))

    def span(self, node: ast.AST) -> tuple | None:
        key = id(node)
        if key not in self._spans:
            self._spans[key] = self._compute(node)
        return self._spans[key]

    def _compute(self, node: ast.AST) -> tuple | None:
        start = end = None
        lineno, end_lineno = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if lineno is not None and end_lineno is not None:
            start, end = (lineno, getattr(node, "col_offset", 0)), (end_lineno, getattr(node, "end_col_offset", 0))
        # Decorators sit before a definition's own position; nodes without a
        # position (arguments, comprehension) span their children.
        if start is None or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in ast.iter_child_nodes(node):
                s = self.span(child)
                if s is not None:
                    start = s[0] if start is None else min(start, s[0])
                    end = s[1] if end is None else max(end, s[1])
        return None if start is None else (start, end)

    def lineage(self, node: ast.AST) -> list[ast.AST]:
        """``node`` and its ancestors, innermost first."""
        out = []
        current: ast.AST | None = node
        while current is not None:
            out.append(current)
            current = self.parent.get(id(current))
        return out

    def ancestors(self, node: ast.AST) -> set[int]:
        return {id(n) for n in self.lineage(node)}

    def _top_import(self, node: ast.AST) -> bool:
        return isinstance(node, _IMPORTS) and self.parent.get(id(node)) is self.tree

    def chain(self, edit: Edit) -> list[tuple[ast.AST, bool]]:
        """The innermost node holding ``edit``, then the ancestors it may widen to.

        Each comes with whether the node may change kind: only if the edit is
        inside it. An insertion at a node's very start or end may extend the
        node (``@retry`` -> ``@retry(...)``) but must leave it what it was,
        else ``f()`` + ``, 2`` would silently turn ``x = f()`` into a tuple.
        """
        begin, finish = self.span_of(edit)
        node: ast.AST = self.tree
        while True:
            best = None
            for child in ast.iter_child_nodes(node):
                s = self.span(child)
                if s is not None and s[0] <= begin and finish <= s[1]:
                    if best is None or (s[0], _neg(s[1])) > (best[1][0], _neg(best[1][1])):
                        best = (child, s)
            if best is None:
                break
            node = best[0]
        if not isinstance(node, _EXPRESSION_PARTS) and not self._top_import(node):
            # Not inside any expression (a statement's own text, or between
            # statements): nothing there may change.
            return [(_NOWHERE, False)]
        out = [(node, self._inside(node, begin, finish))]
        while isinstance(node, _EXPRESSION_PARTS) and not self._strictly_holds(node, begin, finish):
            node = self.parent[id(node)]  # an expression always has a parent
            if self._top_import(node):
                out.append((node, True))  # a fix may add names to a top-level import
            elif not isinstance(node, _EXPRESSION_PARTS):
                break
            elif self._strictly_holds(node, begin, finish):
                out.append((node, True))
            # else the edit only touches this node's edge: it may not change it
        return out

    def _strictly_holds(self, node: ast.AST, begin: tuple, finish: tuple) -> bool:
        s = self.span(node)
        return s is not None and s[0] < begin and finish < s[1]

    def _inside(self, node: ast.AST, begin: tuple, finish: tuple) -> bool:
        s = self.span(node)
        if s is None:
            return False
        if begin == finish:  # an insertion: not at either edge
            return s[0] < begin < s[1]
        return s[0] <= begin and finish <= s[1]


def _neg(pos: tuple[int, int]) -> tuple[int, int]:
    return (-pos[0], -pos[1])


def _compare(old: ast.AST, new: ast.AST, masked: dict[int, bool], inserted: list[str]) -> None:
    """Raise _Mismatch(old node) at the first difference outside the masked nodes."""
    kind_ok = masked.get(id(old))
    if kind_ok is not None:
        # A masked node may change inside. It stays what it was (a call stays
        # a call) unless the edit lies inside it, or it becomes a call of
        # itself (``@retry`` -> ``@retry(...)``).
        if kind_ok or type(old) is type(new):
            return
        if isinstance(new, ast.Call):
            try:
                _compare(old, new.func, {}, [])
                return
            except _Mismatch:
                pass
        raise _Mismatch(old)
    if type(old) is not type(new):
        raise _Mismatch(old)
    for name in old._fields:
        a = getattr(old, name, None)
        b = getattr(new, name, None)
        if isinstance(a, list):
            if not isinstance(b, list):
                raise _Mismatch(old)
            if isinstance(old, ast.Module) and name == "body" and inserted:
                _compare_body(old, a, b, masked, list(inserted))
                continue
            if len(a) != len(b):
                raise _Mismatch(old)
            for x, y in zip(a, b, strict=False):
                _compare_value(old, x, y, masked)
        else:
            _compare_value(old, a, b, masked)


def _compare_value(owner: ast.AST, a, b, masked: dict[int, bool]) -> None:
    if isinstance(a, ast.AST):
        if not isinstance(b, ast.AST):
            raise _Mismatch(owner)
        _compare(a, b, masked, [])
    elif type(a) is not type(b) or (repr(a) != repr(b) if isinstance(a, (float, complex)) else a != b):
        raise _Mismatch(owner)


def _compare_body(module: ast.Module, old: list, new: list, masked: dict[int, bool], inserted: list[str]) -> None:
    """Module statements match in order, apart from the import lines fixes inserted."""
    j = 0
    for stmt in old:
        while True:
            if j >= len(new):
                raise _Mismatch(module)
            try:
                _compare(stmt, new[j], masked, [])
                j += 1
                break
            except _Mismatch:
                dump = ast.dump(new[j]) if isinstance(new[j], _IMPORTS) else None
                if dump in inserted:
                    inserted.remove(dump)
                    j += 1
                    continue
                raise
    for extra in new[j:]:
        dump = ast.dump(extra) if isinstance(extra, _IMPORTS) else None
        if dump not in inserted:
            raise _Mismatch(module)
        inserted.remove(dump)
