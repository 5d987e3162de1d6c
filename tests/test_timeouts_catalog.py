"""The timeout catalog against real signatures, and what fixtures cannot show."""

from __future__ import annotations

import importlib
import inspect
import sys

import libcst as cst
import pytest

from rel05_lint.catalog import remote, timeouts
from rel05_lint.core.config import ExtraCall, Settings
from rel05_lint.core.rule import Context
from rel05_lint.core.scope import ScopeTracker
from rel05_lint.core.walker import Dispatch, walk
from rel05_lint.registry import build_engine

STDLIB = ("urllib", "http.client", "socket", "smtplib", "ftplib", "imaplib", "poplib", "asyncio")


def _resolve(qualname: str):
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(qualname)


POSITIONAL = sorted(
    (name, t.arg) for name, t in timeouts.FUNCTIONS.items() if t.library in STDLIB and t.arg.position is not None
)


@pytest.mark.parametrize("name,spec", POSITIONAL, ids=[n for n, _ in POSITIONAL])
def test_stdlib_positions_match_the_running_python(name, spec):
    try:
        params = list(inspect.signature(_resolve(name)).parameters.values())
    except ValueError:
        pytest.skip("builtin without a signature")
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert spec.position < len(positional)
    if params[spec.position].kind is not inspect.Parameter.POSITIONAL_ONLY:
        assert positional[spec.position] == spec.keyword


@pytest.mark.parametrize(
    "name",
    [
        "http.client.HTTPSConnection",
        "smtplib.SMTP_SSL",
        "smtplib.LMTP",
        "ftplib.FTP_TLS",
        "imaplib.IMAP4_SSL",
        "poplib.POP3_SSL",
    ],
)
def test_version_dependent_positions_count_as_present(name):
    """The timeout's position on Python 3.10/3.11 (keyword-only from 3.12 except
    LMTP's): an argument there is present (issue 20 item 9), never passed twice."""
    target = timeouts.FUNCTIONS[name]
    assert target.missing and target.arg.position is not None
    assert target.arg.varies == (name != "smtplib.LMTP")
    params = inspect.signature(_resolve(name)).parameters
    assert "timeout" in params
    if sys.version_info < (3, 12) or not target.arg.varies:
        assert list(params).index("timeout") == target.arg.position


def _remote(source: str):
    """remote_call for the call that is the last statement of ``source``."""
    module = cst.parse_module(source)
    last = module.body[-1].body[0].value
    scopes = ScopeTracker(module)
    ctx = Context(module, "x.py", Settings(), scopes, "\n")
    calls = []

    class Grab:
        def visit_Call(self, node):
            if node is last:
                calls.append(remote.remote_call(ctx, node))

    walk(module, Dispatch([Grab()]), scopes, ctx.stack)
    (found,) = calls
    return found


@pytest.mark.parametrize(
    "source,library",
    [
        ("import requests\nrequests.get(u)", "requests"),
        ("from requests.api import post\npost(u)", "requests"),
        ("import requests\ns = requests.Session()\ns.send(p)", "requests"),
        ("import urllib3\np = urllib3.PoolManager()\np.request('GET', u)", "urllib3"),
        ("import urllib3\nurllib3.request('GET', u)", "urllib3"),
        ("from urllib.request import build_opener\nbuild_opener().open(u)", "urllib"),
        ("import pymysql\npymysql.Connection(host=h)", "pymysql"),
        ("import httpx\nhttpx.stream('GET', u)", "httpx"),
        ("from a import svc_pb2_grpc\nsvc_pb2_grpc.SvcStub(ch).Get.future(r)", "grpc"),
    ],
)
def test_remote_call_reads_the_timeout_catalog(source, library):
    found = _remote(source)
    assert found is not None and found.library == library


def test_local_helpers_are_not_remote():
    assert _remote("import socket\nsocket.setdefaulttimeout(None)") is None
    assert _remote("import asyncio\nasyncio.wait_for(c, None)") is None
    assert _remote("import httpx\nhttpx.Client()") is None


