"""Does control reach the next iteration of a loop after an ``except`` handler?

Shared by the retry-loop reading (REL301-REL305, edition 2 E6). A handler
lets its loop go round again when neither the handler nor the rest of the
loop body after the ``try`` statement leaves unconditionally: a ``return``,
``break`` or ``raise`` at block level, or an ``if`` whose every branch
leaves. A ``continue`` met on the way (in the handler, or before the
leaving statement) goes round. Nested loops, functions and classes have
their own flow and are not entered.
"""

from __future__ import annotations

from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst

_LEAVES = later(lambda: (cst.Return, cst.Break, cst.Raise))
_OWN_FLOW = later(lambda: (cst.For, cst.While, cst.FunctionDef, cst.ClassDef))


def block(body: cst.CSTNode | None) -> list[cst.CSTNode]:
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return list(body.body)
    return []


def outcome(stmts: list[cst.CSTNode]) -> str:
    """ "leave", "continue" or "falls" (control reaches the end of the block)."""
    for stmt in stmts:
        result = _stmt_outcome(stmt)
        if result != "falls":
            return result
    return "falls"


def _stmt_outcome(stmt: cst.CSTNode) -> str:
    if isinstance(stmt, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        for small in stmt.body:
            if isinstance(small, cst.Continue):
                return "continue"
            if isinstance(small, _LEAVES):
                return "leave"
        return "falls"
    if isinstance(stmt, cst.If):
        branches = [outcome(block(stmt.body))]
        orelse = stmt.orelse
        while isinstance(orelse, cst.If):
            branches.append(outcome(block(orelse.body)))
            orelse = orelse.orelse
        branches.append(outcome(block(orelse.body)) if orelse is not None else "falls")
        if "continue" in branches:
            return "continue"  # one path goes round: enough for "can reach the next iteration"
        return "leave" if all(b == "leave" for b in branches) else "falls"
    if isinstance(stmt, cst.With):
        return outcome(block(stmt.body))
    if isinstance(stmt, (cst.Try, cst.TryStar)):
        if stmt.finalbody is not None and outcome(block(stmt.finalbody.body)) != "falls":
            return outcome(block(stmt.finalbody.body))
        paths = [outcome(block(stmt.body) + (block(stmt.orelse.body) if stmt.orelse else []))]
        paths += [outcome(block(h.body)) for h in stmt.handlers]
        if "continue" in paths:
            return "continue"
        return "leave" if all(p == "leave" for p in paths) else "falls"
    if isinstance(stmt, _OWN_FLOW):
        return "falls"
    return "falls"


def handler_goes_round(loop: cst.For | cst.While, try_stmt: cst.Try | cst.TryStar, handler: cst.CSTNode) -> bool:
    """Can control reach ``loop``'s next iteration after ``handler`` of
    ``try_stmt`` (a statement somewhere in ``loop``'s body) runs?"""
    own = outcome(block(handler.body))  # type: ignore[attr-defined]
    if own != "falls":
        return own == "continue"
    if try_stmt.finalbody is not None and outcome(block(try_stmt.finalbody.body)) == "leave":
        return False
    path = _path(block(loop.body), try_stmt)
    if path is None:
        return True  # not found (a nested loop holds it): no claim
    # After the try, control falls to the statements after each enclosing
    # statement, innermost first, up to the end of the loop body.
    for stmts, index in reversed(path):
        rest = outcome(stmts[index + 1 :])
        if rest != "falls":
            return rest == "continue"
    return True


def _path(stmts: list[cst.CSTNode], target: cst.CSTNode) -> list[tuple[list[cst.CSTNode], int]] | None:
    """The blocks from the loop body down to ``target``: (statements, index)."""
    for i, stmt in enumerate(stmts):
        if stmt is target:
            return [(stmts, i)]
        if isinstance(stmt, _OWN_FLOW):
            continue
        for sub in _sub_blocks(stmt):
            found = _path(sub, target)
            if found is not None:
                return [(stmts, i), *found]
    return None


def _sub_blocks(stmt: cst.CSTNode) -> list[list[cst.CSTNode]]:
    if isinstance(stmt, cst.If):
        out = [block(stmt.body)]
        orelse = stmt.orelse
        while orelse is not None:
            out.append(block(orelse.body))
            orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        return out
    if isinstance(stmt, cst.With):
        return [block(stmt.body)]
    if isinstance(stmt, (cst.Try, cst.TryStar)):
        out = [block(stmt.body), *(block(h.body) for h in stmt.handlers)]
        out += [block(b.body) for b in (stmt.orelse, stmt.finalbody) if b is not None]
        return out
    if isinstance(stmt, cst.Match):
        return [block(c.body) for c in stmt.cases]
    return []
