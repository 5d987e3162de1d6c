"""Fixes never change meaning beyond their message (issue 20 items 1-10, issue 21
item 1): each case is fixed, then run with stub modules and compared with what
its message promises."""

from __future__ import annotations

import re

import pytest
from runtime_stubs import run, write_stubs

from rel05_lint.core.config import ConfigError, Resolver, Settings
from rel05_lint.registry import build_engine

DOTTED = "myapp.settings.HTTP_TIMEOUT"


def _engine(**overrides):
    return build_engine(Settings().with_overrides(select=("ALL",), **overrides))


def fix(text: str, **overrides) -> str:
    result = _engine(**overrides).fix(text, "app.py", unsafe=True)
    return text if result.fixed_text is None else result.fixed_text


def codes(text: str, **overrides) -> list[tuple[str, int]]:
    return [(f.code, f.row) for f in _engine(**overrides).check(text, "app.py")]


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    return write_stubs(tmp_path_factory.mktemp("stubs"))


def timeouts(events) -> list:
    """The timeout each stub requests call received (None: not passed)."""
    return [
        dict(kw).get("timeout") for name, _, kw in events if name.startswith("requests.") and name != "requests.Session"
    ]


# --- 1: names bound by anything but an import are not the import ---------------


@pytest.mark.parametrize(
    "body",
    [
        "x = [requests.get('name') for requests in rows]",
        "x = {requests.get('name') for requests in rows}",
        "x = {k: requests.get(k) for k, requests in rows}",
        "x = list(requests.get('name') for requests in rows)",
        "f = lambda requests: requests.get('u')\nf(rows[0])",
        "f = lambda *requests: requests[0].get('u')",
        "if (requests := rows[0]):\n    requests.get('u')",
        "def g():\n    [y := requests.get('u') for requests in rows]",
        "match rows:\n    case [requests, *_]:\n        requests.get('u')",
        "match rows:\n    case [*requests]:\n        requests[0].get('u')",
        "match {'a': rows[0]}:\n    case {'a': requests}:\n        requests.get('u')",
        "match rows:\n    case list() as requests:\n        requests[0].get('u')",
    ],
)
def test_non_import_bindings_are_not_resolved_as_the_import(body, stubs):
    text = f"import requests\nrows = [dict(), dict()]\n{body}\n"
    assert [c for c, _ in codes(text) if c == "REL501"] == []
    assert fix(text) == text


def test_walrus_in_a_function_makes_the_name_local_there():
    text = "import requests\n\ndef g(rows):\n    if (requests := rows[0]):\n        requests.get('u')\n"
    assert codes(text) == []


@pytest.mark.parametrize(
    "body",
    [
        "x = [requests.get(u) for u in rows]",  # the comprehension binds `u`, not `requests`
        "f = lambda u: requests.get(u)\nf('a')",
        "match rows:\n    case [u, *_]:\n        requests.get(u)",
        "x = [r.get(u) for u in rows]",
    ],
)
def test_the_import_is_still_resolved_inside_lambdas_and_comprehensions(body, stubs):
    text = f"import requests\nimport requests as r\nrows = ['a']\n{body}\n"
    assert [c for c, _ in codes(text)] == ["REL501"]
    events, error = run(fix(text), stubs, failures=0)
    assert error is None and timeouts(events) == [10]


def test_a_method_still_sees_self_inside_a_comprehension():
    text = (
        "from tenacity import retry, stop_after_attempt\n\n"
        "class C:\n"
        "    @retry(stop=stop_after_attempt(3))\n"
        "    def one(self, p):\n        return p\n\n"
        "    @retry(stop=stop_after_attempt(3))\n"
        "    def many(self, ps):\n        return [self.one(p) for p in ps]\n"
    )
    assert ("REL305", 10) in codes(text)


# --- 2: the inserted default-timeout name is not captured at the call site ---------


