"""Edition 2, E1: test files are not production code. The REL1xx-REL6xx rules skip them
unless check-tests; REL001 still reports; CLI, flake8 and the review report agree."""

from __future__ import annotations

import json

import pytest
from helpers import cli, flake8

from rel05_lint.core.config import Settings
from rel05_lint.registry import build_engine

MISSING = "import requests\n\nrequests.get('https://example.com')\n"


@pytest.mark.parametrize(
    "path, test",
    [
        ("tests/test_api.py", True),
        ("pkg/tests/helpers.py", True),  # E12: a folder of that name anywhere in the path
        ("test/x.py", True),
        ("src/testing/fakes.py", True),
        ("src/test_client.py", True),
        ("src/client_test.py", True),
        ("conftest.py", True),
        ("src/deep/conftest.py", True),
        ("src/client.py", False),
        ("src/contest.py", False),
        ("testsuite/a.py", False),
        ("src/latest/a.py", False),
        ("src/tests.py", False),
        ("-", False),
    ],
)
def test_default_test_paths(path, test):
    assert Settings().is_test(path) is test


def test_test_paths_replace_and_extend_test_paths_add():
    only = Settings(test_paths=("qa/**",))
    assert only.is_test("qa/a.py") and not only.is_test("tests/a.py")
    more = Settings(extend_test_paths=("qa/**",))
    assert more.is_test("qa/a.py") and more.is_test("tests/a.py")
    anchored = Settings(test_paths=("/e2e/**",))
    assert anchored.is_test("e2e/a.py") and not anchored.is_test("pkg/e2e/a.py")


def test_engine_skips_rules_in_test_files_but_not_rel001():
    engine = build_engine(Settings())
    assert engine.check(MISSING, "tests/test_api.py") == []
    assert [f.code for f in engine.check(MISSING, "src/api.py")] == ["REL501"]
    assert [f.code for f in engine.check("def broken(:\n", "tests/test_api.py")] == ["REL001"]
    assert [f.code for f in build_engine(Settings(check_tests=True)).check(MISSING, "tests/test_api.py")] == ["REL501"]
    assert build_engine(Settings()).survey(MISSING, "tests/test_api.py")[1] == {}  # no sites counted


@pytest.mark.slow
def test_cli_leaves_tests_out_and_says_so(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(MISSING)
    (tmp_path / "tests" / "conftest.py").write_text("def broken(:\n")
    (tmp_path / "app.py").write_text(MISSING)
    proc = cli("check", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines[:-1]] == ["REL501", "REL001"]
    assert lines[-1].startswith(
        "Found 2 findings in 2 of 3 files; 2 test files left out (`--check-tests` checks them)."
    )
    both = cli("check", "--check-tests", ".", cwd=tmp_path).stdout.decode()
    assert "tests/test_api.py:3:1: REL501" in both and "left out" not in both
    (tmp_path / "rel05-lint.toml").write_text("check-tests = true\n")
    assert "tests/test_api.py:3:1: REL501" in cli("check", ".", cwd=tmp_path).stdout.decode()
    (tmp_path / "rel05-lint.toml").write_text('test-paths = ["app.py"]\n')
    replaced = cli("check", ".", cwd=tmp_path).stdout.decode()
    assert "tests/test_api.py:3:1: REL501" in replaced and "./app.py" not in replaced


@pytest.mark.slow
def test_flake8_leaves_tests_out(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(MISSING)
    assert "REL501" not in flake8("--isolated", "--select", "REL", "tests/test_api.py", cwd=tmp_path).stdout
    on = flake8("--isolated", "--select", "REL", "--rel05-check-tests", "true", "tests/test_api.py", cwd=tmp_path)
    assert "REL501" in on.stdout, on.stdout + on.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\ncheck-tests = true\n")
    assert "REL501" in flake8("--isolated", "--select", "REL", "tests/test_api.py", cwd=tmp_path).stdout


@pytest.mark.slow
def test_report_counts_no_sites_in_tests(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(MISSING)
    (tmp_path / "app.py").write_text(MISSING.replace("')", "', timeout=5)"))
    proc = cli("report", "--format", "json", ".", cwd=tmp_path)
    data = json.loads(proc.stdout)
    bp05 = next(p for p in data["practices"] if p["code"] == "BP05")
    assert (bp05["headline"]["sites"], bp05["headline"]["ok"]) == (1, 1)
    assert b"1 test file left out" in proc.stderr
