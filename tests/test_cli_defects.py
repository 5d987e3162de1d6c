"""Issue 17's eighteen defects, each through the real CLI (or real flake8), each failing before its fix."""

from __future__ import annotations

import json
import re

import pytest
from helpers import cli, cli_as_user, flake8

pytestmark = pytest.mark.slow

MISSING = "import requests\n\nrequests.get('https://example.com')\n"
CLEAN = "import requests\n\nrequests.get('https://example.com', timeout=5)\n"
RETRY = "from tenacity import retry\n\n\n@retry\ndef forever():\n    pass\n"
LINE = re.compile(r"^.+?:\d+:\d+: REL\d{3} ")


def _lines(proc) -> list[str]:
    return [line for line in proc.stdout.decode().splitlines() if LINE.match(line)]


def test_1_fix_that_cannot_write_is_not_success(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "a.py"
    target.write_text(MISSING)
    target.chmod(0o444)
    folder.chmod(0o555)
    try:
        proc = cli_as_user("fix", "--unsafe-fixes", "ro/a.py", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert target.read_text() == MISSING
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert b"All checks passed" not in proc.stdout
    assert b"REL501" in proc.stdout  # the text on disk still has its finding
    assert b"not written" in proc.stderr and b"could not be written" in proc.stderr


def test_2_unreadable_folder_on_the_command_line(tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.py").write_text(MISSING)
    (tmp_path / "ok.py").write_text(MISSING)
    (tmp_path / "locked").chmod(0)
    try:
        proc = cli_as_user("check", "locked", "ok.py", cwd=tmp_path)
        inside = cli_as_user("check", "locked/a.py", "ok.py", cwd=tmp_path)  # a file under it
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert b"locked: cannot read folder" in proc.stderr
    assert _lines(proc) == [line for line in _lines(proc) if line.startswith("ok.py:")] and _lines(proc)
    assert inside.returncode == 1 and b"Traceback" not in inside.stderr
    assert _lines(inside)[0] == "locked/a.py:1:1: REL001 cannot read: Permission denied"


def test_3_unreadable_paths_three_ways(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "secret.py").write_text(MISSING)
    (tmp_path / "src" / "private").mkdir()
    (tmp_path / "src" / "private" / "b.py").write_text(MISSING)
    (tmp_path / "ok.py").write_text(CLEAN)
    (tmp_path / "src" / "secret.py").chmod(0)
    (tmp_path / "src" / "private").chmod(0)
    try:
        named = cli_as_user("check", "src/secret.py", "ok.py", cwd=tmp_path)
        walked = cli_as_user("check", "src", "ok.py", cwd=tmp_path)
    finally:
        (tmp_path / "src" / "secret.py").chmod(0o644)
        (tmp_path / "src" / "private").chmod(0o755)
    # A file, named or found: one REL001 line, the others still checked (not a usage error).
    assert named.returncode == 1, named.stderr
    assert _lines(named) == ["src/secret.py:1:1: REL001 cannot read: Permission denied"]
    assert [line for line in _lines(walked) if "REL001" in line] == [
        "src/secret.py:1:1: REL001 cannot read: Permission denied"
    ]
    # A subfolder: a warning, as ruff gives, never silence.
    assert b"src/private: cannot read folder: Permission denied" in walked.stderr
    assert walked.returncode == 1


@pytest.fixture
def monorepo(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL3"]\n')
    (tmp_path / "lib").mkdir()
    for folder in ("lib", "svc"):
        (tmp_path / folder / "m.py").write_text(MISSING + RETRY.replace("from tenacity", "\nfrom tenacity"))
    return tmp_path


def _codes(proc) -> set[tuple[str, str]]:
    return {(line.split(":")[0], line.split()[1]) for line in _lines(proc)}


def test_4_configuration_follows_each_file_whatever_the_order(monorepo):
    one = cli("check", "lib", "svc", cwd=monorepo)
    two = cli("check", "svc", "lib", cwd=monorepo)
    batch = cli("check", "--force-exclude", "svc/m.py", "lib/m.py", cwd=monorepo)  # a pre-commit batch
    want = {("lib/m.py", "REL301"), ("lib/m.py", "REL303"), ("svc/m.py", "REL501")}
    assert _codes(one) == _codes(two) == _codes(batch) == want


def test_5_messages_are_one_line_for_the_cli_and_flake8(tmp_path):
    (tmp_path / "r.py").write_text(
        "from tenacity import retry, stop_after_attempt, wait_exponential\n\n\n"
        "@retry(\n    stop=stop_after_attempt(3),\n    wait=wait_exponential(\n"
        "        multiplier=1,  # start small\n        # the vendor asks for at most ten seconds\n        max=10,\n    ),\n)\n"
        "def grows():\n    pass\n"
    )
    proc = cli("check", "--output-format", "concise", "r.py", cwd=tmp_path)
    out = proc.stdout.decode().splitlines()
    assert out[0].startswith("r.py:6:5: REL302 ") and "`wait_exponential(multiplier=1, max=10)`" in out[0]
    assert len(out) == 2 and out[1].startswith("Found 1 finding")  # one line per finding, then the summary
    flaked = flake8("--isolated", "--select", "REL", "r.py", cwd=tmp_path)
    lines = flaked.stdout.splitlines()
    assert any(" REL302 " in line for line in lines)
    assert lines and all(LINE.match(line) for line in lines), flaked.stdout  # no continuation lines
    assert "start small" not in flaked.stdout


@pytest.mark.parametrize(
    "args", [("--select", "REL999"), ("--select", ""), ("--extend-select", "REL7"), ("--ignore", "REL99")]
)
def test_6_selectors_that_name_no_rule_are_refused(tmp_path, args):
    (tmp_path / "a.py").write_text(MISSING)
    proc = cli("check", *args, "a.py", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert b"Traceback" not in proc.stderr and b"error:" in proc.stderr


def test_6_selector_in_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nextend-select = ["REL999"]\n')
    (tmp_path / "a.py").write_text(MISSING)
    proc = cli("check", "a.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"pyproject.toml: `extend-select`: `REL999` matches no rule" in proc.stderr


def test_7_config_file_with_top_level_keys(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    (tmp_path / "bogus.toml").write_text("bogus = 1\n")
    bad = cli("check", "--config", "bogus.toml", "a.py", cwd=tmp_path)
    assert bad.returncode == 2 and b"bogus.toml:1: unknown key `bogus`" in bad.stderr
    (tmp_path / "quiet.toml").write_text('ignore = ["REL5"]\n')
    assert cli("check", "--config", "quiet.toml", "a.py", cwd=tmp_path).returncode == 0


def test_7_misspelt_key_under_flake8_is_one_error_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\nmax-timout = 5\n")
    (tmp_path / "a.py").write_text(MISSING)
    assert cli("check", "a.py", cwd=tmp_path).returncode == 2
    proc = flake8("--isolated", "--select", "REL", "a.py", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    assert lines[0].startswith("a.py:1:1: REL001 rel05-lint configuration error")
    assert "did you mean `max-timeout`?" in lines[0]


def test_8_flake8_reads_the_checked_files_project(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "pyproject.toml").write_text("[tool.rel05-lint]\nmax-timeout = 5\n")
    (tmp_path / "proj" / "slow.py").write_text("import requests\n\nrequests.get('u', timeout=30)\n")
    proc = flake8("--isolated", "--select", "REL504", "proj/slow.py", cwd=tmp_path)
    assert "REL504" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("how", ["option", "config"])
def test_9_flake8_ignore_keeps_off_by_default_rules_off(tmp_path, how):
    (tmp_path / "a.py").write_text("import subprocess\n\nsubprocess.run(['ls'])\n" + MISSING)
    if how == "config":
        (tmp_path / "setup.cfg").write_text("[flake8]\nignore = E203,W503\n")
        args = ("a.py",)
    else:
        args = ("--isolated", "--ignore", "E722", "a.py")
    proc = flake8(*args, cwd=tmp_path)
    assert "REL501" in proc.stdout and "REL503" not in proc.stdout, proc.stdout
    chosen = flake8(*args[:-1], "--extend-select", "REL503", "a.py", cwd=tmp_path)
    assert "REL503" in chosen.stdout


def test_10_gitignored_files_are_not_checked(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n*_pb2.py\n!keep_pb2.py\n")
    (tmp_path / "generated").mkdir()
    for name in ("generated/a.py", "api_pb2.py", "keep_pb2.py", "app.py"):
        (tmp_path / name).write_text(MISSING)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".ignore").write_text("local.py\n")
    (tmp_path / "sub" / "local.py").write_text(MISSING)
    checked = {line.split(":")[0] for line in _lines(cli("check", "--output-format", "concise", ".", cwd=tmp_path))}
    assert checked == {"./app.py", "./keep_pb2.py"}
    shown = cli("check", "--show-files", ".", cwd=tmp_path).stdout.decode().split()
    assert shown == ["./app.py", "./keep_pb2.py"]
    everything = cli("check", "--show-files", "--no-respect-gitignore", ".", cwd=tmp_path).stdout.decode().split()
    assert len(everything) == 5
    # Named files are taken as given, unless --force-exclude (pre-commit).
    assert cli("check", "api_pb2.py", cwd=tmp_path).returncode == 1
    assert cli("check", "--force-exclude", "api_pb2.py", cwd=tmp_path).returncode == 0


def test_11_plain_fix_has_a_safe_fix_to_apply(tmp_path):
    (tmp_path / "rel05-lint.toml").write_text('extend-select = ["REL002"]\n')
    path = tmp_path / "a.py"
    path.write_text("import requests\n\nrequests.get('u', timeout=5)  # noqa: REL501\n")
    proc = cli("fix", "a.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert path.read_text() == "import requests\n\nrequests.get('u', timeout=5)\n"
    # [*] marks only what `check --fix` would apply now: an unsafe fix is not marked.
    (tmp_path / "b.py").write_text(MISSING)
    line = cli("check", "b.py", cwd=tmp_path).stdout.decode().splitlines()[0]
    assert line.startswith("b.py:3:1: REL501 `requests")


def test_12_summary_counts_files_with_findings(tmp_path):
    (tmp_path / "bad.py").write_text(MISSING)
    (tmp_path / "ok.py").write_text(CLEAN)
    proc = cli("check", ".", cwd=tmp_path)
    assert b"Found 1 finding in 1 of 2 files." in proc.stdout


def test_13_explain_rel001_and_rules_lists_it(tmp_path):
    proc = cli("explain", "REL001", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith(b"# REL001 file-error")
    rules = json.loads(cli("rules", "--format", "json", cwd=tmp_path).stdout)
    assert rules[0]["code"] == "REL001" and rules[0]["name"] == "file-error"


def test_15_unsafe_fixes_setting_changes_the_hint(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\nunsafe-fixes = true\n")
    (tmp_path / "a.py").write_text(MISSING)
    proc = cli("check", "a.py", cwd=tmp_path)
    assert b"--unsafe-fixes" not in proc.stdout
    assert b"[*] 1 fixable with `rel05-lint check --fix`." in proc.stdout
    assert b"REL501 [*]" in proc.stdout


def test_16_cli_and_flake8_read_noqa_alike(tmp_path):
    (tmp_path / "a.py").write_text(
        "import requests\n\n"
        "requests.get('a')  # NOQA: rel501\n"  # flake8: codes as written, so nothing of ours
        "requests.get('b')  # noqa: REL5\n"  # flake8: a prefix covers REL501
        "requests.get('c')  #noqa: REL501\n"  # flake8: not a directive without the space
        "requests.get('d')  # noqa:REL501\n"
    )
    ours = {
        int(line.split(":")[1]) for line in _lines(cli("check", "--output-format", "concise", "a.py", cwd=tmp_path))
    }
    theirs = {
        int(line.split(":")[1])
        for line in flake8("--isolated", "--select", "REL", "a.py", cwd=tmp_path).stdout.splitlines()
    }
    assert ours == theirs == {3, 5}


def test_17_html_by_directory_honours_top_and_zero_is_not_none(tmp_path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.py").write_text(MISSING)
    html = cli("report", "--format", "html", "--top", "1", ".", cwd=tmp_path).stdout.decode()
    table = html.split('id="directories"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 2  # the header and one directory
    assert "2 more directories not shown" in html
    assert 'class="fill zero"' in html  # BP05: 0 of 3 bounded
    assert 'class="bar none"' in html  # a practice with no sites looks different


def test_18_diff_without_changes_exits_0_and_empty_folder_warns(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    proc = cli("fix", "--diff", "a.py", cwd=tmp_path)  # the only fix is unsafe: no diff
    assert proc.returncode == 0 and proc.stdout == b""
    assert cli("fix", "--diff", "--unsafe-fixes", "a.py", cwd=tmp_path).returncode == 1
    (tmp_path / "empty").mkdir()
    empty = cli("check", "empty", cwd=tmp_path)
    assert empty.returncode == 0
    assert b"warning: no Python files found" in empty.stderr