@pytest.mark.parametrize(
    "body",
    [
        "x = [requests.get('u') for HTTP_TIMEOUT in range(2)]",
        "f = lambda HTTP_TIMEOUT: requests.get('u')\nf(99)",
        "def g(HTTP_TIMEOUT):\n    return requests.get('u')\ng(99)",
        "class C:\n    HTTP_TIMEOUT = 99\n    r = requests.get('u')",
        "match 99:\n    case HTTP_TIMEOUT:\n        requests.get('u')",
    ],
)
def test_default_timeout_name_is_never_captured(body, stubs):
    text = f"import requests\n{body}\n"
    fixed = fix(text, default_timeout=DOTTED)
    assert fixed != text
    events, error = run(fixed, stubs, failures=0)
    assert error is None
    assert timeouts(events) and set(timeouts(events)) == {7}  # myapp.settings.HTTP_TIMEOUT, never 99 or 0/1


def test_default_timeout_with_a_star_import_is_qualified(stubs):
    text = "from mylib import *\nimport requests\nrequests.get('u')\nVALUE = HTTP_TIMEOUT\n"
    fixed = fix(text, default_timeout=DOTTED)
    assert "from myapp.settings import" not in fixed
    events, error = run(fixed + "assert VALUE == 'mylib'\n", stubs, failures=0)
    assert error is None and timeouts(events) == [7]


# --- 3: the inserted import comes before the code that uses it ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "import requests; requests.get('u')\n",
        "import os\nimport requests; r = requests.get('u'); print(r)\n",
        '"""Doc."""\nimport requests; requests.get("u")\n',
    ],
)
def test_inserted_import_runs_before_the_call_on_the_import_line(text, stubs):
    fixed = fix(text, default_timeout=DOTTED)
    events, error = run(fixed, stubs, failures=0)
    assert error is None and timeouts(events) == [7]


def test_no_import_is_placed_before_a_future_import():
    text = "from __future__ import annotations; import requests; requests.get('u')\n"
    fixed = fix(text, default_timeout=DOTTED)
    compile(fixed, "app.py", "exec")  # a __future__ import must stay first
    assert fixed.startswith("from __future__")


# --- 4: TYPE_CHECKING imports are not run-time names -------------------------------


def test_type_checking_import_is_not_used_by_a_fix(stubs):
    text = (
        "from typing import TYPE_CHECKING\n"
        "from tenacity import retry\n"
        "if TYPE_CHECKING:\n"
        "    from tenacity import stop_after_attempt\n"
        "    import requests\n"
        "else:\n"
        "    import requests\n\n"
        "@retry\ndef f():\n    return requests.get('u')\n\nf()\n"
    )
    fixed = fix(text)
    events, error = run(fixed.replace("'u'", "'flaky'"), stubs, failures=1)
    assert error is None
    assert ("tenacity.attempt", (2,), ()) in events
    assert ("REL501", 11) in codes(text)  # the run-time import (the else branch) still resolves


def test_a_name_imported_only_for_type_checkers_does_not_resolve():
    text = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import requests\n\ndef f():\n    requests.get('u')\n"
    )
    assert codes(text) == []


# --- 5: tenacity fixes import what they qualify and check every scope --------------


@pytest.mark.parametrize(
    "text",
    [
        "from tenacity import retry\nstop_after_attempt = 3\n\n@retry\ndef f():\n    return requests.get('u', timeout=1)\n",
        (
            "from tenacity import retry\n\nclass C:\n    stop_after_attempt = 3\n    wait_random_exponential = 4\n\n"
            "    @retry\n    def f(self):\n        return requests.get('u', timeout=1)\n"
        ),
        (
            "from tenacity import Retrying\n\ndef make(stop_after_attempt, wait_random_exponential):\n"
            "    return Retrying()\n\nr = make(3, 4)\n"
        ),
        "import tenacity as t\nfrom tenacity import retry as again\ntenacity = 3\n\n@again\ndef f():\n    pass\n",
    ],
)
def test_tenacity_fixes_run(text, stubs):
    fixed = fix("import requests\n" + text)
    assert fixed != "import requests\n" + text
    events, error = run(fixed, stubs, failures=0)
    assert error is None, fixed
    stops = [dict(kw)["stop"] for name, _, kw in events if name == "tenacity.Retrying"]
    assert stops == ["stop_after_attempt(5,)()"], fixed


