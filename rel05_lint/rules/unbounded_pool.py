"""REL403 unbounded-pool. Page: rules/REL403.md"""

from __future__ import annotations

from rel05_lint.analysis.retry_loops import nodes
from rel05_lint.catalog.pools import ENGINE_POOL_OPTIONS, POOL_NAMES, POOLS, Pool
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN, ArgSpec, may_add_keyword
from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import FixSpec, Replace, add_keyword
from rel05_lint.core.lazy import later
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

_SCOPES = later(lambda: (cst.FunctionDef, cst.ClassDef, cst.Lambda))
POOL = Kind("pool", "BP04", "connection pools", "with a finite limit", headline=True)

_CONSEQUENCE = {
    "aiohttp": (
        "every concurrent request opens its own connection, so a slow dependency collects an unbounded "
        "pile of connections (and this process runs out of file descriptors) instead of callers "
        "waiting for a free one"
    ),
    "httpx": (
        "every concurrent request opens its own connection, so a slow dependency collects an unbounded "
        "pile of connections (and this process runs out of file descriptors) instead of callers "
        "waiting for a free one"
    ),
    "sqlalchemy": (
        "under load the process opens database connections without limit until the server refuses "
        "every client, instead of queueing for a free connection (pool_timeout)"
    ),
}


class UnboundedPool(Rule):
    code = "REL403"
    name = "unbounded-pool"
    best_practice = "BP04"
    summary = 'A connection pool given an explicit "no limit"'
    fix_applicability = Applicability.UNSAFE
    fix_scope = "display-only when the value is not written in the call"
    options = ("default-pool-size",)
    counts = (POOL,)
    survey_words = ("TCPConnector", "Limits", "create_engine", "create_async_engine")
    needs = POOL_NAMES

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        qual = ctx.qualname(node.func)
        pools = POOLS.get(qual) if qual is not None else None
        if not pools:
            return
        if pools[0].library == "sqlalchemy" and not _queue_pool(ctx, node):
            return
        # (pool, value as found, its literal, the `d[key] = value` statement holding it)
        problems: list[tuple[Pool, cst.BaseExpression | None, cst.BaseExpression | None, cst.Assign | None]] = []
        for pool in pools:
            found = args.find(node, ArgSpec(pool.keyword), ctx)
            if found is None or found is UNKNOWN:
                # A spread: the operator's choice, unless the scope writes the
                # "no limit" into the dict by key (`kwargs["limit"] = 0`).
                keyed = _keyed_assign(ctx, node, pool)
                if keyed is not None:
                    problems.append((pool, keyed.value, keyed.value, keyed))
                    continue
            if found is UNKNOWN:
                continue
            if found is None:
                if pool.absent_unlimited:
                    problems.append((pool, None, None, None))
                continue
            value = found
            if isinstance(value, (cst.Name, cst.Attribute)) and not args.is_none(value):
                bound = ctx.scopes.value_of(value)
                value = bound if bound is not None else value
            if _unlimited(pool, value):
                problems.append((pool, found, value, None))
        self.count(POOL, not problems, node)
        spelled = ctx.code(node.func)
        size = str(self.settings.default_pool_size)
        for pool, written_value, literal, keyed in problems:
            consequence = _CONSEQUENCE[pool.library]
            if written_value is None:
                self.report(
                    node,
                    f"`{spelled}()` without `{pool.keyword}` has no connection limit (the class's own default "
                    f"is None): {consequence}",
                    fix=FixSpec(
                        Applicability.UNSAFE,
                        f"Add `{pool.keyword}={size}` (callers then wait for a free connection)",
                        [Replace(node, add_keyword(node, pool.keyword, size))],
                    )
                    if may_add_keyword(node, pool.keyword, ctx)
                    else None,
                )
                continue
            assert literal is not None
            where: cst.CSTNode = next((a for a in node.args if a.value is written_value), node)
            written = where is not node and written_value is literal
            if keyed is not None:
                where, written = keyed, True  # `kwargs["limit"] = 0`: reported and fixed there
            fix = (
                FixSpec(
                    Applicability.UNSAFE,
                    f"Set `{pool.keyword}={size}` (callers then wait for a free connection)",
                    [Replace(written_value, cst.Integer(size))],
                )
                if written
                else FixSpec(Applicability.DISPLAY_ONLY, f"Give `{pool.keyword}` a finite literal such as {size}")
            )
            given = f"`{pool.keyword}={ctx.code(written_value)}`"
            if written_value is not literal:
                given += f" (`{ctx.code(literal)}`)"
            self.report(
                where,
                f"`{spelled}()` with {given} has no connection limit: {consequence}",
                fix=fix,
            )


def _keyed_assign(ctx, node: cst.Call, pool: Pool) -> cst.Assign | None:
    """``d[<keyword>] = <no limit>`` in the scope that binds ``d`` to a dict literal,
    for a ``**d`` spread into the pool's constructor."""
    for arg in node.args:
        if arg.star != "**" or not isinstance(arg.value, cst.Name):
            continue
        name = arg.value.value
        found = ctx.scopes.lookup(name)
        if found is None or not isinstance(ctx.scopes.value_of(arg.value), cst.Dict):
            continue
        scope_node = found[1].node
        body = scope_node.body if isinstance(scope_node, cst.FunctionDef) else scope_node
        for stmt in nodes(body, _SCOPES):
            if not isinstance(stmt, cst.Assign) or len(stmt.targets) != 1:
                continue
            target = stmt.targets[0].target
            if (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Name)
                and target.value.value == name
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
                and args.string_value(target.slice[0].slice.value) == pool.keyword
                and _unlimited(pool, stmt.value)
            ):
                return stmt
    return None


def _unlimited(pool: Pool, value: cst.BaseExpression) -> bool:
    if args.is_none(value):
        return pool.none
    number = args.number_value(value)
    if number is None:
        return False
    return (pool.zero and number == 0) or (pool.negative and number < 0)


def _queue_pool(ctx, node: cst.Call) -> bool:
    """``create_engine`` builds its default QueuePool: no ``poolclass``/``pool``, not SQLite."""
    if any(args.find(node, ArgSpec(k), ctx) is not None for k in ENGINE_POOL_OPTIONS):
        return False
    url = args.find(node, ArgSpec("url", 0), ctx)
    if isinstance(url, (cst.Name, cst.Attribute)):
        url = ctx.scopes.value_of(url)
    text = args.string_value(url) if isinstance(url, cst.CSTNode) else None
    return text is None or not text.startswith("sqlite")
