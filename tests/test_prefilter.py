"""The prefilter is sound: skipping the rules it rules out never changes a finding.

Every fixture and every file of the sample service is checked twice, with the
prefilter and with every rule forced to run; the findings must be identical.
The unit tests below pin the facts the rules' conditions read, and the files
that earlier text triggers skipped although a rule fires on them.
"""

from __future__ import annotations

import ast

import pytest
from fixture_cases import ROOT, cases, settings_for

from rel05_lint import registry
from rel05_lint.core.config import Settings
from rel05_lint.core.prefilter import Facts, Names
from rel05_lint.registry import build_engine

ALL = frozenset(registry.by_code())
CASES = cases()
SAMPLE = sorted((ROOT / "fixtures" / "sample_service").rglob("*.py"))


def _both(settings: Settings, text: str, path: str):
    on = build_engine(settings, codes=ALL).check(text, path)
    off = build_engine(settings, codes=ALL, prefilter=False).check(text, path)
    return on, off


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_findings_do_not_depend_on_the_prefilter(case):
    text = case.path.read_text(encoding="utf-8")
    on, off = _both(settings_for(case, text), text, str(case.path))
    assert on == off


def test_sample_service_findings_do_not_depend_on_the_prefilter():
    assert SAMPLE
    for path in SAMPLE:
        text = path.read_text(encoding="utf-8")
        on, off = _both(Settings(), text, str(path))
        assert on == off, path


def _relevant(text: str, path: str = "x.py", settings: Settings | None = None) -> set[str]:
    engine = build_engine(settings or Settings(), codes=ALL)
    facts = Facts(text, path, ast.parse(text))
    return {r.code for r in engine.rules if r.relevant(facts)}


def test_the_prefilter_skips_files_no_rule_could_fire_on():
    # Without this the two runs above would agree trivially.
    assert _relevant("import os\n\ndef f(x):\n    return os.path.join(x, 'requests')\n") == set()
    assert "REL501" in _relevant("import requests\nrequests.get(u)\n")
    assert "REL502" not in _relevant("import requests\nrequests.get(u, timeout=3)\n")
    assert "REL502" in _relevant("import requests\nrequests.get(u, timeout=None)\n")


def test_facts_read_imports_from_every_statement_and_skip_relative_ones():
    text = (
        "import a.b as c, d\n"
        "from e.f import g\n"
        "from . import h\n"
        "from .i import j\n"
        "def k():\n"
        "    try:\n"
        "        import l\n"
        "    except ImportError:\n"
        "        from m import n\n"
        "class O:\n"
        "    if x:\n"
        "        import p\n"
        "    else:\n"
        "        import q\n"
        "match y:\n"
        "    case 1:\n"
        "        import r\n"
    )
    facts = Facts(text, "x.py", ast.parse(text))
    assert facts.imports == {"a", "d", "e", "l", "m", "p", "q", "r"}


def test_subscript_keys_are_evaluated_as_python_does():
    text = 'app.config["SESSION_" "TYPE"] = "x"\nd["a\\x62"]: int = 1\nf(x)["c"] = 2\n'
    facts = Facts(text, "x.py", ast.parse(text))
    assert facts.subscript_keys == {"SESSION_TYPE", "ab", "c"}
    assert not facts.has("SESSION_TYPE")


def test_names_need_the_package_imported_and_every_part_written():
    names = Names(["requests.adapters.HTTPAdapter"])
    found = lambda text: names.found_in(Facts(text, "x.py", ast.parse(text)))  # noqa: E731
    assert found("from requests.adapters import HTTPAdapter\n")
    assert found("import requests\nrequests.adapters.HTTPAdapter()\n")
    assert found("import requests.adapters as ra\nra.HTTPAdapter()\n")
    assert not found("from .requests.adapters import HTTPAdapter\n")  # relative: another package
    assert not found("import requests\nrequests.adapters.Retry()\n")  # HTTPAdapter never written
    # A word in a comment counts as written: over-approximation is allowed, never the reverse.
    assert found("import requests  # adapters HTTPAdapter\n")


# --- files the earlier text triggers skipped although a rule fires on them ------