def test_extra_calls_fire_in_files_without_a_builtin_trigger():
    text = "import vendor.client\nvendor.client.fetch('a')\n"
    plain = build_engine(Settings(select=("REL501",)))
    assert plain.check(text, "x.py") == []
    extra = build_engine(Settings(select=("REL501",), extra_timeout_calls=(ExtraCall("vendor.client.fetch"),)))
    (finding,) = extra.check(text, "x.py")
    assert finding.message.startswith("`vendor.client.fetch()` has no timeout: ")


def test_message_names_the_call_first_and_the_consequence():
    (finding,) = build_engine(Settings(select=("REL501",))).check("import requests as r\nr.get(u)\n", "x.py")
    assert finding.message.startswith("`requests.get()` has no timeout: ")
    assert "forever" in finding.message


@pytest.mark.parametrize("default,expected", [(10, "10"), (2.5, "3"), (0.2, "1")])
def test_connect_timeout_gets_a_whole_number(default, expected):
    engine = build_engine(Settings(select=("REL501",), default_timeout=default))
    result = engine.fix("import psycopg2\npsycopg2.connect(host=h)\n", "x.py", unsafe=True)
    assert result.fixed_text == f"import psycopg2\npsycopg2.connect(host=h, connect_timeout={expected})\n"


def test_multi_line_fixes_inside_nested_blocks_keep_their_indentation():
    source = (
        "import requests\n\n\nclass A:\n    def f(self):\n        if self:\n"
        "            return requests.post(\n"
        "                URL,\n"
        "                data=requests.get(\n"
        "                    URL,\n"
        "                    headers={}).text,\n"
        "            )\n"
    )
    result = build_engine(Settings(select=("REL501",))).fix(source, "x.py", unsafe=True)
    assert result.refused == [] and result.fixes_applied == 2
    assert result.fixed_text.endswith(
        "                    headers={},\n"
        "                    timeout=10).text,\n"
        "                timeout=10,\n"
        "            )\n"
    )


def test_rel502_and_rel501_never_fire_on_the_same_call():
    text = (
        "import requests, urllib3\n"
        "requests.get(u, timeout=None)\n"
        "p = urllib3.PoolManager(timeout=urllib3.Timeout())\n"
        "p.request('GET', u)\n"
    )
    found = build_engine(Settings(select=("REL501", "REL502"))).check(text, "x.py")
    assert sorted((f.row, f.code) for f in found) == [(2, "REL502"), (3, "REL502")]


@pytest.mark.parametrize(
    ("default", "value"), [(10, "10000"), (2.5, "2500"), ("app.conf.TIMEOUT", "int(TIMEOUT * 1000)")]
)
def test_pymongo_fixes_write_milliseconds_and_say_so(default, value):
    settings = Settings(select=("REL501", "REL502"), default_timeout=default)
    text = "from pymongo import MongoClient\nMongoClient(h)\nMongoClient(h, socketTimeoutMS=0)\n"
    missing, zero = build_engine(settings).check(text, "x.py")
    for finding in (missing, zero):
        assert finding.fix is not None and "milliseconds" in finding.fix.message
        assert value in finding.fix.message
    fixed = build_engine(settings).fix(text, "x.py", unsafe=True).fixed_text
    assert fixed is not None and f"MongoClient(h, timeoutMS={value})" in fixed
    assert f"socketTimeoutMS={value})" in fixed


def test_twilio_fix_is_display_only_and_names_the_client_class():
    text = "from twilio.rest import Client\nClient(sid, token)\n"
    engine = build_engine(Settings(select=("REL501",)))
    (finding,) = engine.check(text, "x.py")
    assert finding.fix is not None and finding.fix.applicability.value == "display-only"
    assert "http_client=TwilioHttpClient(timeout=10)" in finding.fix.message
    assert engine.fix(text, "x.py", unsafe=True).fixed_text is None


def test_new_client_constructors_are_not_remote_calls_for_other_rules():
    # MongoClient() and twilio's Client() do no I/O when built: REL1xx/REL3xx must not see a remote call.
    for name in ("pymongo.MongoClient", "twilio.rest.Client", "twilio.http.http_client.TwilioHttpClient"):
        assert name not in remote.MODULE_CALLS
    assert remote.MODULE_CALLS["asyncpg.connect"] == "asyncpg"