# --- 6: retry applied by a call gets no fix ---------------------------------------


@pytest.mark.parametrize("call", ["tenacity.retry(f)", "retry(f)", "tenacity.retry(f, reraise=True)"])
def test_retry_called_on_the_function_gets_no_keyword_fix(call):
    text = f"import tenacity\nfrom tenacity import retry\n\ndef f():\n    pass\n\ng = {call}\n"
    assert ("REL301", 7) in codes(text)
    assert fix(text) == text


def test_retry_called_with_options_is_still_fixed():
    text = "import tenacity\n\ndef f():\n    pass\n\ng = tenacity.retry(reraise=True)(f)\n"
    assert "stop=tenacity.stop_after_attempt(5)" in fix(text)


# --- 7: comments stay on their lines ------------------------------------------------

COMMENTED = [
    'requests.get(\n    "u",  # type: ignore\n    params=1,  # noqa: E501\n)\n',
    'requests.get(\n    "u",  # type: ignore\n    params=1  # noqa: E501\n)\n',
    'requests.get("u",  # nosec\n             params=1)  # pragma: no cover\n',
    'requests.get(\n    "u"  # type: ignore\n)\n',
    "@backoff.on_exception(\n    backoff.expo,  # pragma: no cover\n    ValueError,\n    jitter=None  # nosec\n)\ndef g():\n    pass\n",
    "@backoff.on_exception(\n    backoff.expo,  # pragma: no cover\n    ValueError,  # noqa: B001\n    jitter=None,  # nosec\n    max_tries=3,  # keep\n)\ndef g():\n    pass\n",
]


@pytest.mark.parametrize("body", COMMENTED)
def test_comments_stay_with_their_arguments(body):
    text = "import backoff\nimport requests\n" + body
    fixed = fix(text)
    assert fixed != text
    for line in text.splitlines():
        if "#" not in line:
            continue
        code, comment = line.split("#", 1)
        holding = [new for new in fixed.splitlines() if new.endswith("#" + comment)]
        if "jitter=None" in code:
            assert holding == []  # the removed argument's line goes, with its comment
            continue
        # Same line start: the argument the comment followed (a comma or keyword may follow it).
        assert len(holding) == 1 and holding[0].startswith(code.rstrip().rstrip(",)")), (line, fixed)


# --- 8: spreads whose content changes (edition 2, E3) --------------------------------


@pytest.mark.parametrize(
    "fill",
    ["OPTS['timeout'] = 3", "OPTS.update(timeout=3)", "OPTS.setdefault('timeout', 3)", "OPTS |= {'timeout': 3}"],
)
def test_a_filled_spread_is_unknown(fill, stubs):
    text = f"import requests\nOPTS = {{}}\n{fill}\nrequests.get('u', **OPTS)\n"
    assert codes(text) == []
    assert fix(text) == text


def test_filled_queue_and_retry_spreads_are_unknown():
    text = (
        "import queue\nfrom tenacity import retry\n"
        "Q = {}\nQ.setdefault('maxsize', 3)\nq = queue.Queue(**Q)\n"
        "KW = {}\nKW['stop'] = 1\n\n@retry(**KW)\ndef f():\n    pass\n"
    )
    fixed = fix(text)
    assert "maxsize=1000" not in fixed and "stop=" not in fixed.split("@retry", 1)[1]


def test_a_spread_filled_elsewhere_is_reported_but_never_given_the_keyword(stubs):
    text = (
        "import requests\nOPTS = {'verify': True}\n\n"
        "def configure():\n    OPTS['timeout'] = 3\n\n"
        "configure()\nrequests.get('u', **OPTS)\n"
    )
    assert codes(text) == [("REL501", 8)]  # E3: another scope's change does not make it unknown
    fixed = fix(text)
    events, error = run(fixed, stubs, failures=0)
    assert error is None and timeouts(events) == [3]


