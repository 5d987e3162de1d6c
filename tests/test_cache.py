"""The result cache: plain JSON keyed by content, path, tool and configuration; misses on anything odd."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT, cli

from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Applicability, Edit, Finding, Fix
from rel05_lint.runner.cache import Cache

CODES = frozenset({"REL501"})
MISSING = "import requests\nrequests.get(u)\n"
FINDING = Finding(
    "REL501", "msg", "a.py", 2, 0, 2, 15, Fix(Applicability.UNSAFE, "add", (Edit(2, 14, 2, 14, ", timeout=10"),))
)


def test_round_trip_keeps_every_field(tmp_path):
    cache = Cache(tmp_path, Settings(), CODES)
    key = cache.key("a.py", MISSING)
    assert cache.get(key, "a.py") is None
    cache.put(key, "a.py", [FINDING])
    assert cache.get(key, "a.py") == [FINDING]
    stored = next(tmp_path.rglob("*.json"))
    assert json.loads(stored.read_text())["findings"][0]["code"] == "REL501"  # plain JSON, no pickle


def test_key_depends_on_text_path_settings_and_codes(tmp_path):
    base = Cache(tmp_path, Settings(), CODES).key("a.py", MISSING)
    assert base == Cache(tmp_path, Settings(), CODES).key("a.py", MISSING)
    assert base != Cache(tmp_path, Settings(), CODES).key("b.py", MISSING)
    assert base != Cache(tmp_path, Settings(), CODES).key("a.py", MISSING + "\n")
    assert base != Cache(tmp_path, Settings(default_timeout=5), CODES).key("a.py", MISSING)
    assert base != Cache(tmp_path, Settings(), CODES | {"REL502"}).key("a.py", MISSING)


def test_corrupt_or_foreign_entries_are_misses(tmp_path):
    cache = Cache(tmp_path, Settings(), CODES)
    key = cache.key("a.py", MISSING)
    cache.put(key, "a.py", [FINDING])
    (entry,) = tmp_path.rglob("*.json")
    good = json.loads(entry.read_text())
    for bad in ["", "{", "[]", json.dumps({**good, "key": "x"}), json.dumps({**good, "path": "b.py"})]:
        entry.write_text(bad)
        assert cache.get(key, "a.py") is None
    broken = json.loads(json.dumps(good))
    broken["findings"][0]["row"] = "2"
    entry.write_text(json.dumps(broken))
    assert cache.get(key, "a.py") is None
    del broken["findings"][0]["row"]
    entry.write_text(json.dumps(broken))
    assert cache.get(key, "a.py") is None


def test_entries_are_validated_field_by_field(tmp_path):
    # Issue 20 item 18: each of these crashed a run or printed a foreign finding.
    cache = Cache(tmp_path, Settings(), CODES)
    key = cache.key("a.py", MISSING)
    cache.put(key, "a.py", [FINDING])
    (entry,) = tmp_path.rglob("*.json")
    good = json.loads(entry.read_text())

    def variant(change):
        data = json.loads(json.dumps(good))
        change(data["findings"][0])
        return json.dumps(data)

    deep = json.dumps({**good, "findings": [{"nested": "[" * 100_000 + "]" * 100_000}]})
    bads = [
        '{"key": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError in json
        deep.replace('"[', "[").replace(']"', "]"),
        variant(lambda f: f.update(source_hash=7)),  # crashed --format sarif/gitlab
        variant(lambda f: f.update(path="other.py")),  # another file's finding
        variant(lambda f: f.update(code="E501")),
        variant(lambda f: f.update(message="two\nlines")),
        variant(lambda f: f.update(row=0)),
        variant(lambda f: f.update(noqa_row="2")),
        variant(lambda f: f["fix"].update(edits=[{"row": 2}])),
        variant(lambda f: f["fix"].update(applicability="whenever")),
        json.dumps({**good, "findings": {"a": 1}}),
    ]
    for bad in bads:
        entry.write_text(bad)
        assert cache.get(key, "a.py") is None, bad[:80]
    entry.write_text(json.dumps(good))
    assert cache.get(key, "a.py") == [FINDING]


@pytest.mark.slow
def test_cli_uses_the_cache_and_notices_changes(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    first = cli("check", "a.py", cwd=tmp_path)
    assert (tmp_path / ".rel05_lint_cache" / ".gitignore").exists()
    again = cli("check", "a.py", cwd=tmp_path)
    assert first.returncode == again.returncode == 1 and first.stdout == again.stdout
    (tmp_path / "a.py").write_text("import requests\nrequests.get(u, timeout=3)\n")
    assert cli("check", "a.py", cwd=tmp_path).returncode == 0


@pytest.mark.slow
def test_a_poisoned_entry_is_what_the_cache_serves_so_the_key_must_match(tmp_path):
    # The cache trusts an entry only under its own content key: editing the
    # file changes the key, so an entry for the old content is never served.
    (tmp_path / "a.py").write_text(MISSING)
    cli("check", "a.py", cwd=tmp_path)
    for entry in (tmp_path / ".rel05_lint_cache").rglob("*.json"):
        entry.write_text(entry.read_text().replace("REL501", "REL999"))
    (tmp_path / "a.py").write_text(MISSING + "# edited\n")
    assert b"REL501" in cli("check", "a.py", cwd=tmp_path).stdout


@pytest.mark.slow
def test_no_cache_and_cache_dir(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    cli("check", "--no-cache", "a.py", cwd=tmp_path)
    assert not (tmp_path / ".rel05_lint_cache").exists()
    cli("check", "--cache-dir", "elsewhere", "a.py", cwd=tmp_path)
    assert list((tmp_path / "elsewhere").rglob("*.json")) and not (tmp_path / ".rel05_lint_cache").exists()


@pytest.mark.slow
def test_fix_never_reads_the_cache(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    cli("check", "a.py", cwd=tmp_path)
    for entry in (tmp_path / ".rel05_lint_cache").rglob("*.json"):
        data = json.loads(entry.read_text())
        data["findings"] = []
        entry.write_text(json.dumps(data))
    cli("fix", "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert "timeout=" in (tmp_path / "a.py").read_text()


@pytest.mark.slow
def test_two_runs_sharing_the_cache_at_once_agree(tmp_path):
    for i in range(30):
        (tmp_path / f"m{i:02}.py").write_text(MISSING if i % 2 else "x = 1\n")
    cmd = [sys.executable, "-m", "rel05_lint.cli", "check", "--jobs", "2", "."]
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert outs[0] == outs[1] == outs[2] and b"REL501" in outs[0]
    assert cli("check", "--no-cache", ".", cwd=tmp_path).stdout == outs[0]
    assert not list((tmp_path / ".rel05_lint_cache").rglob(".tmp-*"))
