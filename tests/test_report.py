"""The REL05 review report: site counting in the rules, the model, and the command."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fixture_cases import FIXTURES, cases
from helpers import cli

from rel05_lint import registry
from rel05_lint.core import engine as engine_module
from rel05_lint.core.config import Settings
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import WAIVED
from rel05_lint.registry import build_engine
from rel05_lint.report import markdown
from rel05_lint.report.collect import FileSurvey
from rel05_lint.report.model import build, parse_thresholds, practice_of

ALL = frozenset(r.code for r in registry.all_rules())
KINDS = {k.key: k for k in registry.kinds()}
COMBINED = {k.combined.key for k in registry.kinds() if k.combined is not None}


class sites:
    """The site kinds by name, as keys of the per-file counts (the report's JSON says the same)."""

    WAIVED = WAIVED
    HANDLER_CALL = "handler-call"
    BREAKER = "breaker"
    FAN_OUT = "fan-out"
    RETRY = "retry"
    RETRY_BOUNDED = "retry.bounded"
    RETRY_JITTER = "retry.jitter"
    RETRY_BACKOFF = "retry.backoff"
    RETRY_JUDGED = "retry.judged"
    RETRY_FILTER = "retry-filter"
    RETRY_CALL = "retry-call"
    QUEUE = "queue"
    QUEUE_PUT = "queue-put"
    TIMEOUT_CALL = "timeout-call"
    TIMEOUT_EXPLICIT = "timeout-explicit"
    LOCAL_WAIT = "local-wait"
    TIMEOUT_VALUE = "timeout-value"
    HANDLER = "handler"
    SESSION_STORE = "session-store"


SAMPLE = FIXTURES / "sample_service"


def survey(text: str, path: str = "mod.py", codes=None, apply_noqa: bool = True):
    return build_engine(Settings(), codes=codes, apply_noqa=apply_noqa).survey(text, path)


def counts(text: str, path: str = "mod.py", codes=None) -> dict[str, tuple[int, int]]:
    return survey(text, path, codes)[1]


# --- counting in the rules ------------------------------------------------------


@pytest.mark.parametrize(
    "code, want",
    [
        ("requests.get(url)", (1, 0)),
        ("requests.get(url, timeout=5)", (1, 1)),
        ("requests.get(url, timeout=(3, None))", (1, 0)),
        ("httpx.get(url)", (1, 1)),  # bounded by httpx's default
        ("httpx.get(url, timeout=None)", (1, 0)),
        ("socket.setdefaulttimeout(5)", None),  # a setter, not a remote call
    ],
)
def test_timeout_sites(code, want):
    text = f"import requests, httpx, socket\nurl = 'https://example.com'\n{code}\n"
    assert counts(text).get(sites.TIMEOUT_CALL) == want


def test_explicit_timeout_is_its_own_figure():
    got = counts("import httpx, requests\nhttpx.get('u')\nrequests.get('u', timeout=3)\n")
    assert got[sites.TIMEOUT_CALL] == (2, 2)
    assert got[sites.TIMEOUT_EXPLICIT] == (2, 1)


def test_bounded_default_client_counted_where_the_prefilter_skips_the_rule():
    # No "None" and no remote trigger: check parses nothing here, survey must still count.
    text = "import redis\nr = redis.Redis(host='cache')\n"
    assert build_engine(Settings()).check(text, "mod.py") == []
    assert counts(text)[sites.TIMEOUT_CALL] == (1, 1)


RETRY = """\
import tenacity
from tenacity import retry, stop_after_attempt, wait_random_exponential, wait_exponential

@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def good(): ...

@retry(stop=stop_after_attempt(3), wait=wait_exponential(max=10))
def no_jitter(): ...

@retry
def nothing(): ...
"""


def test_retry_aspects_combine_per_site():
    got = counts(RETRY)
    assert got[sites.RETRY_BOUNDED] == (3, 2)
    assert got[sites.RETRY_BACKOFF] == (3, 2)
    assert got[sites.RETRY_JITTER] == (2, 1)
    assert got[sites.RETRY] == (3, 1)  # only `good` is bounded, backed off and jittered


def test_retry_whose_wait_cannot_be_read_stays_out_of_the_headline():
    text = (
        "import requests.adapters\nfrom tenacity import retry, stop_after_attempt\n"
        "a = requests.adapters.HTTPAdapter()\n"  # no retries configured: nothing to judge
        "@retry(stop=stop_after_attempt(3), wait=my_wait)\ndef custom(): ...\n"
        "@retry(wait=my_wait)\ndef forever(): ...\n"  # unreadable wait, but unbounded: counts
    )
    got = counts(text)
    assert got[sites.RETRY_JUDGED] == (3, 0)
    assert got[sites.RETRY_BOUNDED] == (3, 2)
    assert got[sites.RETRY] == (1, 0)


def test_combined_retry_uses_only_the_selected_aspects():
    got = counts(RETRY, codes=frozenset({"REL301"}))
    assert got[sites.RETRY] == (3, 2)
    assert sites.RETRY_JITTER not in got


@pytest.mark.parametrize(
    "text, kind, want",
    [
        ("import queue\nq = queue.Queue()\nr = queue.Queue(maxsize=10)\n", sites.QUEUE, (2, 1)),
        (
            "import asyncio\nasync def f(items):\n    await asyncio.gather(*[g(i) for i in items])\n",
            sites.FAN_OUT,
            (1, 0),
        ),
        (
            "import asyncio\nsem = asyncio.Semaphore(5)\nasync def f(items):\n    await asyncio.gather(*[g(i) for i in items])\n",
            sites.FAN_OUT,
            (1, 1),
        ),
        (
            "from circuitbreaker import circuit\n@circuit(fallback_function=lambda: None)\ndef a(): ...\n@circuit()\ndef b(): ...\n",
            sites.BREAKER,
            (2, 1),
        ),
        ("SESSION_ENGINE = 'django.contrib.sessions.backends.db'\n", sites.SESSION_STORE, (1, 1)),
    ],
)
def test_other_sites(text, kind, want):
    assert counts(text)[kind] == want


FLASK = """\
import requests
from flask import Flask

app = Flask(__name__)
SEEN = []

@app.route("/a")
def a():
    SEEN.append(1)
    return requests.get("https://x", timeout=3).text

@app.route("/b")
def b():
    try:
        return requests.get("https://x", timeout=3).text
    except requests.RequestException:
        return "later"

def helper():
    SEEN.append(2)
"""


def test_handlers_counted_with_and_without_writes_and_unguarded_calls():
    got = counts(FLASK)
    assert got[sites.HANDLER] == (2, 1)  # helper() is no handler
    assert got[sites.HANDLER_CALL] == (2, 1)


def test_noqa_hides_the_finding_but_not_the_site():
    text = "import requests\nrequests.get('u')  # noqa: REL501\nrequests.get('u')\n"
    findings, got = survey(text)
    assert [f.row for f in findings] == [3]
    assert got[sites.TIMEOUT_CALL] == (2, 0)
    assert got[sites.WAIVED + "REL501"] == (1, 0)


def test_one_traversal_and_check_unchanged(monkeypatch):
    text = (SAMPLE / "shop" / "worker.py").read_text()
    walks = []
    real = engine_module.walk
    monkeypatch.setattr(engine_module, "walk", lambda *a: walks.append(1) or real(*a))
    engine = build_engine(Settings())
    findings, got = engine.survey(text, "worker.py")
    assert len(walks) == 1 and got
    assert engine.check(text, "worker.py") == findings


def _fixture_files():
    files = [c.path for c in cases()]
    return files + sorted(SAMPLE.rglob("*.py"))


def test_prefilter_loses_no_site():
    """Counts with the prefilter equal counts with every rule forced to run."""
    normal = build_engine(Settings(), codes=ALL)
    forced = build_engine(Settings(), codes=ALL)
    for rule in forced.rules:
        rule.relevant = lambda *args: True
    for path in _fixture_files():
        text = path.read_text(encoding="utf-8")
        assert normal.survey(text, str(path))[1] == forced.survey(text, str(path))[1], path


NESTED = """\
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def inner(): ...

def plain(): ...

@retry(stop=stop_after_attempt(3))
def outer():
    inner()
    plain()
"""


def test_calls_from_a_retry():
    assert counts(NESTED)[sites.RETRY_CALL] == (2, 1)


def test_every_kind_is_counted_both_ways_by_its_own_rules(monkeypatch):
    seen: Counter = Counter()
    real = Rule.count

    def spy(self, kind, ok, node=None):
        assert kind in self.counts and self.code in registry.counted_by(kind), (self.code, kind)
        seen[kind.key, bool(ok)] += 1
        real(self, kind, ok, node)

    monkeypatch.setattr(Rule, "count", spy)
    engine = build_engine(Settings(), codes=ALL)
    for path in _fixture_files():
        engine.survey(path.read_text(encoding="utf-8"), str(path))
    engine.survey(NESTED, "mod.py")
    for kind in KINDS:
        if kind in COMBINED:
            continue
        assert seen[kind, True] and seen[kind, False], kind


def test_non_compliant_sites_never_outnumber_findings():
    """Each non-compliant site is reported (noqa off), so a site count cannot invent problems."""
    engine = build_engine(Settings(), codes=ALL, apply_noqa=False)
    for path in _fixture_files():
        findings, got = engine.survey(path.read_text(encoding="utf-8"), str(path))
        by_code = Counter(f.code for f in findings)
        for kind, (n, ok) in got.items():
            if (
                kind in COMBINED
                or kind in (sites.TIMEOUT_EXPLICIT, sites.RETRY_JUDGED)
                or kind.startswith(sites.WAIVED)
            ):
                continue
            reported = sum(by_code[c] for c in registry.counted_by(KINDS[kind]))
            assert n - ok <= reported, (path, kind)


# --- the model ------------------------------------------------------------------


def test_thresholds_parse_and_reject():
    assert parse_thresholds(["BP05=95", "bp03=80.5,BP04=100"]) == {"BP05": 95.0, "BP03": 80.5, "BP04": 100.0}
    for bad in ["BP07=50", "BP05", "BP05=x", "BP05=101", "REL501=3"]:
        with pytest.raises(ValueError):
            parse_thresholds([bad])


def test_practice_of():
    assert [practice_of(c) for c in ("REL101", "REL503", "REL602", "REL001")] == ["BP01", "BP05", "BP06", None]


def test_shares_round_down_and_thresholds_compare_exactly():
    results = [FileSurvey("a/x.py", [], {sites.TIMEOUT_CALL: (1000, 999)})]
    review = build(results, ALL, thresholds={"BP05": 99.9})
    fig = review.practice("BP05").headline
    assert fig.share == 99  # never shown as 100% while one call is unbounded
    assert review.thresholds[0].met
    assert not build(results, ALL, thresholds={"BP05": 99.95}).thresholds[0].met


def test_feeders_and_unselected_rules_are_named():
    results = [FileSurvey("x.py", [], {sites.TIMEOUT_CALL: (4, 3)})]
    fig = build(results, frozenset({"REL501"})).practice("BP05").headline
    assert fig.rules == ("REL501",) and fig.unselected == ("REL502",)
    text = markdown.render(build(results, frozenset({"REL501"})))
    assert "REL501 (REL502 not selected)" in text
    assert "not measured (REL503 not selected; add `--extend-select REL503`)" in text


# --- the command ----------------------------------------------------------------


@pytest.mark.slow
def test_report_formats_agree_on_the_sample():
    proc = cli("report", "--format", "json", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    md = cli("report", str(SAMPLE)).stdout.decode()
    # The JSON's figures equal the engine's own survey of the same files.
    engine = build_engine(Settings())
    total: Counter = Counter()
    for path in sorted(SAMPLE.rglob("*.py")):
        for kind, (n, ok) in engine.survey(path.read_text(), str(path))[1].items():
            total[kind, "n"] += n
            total[kind, "ok"] += ok
    bp05 = next(p for p in data["practices"] if p["code"] == "BP05")["headline"]
    assert (bp05["sites"], bp05["ok"]) == (total[sites.TIMEOUT_CALL, "n"], total[sites.TIMEOUT_CALL, "ok"])
    for p in data["practices"]:
        h = p["headline"]
        if h is None:
            assert f"| {p['code']} {p['title']} | not a code shape" in md
            continue
        assert f"{h['ok']} of {h['sites']} {h['what']} {h['ok_label']}, {h['share']}%" in md
    checked = json.loads(cli("check", "--format", "json", str(SAMPLE)).stdout)
    assert data["findings"] == len(checked) == sum(p["findings"] for p in data["practices"])


@pytest.mark.slow
def test_fail_under_exit_codes(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    (tmp_path / "a.py").write_text("import requests\nrequests.get('u', timeout=3)\nrequests.get('u')\n")
    ok = cli("report", "--fail-under", "BP05=50", "a.py", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    missed = cli("report", "--fail-under", "BP05=51", "a.py", cwd=tmp_path)
    assert missed.returncode == 1
    assert b"BP05 share 1 of 2 (50%) is below --fail-under 51%" in missed.stderr
    assert b"**missed**" in missed.stdout
    bad = cli("report", "--fail-under", "BP07=10", "a.py", cwd=tmp_path)
    assert bad.returncode == 2
    out = tmp_path / "r.html"
    written = cli("report", "--format", "html", "-o", str(out), "a.py", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == b""
    assert "1 of 2 remote calls and clients bounded, 50%" in out.read_text()


@pytest.mark.slow
def test_html_is_self_contained():
    page = cli("report", "--format", "html", str(SAMPLE)).stdout.decode()
    lowered = page.lower()
    for banned in ("<link", " src=", "url(", "@import", "http://", "https://"):
        assert banned not in lowered, banned
    assert "default-src 'none'" in page