def test_a_spread_passed_on_gets_no_fix_but_a_literal_one_does():
    text = "import requests\nH = {'verify': True}\nsend(H)\nrequests.get('u', **H)\nrequests.get('u', **{'a': 1})\n"
    assert [c for c, _ in codes(text)] == ["REL501", "REL501"]
    fixed = fix(text)
    assert "requests.get('u', **H)\n" in fixed and "**{'a': 1}, timeout=10)" in fixed


def test_star_args_block_an_added_keyword():
    text = "import queue\nimport tenacity\nq = queue.Queue(*sizes)\nr = tenacity.Retrying(*opts)\n"
    assert fix(text) == text


# --- 9: timeouts by position where the position depends on the Python version --------


@pytest.mark.parametrize(
    "call",
    [
        'http.client.HTTPSConnection("h", 443, None, None, 5)',
        'smtplib.SMTP_SSL("h", 465, None, None, None, 5)',
        'smtplib.LMTP("h", 2003, None, None, 5)',
        'poplib.POP3_SSL("h", 995, None, None, 5)',
        'imaplib.IMAP4_SSL("h", 993, None, None, None, 5)',
        'ftplib.FTP_TLS("h", "u", "p", "", None, None, None, 5)',
    ],
)
def test_positional_timeout_is_present(call):
    text = f"import ftplib, http.client, imaplib, poplib, smtplib\nc = {call}\n"
    assert codes(text) == []
    assert fix(text) == text


@pytest.mark.parametrize(
    "call",
    [
        'http.client.HTTPSConnection("h", 443)',
        'smtplib.SMTP_SSL("h", 465, None)',
        'poplib.POP3_SSL("h")',
        'imaplib.IMAP4_SSL("h", 993)',
        'ftplib.FTP_TLS("h", "u", "p", "")',
    ],
)
def test_short_positional_calls_still_lack_a_timeout(call):
    text = f"import ftplib, http.client, imaplib, poplib, smtplib\nc = {call}\n"
    assert [c for c, _ in codes(text)] == ["REL501"]
    assert "timeout=10" in fix(text)


# --- 10: default-timeout values a fix cannot write ------------------------------------


@pytest.mark.parametrize(
    "value, words",
    [
        ("inf", "positive number"),
        ("-inf", "positive number"),
        ("nan", "positive number"),
        ("1e400", "positive number"),
        ("'a.class'", "dotted name"),
        ("'settings.None'", "dotted name"),
        ("'a.def.TIMEOUT'", "dotted name"),
        ("'TIMEOUT'", "dotted name"),
        ("'a..b'", "dotted name"),
        ("'1a.b'", "dotted name"),
    ],
)
def test_default_timeout_is_validated(tmp_path, value, words):
    (tmp_path / "pyproject.toml").write_text(f"[tool.rel05-lint]\ndefault-timeout = {value}\n")
    with pytest.raises(ConfigError) as info:
        Resolver()(str(tmp_path / "a.py"))
    message = str(info.value)
    assert "pyproject.toml:2" in message and "`default-timeout`" in message and words in message


# --- issue 21 item 1: a star import may provide the short name ---------------------


def test_star_import_gets_qualified_names_and_import_tenacity(stubs):
    text = (
        "from mylib import *\nfrom tenacity import retry\n\n"
        "@retry\ndef f():\n    pass\n\n"
        "QUOTA = stop_after_attempt(3)\n"
        "assert QUOTA == ('mylib', 3)\n"
    )
    fixed = fix(text)
    assert re.search(r"^import tenacity$", fixed, re.M)
    assert "stop=tenacity.stop_after_attempt(5)" in fixed
    assert "from tenacity import retry\n" in fixed  # not extended with a name the star import may provide
    _, error = run(fixed, stubs, failures=0)
    assert error is None
