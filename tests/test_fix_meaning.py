"""Property: a fixed program behaves like the original except for the bound its
fix names (issue 21 item 7, issue 20's closing paragraph).

Hypothesis assembles programs from the shapes hostile testing found (import
styles and aliases, lambda and comprehension variables, walrus and match
captures, class attributes and parameters named like inserted names, star and
TYPE_CHECKING imports, spreads filled later, several statements on one line,
multi-line calls with comments, retry applied by a call). Each is run with stub
``requests``, ``tenacity`` and ``backoff`` modules (tests/runtime_stubs.py,
written to a temporary folder; nothing is sent anywhere) before and after
``fix --unsafe-fixes``. The calls made, their arguments, the retry attempts and
the way the program ends must match, except for the keyword a fix sets on the
library call it targets (``timeout`` on a requests call, ``stop``/``wait`` on a
tenacity retry, ``max_tries``/``jitter`` on a backoff one).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_stubs import run, write_stubs

from rel05_lint.core.config import Settings
from rel05_lint.registry import build_engine

ENGINES = {
    value: build_engine(Settings().with_overrides(select=("ALL",), default_timeout=value))
    for value in (10, "myapp.settings.HTTP_TIMEOUT")
}
ENGINES[10].check("", "warm.py")  # starts the deep-stack thread (it raises the recursion limit) first
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

# What a fix may change, per library call: the bound it names.
BOUNDS = {
    "requests.": {"timeout"},
    "tenacity.Retrying": {"stop", "wait"},
    "backoff.on_exception": {"max_tries", "max_time", "jitter"},
}

# A local object whose methods look like a client's: a fix must leave its calls alone.
LOCAL = (
    "class Box:\n"
    "    def get(self, *args, **kwargs):\n"
    "        _stub_events.EVENTS.append(('Box.get', args, tuple(sorted(kwargs.items()))))\n"
    "        return self\n"
)

IMPORT_STYLES = {
    "plain": ("import requests", "requests"),
    "alias": ("import requests as rq", "rq"),
    "from": ("from requests import get", None),
    "same-line": ("import requests; requests.get('first')", "requests"),
}
RETRY_STYLES = {
    "from": ("from tenacity import retry, Retrying", "retry", "Retrying"),
    "module": ("import tenacity", "tenacity.retry", "tenacity.Retrying"),
    "alias": ("import tenacity as ten", "ten.retry", "ten.Retrying"),
    "from-alias": ("from tenacity import retry as again, Retrying as Again", "again", "Again"),
}
# Names the fixes insert, bound here by something else.
CAPTURED = ("stop_after_attempt", "wait_random_exponential", "HTTP_TIMEOUT", "tenacity", "requests")


def _get(style: str, spelling: str | None) -> str:
    """How the program calls ``requests.get``."""
    return "get" if spelling is None else f"{spelling}.get"


SHAPES = 14


def build(imports: str, retries: str, name: str, shapes: list[int], star: bool, typing: bool) -> str:
    """A program of ``shapes`` (0 to SHAPES - 1), then a driver calling each once."""
    import_line, req = IMPORT_STYLES[imports]
    retry_import, retry, retrying = RETRY_STYLES[retries]
    get = _get(imports, req)
    head = [import_line, retry_import, "import backoff", "import _stub_events", "import queue"]
    if star:
        head.insert(0, "from mylib import *")
    if typing:
        head += ["from typing import TYPE_CHECKING", "if TYPE_CHECKING:", "    from tenacity import stop_after_attempt"]
    body: list[str] = [LOCAL]
    driver: list[str] = []
    for n, shape in enumerate(shapes):
        fn = f"f{n}"
        if shape == 0:
            body.append(f"def {fn}(u):\n    return {get}(u)\n")
        elif shape == 1:
            body.append(f"def {fn}(u):\n    return [{get}(u) for {name} in range(2)]\n")
        elif shape == 2:
            var = req or "get"
            body.append(f"def {fn}(u):\n    return [{var}.get(u) for {var} in [Box()]]\n")
        elif shape == 3:
            var = req or "get"
            body.append(f"def {fn}(u):\n    return (lambda {var}: {var}.get(u))(Box())\n")
        elif shape == 4:
            var = req or "get"
            body.append(f"def {fn}(u):\n    if ({var} := Box()):\n        return {var}.get(u)\n")
        elif shape == 5:
            var = req or "get"
            body.append(f"def {fn}(u):\n    match [Box()]:\n        case [{var}]:\n            return {var}.get(u)\n")
        elif shape == 6:
            body.append(
                f"OPTS{n} = {{'params': 1}}\nOPTS{n}['timeout'] = 3\n\ndef {fn}(u):\n    return {get}(u, **OPTS{n})\n"
            )
        elif shape == 7:
            body.append(
                f"def {fn}(u):\n    return {get}(\n        u,  # type: ignore\n        params=2  # noqa: E501\n    )\n"
            )
        elif shape == 8:
            body.append(f"@{retry}\ndef {fn}(u):\n    return {get}(u, timeout=1)\n")
        elif shape == 9:
            # (a class attribute named like the retry's own prefix would break the original)
            attr = "stop_after_attempt" if name == retry.split(".")[0] else name
            body.append(
                f"class C{n}:\n    {attr} = 3\n\n    @{retry}\n    def m(self, u):\n        return {get}(u, timeout=1)\n\n"
                f"def {fn}(u):\n    return C{n}().m(u)\n"
            )
        elif shape == 10:
            param = "stop_after_attempt" if name == retrying.split(".")[0] else name
            body.append(
                f"def make{n}({param}):\n    return {retrying}()\n\n"
                f"def {fn}(u):\n    return make{n}(3)(lambda: {get}(u, timeout=1))\n"
            )
        elif shape == 11:
            body.append(f"def plain{n}(u):\n    return {get}(u, timeout=1)\n\n{fn} = {retry}(plain{n})\n")
        elif shape == 12:
            body.append(
                f"@backoff.on_exception(\n    backoff.expo,  # pragma: no cover\n    Exception,\n"
                f"    jitter=None,  # nosec\n)\ndef {fn}(u):\n    return {get}(u, timeout=1)\n"
            )
        else:
            # A module-level variable (not one the program's own imports need).
            var = "stop_after_attempt" if name in ("requests", "tenacity") else name
            body.append(f"{var} = 'module-level'\n\n@{retry}\ndef {fn}(u):\n    return {get}(u, timeout=1)\n")
        driver.append(
            f"try:\n    {fn}('https://example.com/flaky/{n}')\nexcept Exception as exc:\n    _stub_events.EVENTS.append(('raised', type(exc).__name__))\n"
        )
    return "\n".join(head) + "\n\n" + "\n".join(body) + "\n" + "".join(driver)


@st.composite
def programs(draw) -> tuple[str, object]:
    text = build(
        draw(st.sampled_from(sorted(IMPORT_STYLES))),
        draw(st.sampled_from(sorted(RETRY_STYLES))),
        draw(st.sampled_from(CAPTURED)),
        draw(st.lists(st.integers(0, SHAPES - 1), min_size=1, max_size=5)),
        draw(st.booleans()),
        draw(st.booleans()),
    )
    return text, draw(st.sampled_from(sorted(ENGINES, key=str)))


def _without_bounds(events: list) -> list:
    out = []
    for event in events:
        name = event[0]
        drop = next((keys for prefix, keys in BOUNDS.items() if name.startswith(prefix)), set())
        if drop and len(event) == 3:
            event = (name, event[1], tuple(kv for kv in event[2] if kv[0] not in drop))
        out.append(event)
    return out


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    return write_stubs(tmp_path_factory.mktemp("stubs"))


def _check(text: str, timeout, stubs) -> bool:
    compile(text, "program.py", "exec", dont_inherit=True)  # the generator writes valid programs
    result = ENGINES[timeout].fix(text, "program.py", unsafe=True)
    before, ended = run(text, stubs)
    assert ended is None, (ended, text)
    if result.fixed_text is None:
        return False
    after, ended_after = run(result.fixed_text, stubs)
    assert ended_after is None, (ended_after, result.fixed_text)
    assert _without_bounds(after) == _without_bounds(before), result.fixed_text
    # The bound the fix names was set where it said: every requests call has a timeout.
    return True


@pytest.mark.slow  # about 30 s: 80 programs, each fixed and run twice
@PROPERTY
@given(programs())
def test_fixed_programs_behave_like_the_originals(stubs, program):
    text, timeout = program
    _check(text, timeout, stubs)


@pytest.mark.parametrize("shape", range(SHAPES))
def test_every_shape_alone(stubs, shape):
    """Each shape on its own (the fast tier's share of the property): the runs
    match, and the fixable shapes (a plain call, a multi-line one, the tenacity
    and backoff decorators) are fixed, so the property is not vacuous."""
    imports = sorted(IMPORT_STYLES)[shape % len(IMPORT_STYLES)]
    name = CAPTURED[shape % len(CAPTURED)]
    fixed = 0
    for timeout in ENGINES:
        fixed += _check(build(imports, "from", name, [shape], shape % 2 == 1, shape % 3 == 0), timeout, stubs)
    if shape in (0, 7, 8, 12):
        assert fixed, "the shape was never fixed"


@pytest.mark.slow  # every import style, captured name and star import: about 2 minutes
@pytest.mark.parametrize("shape", range(SHAPES))
def test_every_shape_in_every_setting(stubs, shape):
    for timeout in ENGINES:
        for imports in IMPORT_STYLES:
            for name in CAPTURED:
                for star in (False, True):
                    _check(build(imports, "module", name, [shape], star, False), timeout, stubs)
