"""Real flake8 with the installed plugin and the CLI report the same findings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, cli

FIXTURES = ROOT / "fixtures"
LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>REL\d{3}) ")


def _flake8_available() -> bool:
    try:
        from importlib.metadata import entry_points

        return any(ep.name == "REL" for ep in entry_points(group="flake8.extension"))
    except Exception:  # noqa: BLE001
        return False


pytestmark = pytest.mark.skipif(not _flake8_available(), reason="rel05-lint is not installed as a flake8 plugin")


def _copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "tree"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("*.fixed.py"))
    (target / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    return target


@pytest.mark.slow
def test_flake8_and_cli_agree_on_all_fixtures(tmp_path):
    tree = _copy_fixtures(tmp_path)
    flake = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "REL", "--isolated", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert flake.returncode in (0, 1), flake.stderr
    # REL002 judges noqa comments, which flake8 applies itself: the plugin never reports it.
    ours = cli("check", "--select", "ALL", "--ignore", "REL001,REL002", "--format", "json", ".", cwd=tree)
    assert ours.returncode in (0, 1), ours.stderr
    got_flake = set()
    for line in flake.stdout.splitlines():
        m = LINE.match(line)
        if m:
            got_flake.add((os.path.normpath(m["path"]), int(m["row"]), int(m["col"]), m["code"]))
    got_cli = {
        (os.path.relpath(r["filename"], tree), r["location"]["row"], r["location"]["column"], r["code"])
        for r in json.loads(ours.stdout)
    }
    assert len(got_cli) > 300  # the comparison means something
    assert got_flake == got_cli


@pytest.mark.slow
def test_off_by_default_rules_stay_off_under_flake8(tmp_path):
    (tmp_path / "a.py").write_text("import subprocess\nsubprocess.run(['ls'])\nimport requests\nrequests.get('x')\n")
    plain = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "a.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "REL501" in plain.stdout and "REL503" not in plain.stdout
    chosen = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--extend-select", "REL503", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "REL503" in chosen.stdout


@pytest.mark.slow
def test_plugin_reads_rule_options_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\nmax-timeout = 5\n")
    (tmp_path / "a.py").write_text("import requests\nrequests.get('x', timeout=30)\n")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "REL504", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "REL504" in proc.stdout
