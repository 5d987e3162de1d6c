"""Stub ``requests``, ``tenacity``, ``backoff`` (and a star-exporting ``mylib``) for
running fixed programs: every remote call and retry attempt is recorded, never sent.

The stubs are written to a temporary folder and imported from there, so a test
can run a program before and after a fix and compare what it did. The remote
calls to a "flaky" URL fail a set number of times before they succeed (``FAILURES``), so a retry
decorator's attempts show; an unbounded retry stops at the stub's own cap
(as the real one would after the same failures).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import textwrap
from pathlib import Path

_COMMON = """
import sys
EVENTS = sys.modules["_stub_events"].EVENTS
"""

REQUESTS = (
    _COMMON
    + """
class ConnectionError(Exception):
    pass

class Response:
    status_code = 200

def _record(verb, args, kwargs):
    EVENTS.append(("requests." + verb, args, tuple(sorted(kwargs.items(), key=str))))
    state = sys.modules["_stub_events"]
    if any("flaky" in str(a) for a in args):
        state.CALLS += 1
        if state.CALLS <= state.FAILURES:
            raise ConnectionError("stub failure")
    return Response()

def request(method, url, **kwargs):
    return _record("request", (method, url), kwargs)

def _verb(name):
    def call(*args, **kwargs):
        return _record(name, args, kwargs)
    call.__name__ = name
    return call

get = _verb("get")
post = _verb("post")
put = _verb("put")
head = _verb("head")
delete = _verb("delete")

class Session:
    def __init__(self):
        EVENTS.append(("requests.Session", (), ()))
    get = staticmethod(_verb("Session.get"))
    post = staticmethod(_verb("Session.post"))

class api:
    get = staticmethod(get)
"""
)

TENACITY = (
    _COMMON
    + """
import functools

CAP = 8  # an unbounded retry of the stub gives up here (the program would hang)

class _Named:
    def __init__(self, kind, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, tuple(sorted(kwargs.items()))
    def __repr__(self):
        return f"{self.kind}{self.args}{self.kwargs}"
    def __eq__(self, other):
        return isinstance(other, _Named) and repr(self) == repr(other)
    def __hash__(self):
        return hash(repr(self))
    def __or__(self, other):
        return _Named("stop_any", self, other)
    def __add__(self, other):
        return _Named("wait_combine", self, other)

def _factory(kind):
    def make(*args, **kwargs):
        return _Named(kind, *args, **kwargs)
    make.__name__ = kind
    return make

stop_after_attempt = _factory("stop_after_attempt")
stop_after_delay = _factory("stop_after_delay")
wait_fixed = _factory("wait_fixed")
wait_exponential = _factory("wait_exponential")
wait_random_exponential = _factory("wait_random_exponential")
wait_random = _factory("wait_random")
retry_if_exception_type = _factory("retry_if_exception_type")
stop_never = _Named("stop_never")

def _limit(stop):
    if isinstance(stop, _Named) and stop.kind == "stop_after_attempt":
        return stop.args[0]
    if isinstance(stop, _Named) and stop.kind == "stop_any":
        return min(_limit(p) for p in stop.args)
    return CAP

class RetryError(Exception):
    pass

class Retrying:
    def __init__(self, sleep=None, stop=None, wait=None, **kwargs):
        self.stop, self.wait, self.kwargs = stop, wait, kwargs
        EVENTS.append(("tenacity.Retrying", (), tuple(sorted(
            {"stop": repr(stop), "wait": repr(wait), **{k: repr(v) for k, v in kwargs.items()}}.items()))))

    def __call__(self, fn, *args, **kwargs):
        limit = _limit(self.stop)
        for attempt in range(1, limit + 1):
            EVENTS.append(("tenacity.attempt", (attempt,), ()))
            try:
                return fn(*args, **kwargs)
            except Exception:
                if attempt == limit:
                    raise RetryError("gave up")

    def wraps(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            return self(fn, *args, **kwargs)
        wrapped.retry = self
        return wrapped

def retry(*dargs, **dkw):
    # As tenacity: given the function itself, its keywords are ignored.
    if len(dargs) == 1 and callable(dargs[0]):
        return retry()(dargs[0])
    def wrap(fn):
        return Retrying(*dargs, **dkw).wraps(fn)
    return wrap
"""
)

BACKOFF = (
    _COMMON
    + """
import functools

CAP = 8

def expo(*args, **kwargs):
    return ("expo", args)

def constant(*args, **kwargs):
    return ("constant", args)

def full_jitter(value):
    return value

def on_exception(wait_gen, exception, *, max_tries=None, max_time=None, jitter=full_jitter, **kwargs):
    EVENTS.append(("backoff.on_exception", (), tuple(sorted(
        {"max_tries": max_tries, "max_time": max_time, "jitter": getattr(jitter, "__name__", repr(jitter)),
         **{k: repr(v) for k, v in kwargs.items()}}.items()))))
    limit = max_tries or CAP
    def wrap(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kw):
            for attempt in range(1, limit + 1):
                EVENTS.append(("backoff.attempt", (attempt,), ()))
                try:
                    return fn(*args, **kw)
                except exception:
                    if attempt == limit:
                        raise
        return wrapped
    return wrap
"""
)

# A module whose star import provides names the tenacity fixes would insert.
MYLIB = (
    _COMMON
    + """
def stop_after_attempt(n):
    EVENTS.append(("mylib.stop_after_attempt", (n,), ()))
    return ("mylib", n)

def wait_random_exponential(**kwargs):
    return ("mylib-wait", tuple(sorted(kwargs.items())))

HTTP_TIMEOUT = "mylib"
"""
)

SETTINGS = """
HTTP_TIMEOUT = 7
"""

STUBS = {
    "requests/__init__.py": REQUESTS,
    "requests/api.py": "from requests import get, post, put, head, delete, request\n",
    "tenacity/__init__.py": TENACITY,
    "backoff/__init__.py": BACKOFF,
    "mylib/__init__.py": MYLIB,
    "myapp/__init__.py": "",
    "myapp/settings.py": SETTINGS,
}
_NAMES = ("requests", "requests.api", "tenacity", "backoff", "mylib", "myapp", "myapp.settings", "_stub_events")


def write_stubs(folder: Path) -> Path:
    for rel, text in STUBS.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@contextlib.contextmanager
def stubs_on_path(folder: Path):
    """Import the stubs from ``folder`` (not from site-packages) while the block runs."""
    saved = {name: sys.modules.pop(name) for name in _NAMES if name in sys.modules}
    sys.path.insert(0, str(folder))
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in _NAMES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        importlib.invalidate_caches()


def run(program: str, folder: Path, failures: int = 2) -> tuple[list, str | None]:
    """What ``program`` did with the stubs: (events, the exception it ended with)."""
    import types

    events_module = types.ModuleType("_stub_events")
    events_module.EVENTS = []  # type: ignore[attr-defined]
    events_module.CALLS = 0  # type: ignore[attr-defined]
    events_module.FAILURES = failures  # type: ignore[attr-defined]
    with stubs_on_path(folder):
        sys.modules["_stub_events"] = events_module
        outcome = None
        try:
            code = compile(program, "program.py", "exec", dont_inherit=True)
            exec(code, {"__name__": "program"})  # a program the test wrote, run with stubs
        except Exception as exc:  # noqa: BLE001 - the outcome is compared, whatever it is
            outcome = type(exc).__name__
        return list(events_module.EVENTS), outcome  # type: ignore[attr-defined]