@pytest.mark.parametrize(
    ("code", "text"),
    [
        # REL602 reads the evaluated key: implicit concatenation and escapes.
        ("REL602", 'from flask import Flask\napp = Flask(__name__)\napp.config["SESSION_" "TYPE"] = "filesystem"\n'),
        ("REL602", 'app.config["SESSION\\x5fTYPE"] = "filesystem"\n'),
        # REL301 reads max_retries through a ** spread with a computed-looking key.
        ("REL301", 'from celery import Celery\napp = Celery()\n@app.task(**{"max_r\\x65tries": None})\ndef t(): ...\n'),
        # E8: REL502 without a literal None in the file (pymongo's 0, in a keyword or a URI).
        ("REL502", "from pymongo import MongoClient\nMongoClient(h, socketTimeoutMS=0)\n"),
        ("REL502", 'import pymongo\npymongo.MongoClient("mongodb://db/?sockettimeoutms=0")\n'),
        # E8: kubernetes API classes are matched by pattern, not by name.
        ("REL501", "from kubernetes import client\nv1 = client.CoreV1Api()\nv1.list_node()\n"),
        ("REL501", "from kubernetes.client import AppsV1Api as A\nA().list_namespaced_deployment('x')\n"),
    ],
)
def test_rules_fire_where_old_triggers_skipped(code, text):
    settings = Settings(select=(code,))
    on = build_engine(settings).check(text, "x.py")
    off = build_engine(settings, prefilter=False).check(text, "x.py")
    assert [f.code for f in off] == [code]
    assert on == off


@pytest.mark.parametrize(
    "loop",
    ["while True:", "while 1:", "while (True):", "while(1):", "while (  # forever\n    True):", "while \\\n    True:"],
)
def test_every_spelling_of_while_true_keeps_the_retry_rules(loop):
    text = f"def f(sock):\n    {loop}\n        try:\n            return g()\n        except ConnectionError:\n            pass\n"
    assert {"REL301", "REL303"} <= _relevant(text)
    assert build_engine(Settings(select=("REL301",))).check(text, "x.py") == build_engine(
        Settings(select=("REL301",)), prefilter=False
    ).check(text, "x.py")


def test_views_paths_and_extra_timeout_calls_are_honoured():
    assert {"REL601"} <= _relevant("def index(request):\n    CACHE[1] = 2\n", "app/views.py")
    from rel05_lint.core.config import ExtraCall

    settings = Settings(extra_timeout_calls=(ExtraCall("vendor.client.fetch"),))
    text = "import vendor.client\nvendor.client.fetch(1)\n"
    assert "REL501" in _relevant(text, settings=settings)
    assert "REL501" not in _relevant(text)
    settings = Settings(extra_timeout_calls=(ExtraCall("vendor.Client.fetch"),))
    text = "from vendor import Client\nc = Client()\nc.fetch(1)\n"
    assert "REL501" in _relevant(text, settings=settings)
    assert build_engine(settings, codes=ALL).check(text, "x.py") == build_engine(
        settings, codes=ALL, prefilter=False
    ).check(text, "x.py")
    assert [f.code for f in build_engine(settings).check(text, "x.py")] == ["REL501"]


def test_version_dependent_rows_run_only_with_versions_that_need_them():
    from rel05_lint.core.versions import Allowed, ProjectVersions

    text = "import redis\nredis.Redis()\n"
    assert "REL501" not in _relevant(text)
    seven = Settings(versions=ProjectVersions((Allowed("redis", (7, 4), (7, 4), True, "uv.lock"),)))
    assert "REL501" in _relevant(text, settings=seven)
    assert [f.code for f in build_engine(seven).check(text, "x.py")] == ["REL501"]


def test_a_file_cpython_cannot_parse_runs_every_rule():
    # No tree, no imports to read: nothing may be skipped (libcst decides).
    text = "import requests\nrequests.get(u\n"
    engine = build_engine(Settings(select=("REL501",)))
    (finding,) = engine.check(text, "x.py")
    assert finding.code == "REL001"


# --- positions: one pass, the same ranges as libcst's two providers -----------------


def test_positions_match_libcsts_providers_on_every_fixture():
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

    from rel05_lint.core.positions import node_positions

    extra = [
        "x = 1",
        "",
        "a = (1,\r\n  2)\r\n",
        "if x:\r    y = 2\r",
        "def f():\n\tpass  # c\n",
        "@d\n\n# c\nclass A: pass",
    ]
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures").rglob("*.py"))] + extra
    for text in texts:
        module = cst.parse_module(text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        want = (wrapper.resolve(PositionProvider), wrapper.resolve(WhitespaceInclusivePositionProvider))
        got = node_positions(module)
        for w, g in zip(want, got, strict=False):
            assert len(w) == len(g)
            assert all(w[node] == g[node] for node in w)
