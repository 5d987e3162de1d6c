"""Connection pools and the values that take their limit away (REL403), as data.

Read from the installed packages (aiohttp 3.14, httpx 0.28, SQLAlchemy 2.1):

- ``aiohttp.TCPConnector(limit=100)``: "If limit is 0 the connector has no
  limit"; the check is ``if self._limit and ...``, so ``None`` means no limit
  too. All its parameters are keyword-only.
- ``httpx.Limits(max_connections=None, ...)``: the class's own default is
  ``None``, no limit (the clients' default is ``DEFAULT_LIMITS =
  Limits(max_connections=100, max_keepalive_connections=20)``), so a
  ``Limits(...)`` without ``max_connections`` has no limit either. Keyword-only.
- SQLAlchemy's ``QueuePool`` (what ``create_engine`` builds unless given
  ``poolclass``, and not for SQLite, whose dialect picks
  ``SingletonThreadPool`` for memory databases): ``pool_size=0`` means no
  limit (``_max_overflow = -1 if pool_size == 0``), and any negative
  ``max_overflow`` means no limit on overflow connections
  (``use_overflow = self._max_overflow > -1``). Keyword-only on ``create_engine``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rel05_lint.core.prefilter import Names


@dataclass(frozen=True)
class Pool:
    library: str
    keyword: str  # the limit
    zero: bool  # a literal 0 means no limit
    none: bool  # None means no limit
    negative: bool  # a negative literal means no limit
    absent_unlimited: bool = False  # leaving the keyword out means no limit


_TCP = (Pool("aiohttp", "limit", zero=True, none=True, negative=False),)
_LIMITS = (Pool("httpx", "max_connections", zero=False, none=True, negative=False, absent_unlimited=True),)
_ENGINE = (
    Pool("sqlalchemy", "pool_size", zero=True, none=False, negative=False),
    Pool("sqlalchemy", "max_overflow", zero=False, none=False, negative=True),
)

POOLS: dict[str, tuple[Pool, ...]] = {
    "aiohttp.TCPConnector": _TCP,
    "aiohttp.connector.TCPConnector": _TCP,
    "httpx.Limits": _LIMITS,
    "httpx._config.Limits": _LIMITS,
    "sqlalchemy.create_engine": _ENGINE,
    "sqlalchemy.engine.create_engine": _ENGINE,
    "sqlalchemy.engine.create.create_engine": _ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": _ENGINE,
    "sqlalchemy.ext.asyncio.engine.create_async_engine": _ENGINE,
}
# create_engine builds a QueuePool unless told otherwise.
ENGINE_POOL_OPTIONS = ("poolclass", "pool")
POOL_NAMES = Names(POOLS)
