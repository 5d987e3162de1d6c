"""Rate limiters whose counters may live in one process (REL202), as data.

Flask-Limiter 4.1 (``Limiter(key_func, *, ..., storage_uri=None, ...)``,
keyword-only after ``key_func``) reads ``RATELIMIT_STORAGE_URI`` from the
app config and falls back to ``memory://``, logging "Using the in-memory
storage for tracking rate limits as no storage was explicitly specified.
This is not recommended for production use." slowapi 0.1
(``Limiter(key_func, default_limits, application_limits, headers_enabled,
strategy, storage_uri, ...)``) falls back to ``RATELIMIT_STORAGE_URL`` from
its configuration (a ``.env`` file or the environment), then ``memory://``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rel05_lint.core.args import ArgSpec
from rel05_lint.core.prefilter import Names


@dataclass(frozen=True)
class Limiter:
    library: str
    storage: ArgSpec


_FLASK = Limiter("Flask-Limiter", ArgSpec("storage_uri"))
_SLOWAPI = Limiter("slowapi", ArgSpec("storage_uri", 5))
LIMITERS: dict[str, Limiter] = {
    "flask_limiter.Limiter": _FLASK,
    "flask_limiter.extension.Limiter": _FLASK,
    "slowapi.Limiter": _SLOWAPI,
    "slowapi.extension.Limiter": _SLOWAPI,
}
LOCAL_STORAGE = frozenset({"memory://"})
# Settings that give the limiter its storage when the call does not.
STORAGE_SETTINGS = frozenset({"RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URL"})
LIMITER_NAMES = Names(LIMITERS)
