"""Property tests on generated programs: the engine never raises, a fix always
parses and compiles, and fixing the fixed text changes nothing.

hypothesmith writes syntactically valid but arbitrary Python; on its own it
rarely triggers a rule, so a second strategy splices real rule-triggering
snippets (with generated expressions as their arguments) into generated
programs, so that fixes actually run and get verified.
"""

from __future__ import annotations

import ast

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rel05_lint.core.config import Settings
from rel05_lint.registry import build_engine

ENGINE = build_engine(Settings().with_overrides(select=("ALL",)))
ENGINE.check("", "warm.py")  # starts the deep-stack thread (it raises the recursion limit) before hypothesis runs
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

IMPORTS = (
    "import queue\n"
    "import requests\n"
    "import httpx\n"
    "import tenacity\n"
    "import backoff\n"
    "from tenacity import retry, stop_after_attempt, wait_fixed\n"
)
# {x} is a generated expression (parenthesized, so it may span lines).
SNIPPETS = (
    "requests.get({x})\n",
    "r = requests.post({x}, data={x})\n",
    "httpx.get({x}, timeout=None)\n",
    "q = queue.Queue()\n",
    "q2 = queue.Queue(maxsize=0)\n",
    "@tenacity.retry\ndef f1():\n    return requests.get({x})\n",
    "@retry(wait=wait_fixed(1))\ndef f2():\n    pass\n",
    "@retry(stop=stop_after_attempt(3))\nasync def f3():\n    return {x}\n",
    "@backoff.on_exception(backoff.expo, ConnectionError, jitter=None)\ndef f4():\n    pass\n",
    "class C:\n    @retry\n    def m(self):\n        return requests.put({x}, json={x},\n        )\n",
    "s = requests.Session()\ns.get({x})\n",
    "x = [requests.head(u) for u in {x}]\n",
)

# Built once: each from_grammar() call compiles a grammar.
PROGRAMS = hypothesmith.from_grammar()
EXPRESSIONS = st.one_of(
    st.sampled_from(["url", "'https://example.com'", "f'{base}/x'", "cfg['url']", "*args", "**kw"]),
    hypothesmith.from_grammar(start="eval_input")
    .map(str.strip)
    .filter(lambda s: s and "\\" not in s and "#" not in s)
    .map(lambda s: f"({s})"),
)


def assert_engine_is_sound(text: str) -> None:
    findings = ENGINE.check(text, "generated.py")
    assert isinstance(findings, list)
    result = ENGINE.fix(text, "generated.py", unsafe=True)
    if result.fixed_text is None:
        assert result.fixes_applied == 0
        return
    ast.parse(result.fixed_text)
    compile(result.fixed_text, "generated.py", "exec", dont_inherit=True)
    again = ENGINE.fix(result.fixed_text, "generated.py", unsafe=True)
    assert again.fixed_text is None, "a second fix changed the fixed text"
    assert again.fixes_applied == 0


def _compiles(text: str) -> bool:
    try:
        compile(text, "generated.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


@PROPERTY
@given(PROGRAMS)
def test_generated_programs(text):
    assert_engine_is_sound(text)


@st.composite
def spliced_programs(draw):
    body = draw(PROGRAMS)
    if not body.endswith("\n"):
        body += "\n"
    parts = [IMPORTS]
    for snippet in draw(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=5)):
        parts.append(snippet.replace("{x}", draw(EXPRESSIONS)))
    where = draw(st.sampled_from(["before", "after"]))
    text = (body + "".join(parts)) if where == "after" else ("".join(parts) + body)
    assume(_compiles(text))
    return text


@PROPERTY
@given(spliced_programs())
def test_spliced_rule_snippets_fix_cleanly(text):
    assert_engine_is_sound(text)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_each_snippet_is_fixed_or_reported(snippet):
    # Every snippet really triggers something, so the spliced property exercises fixes.
    text = IMPORTS + snippet.replace("{x}", "url")
    assert ENGINE.check(text, "snippet.py"), snippet
    assert_engine_is_sound(text)
