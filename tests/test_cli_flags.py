"""The flags and output formats that follow ruff's conventions, through the real CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from helpers import cli

pytestmark = pytest.mark.slow

MISSING = "import requests\n\nrequests.get('https://example.com')\n"
UNUSED = "import requests\n\nrequests.get('u', timeout=5)  # noqa: REL501\n"


@pytest.fixture
def proj(tmp_path):
    (tmp_path / "rel05-lint.toml").write_text('extend-select = ["REL002"]\n')
    (tmp_path / "a.py").write_text(MISSING)
    (tmp_path / "b.py").write_text(UNUSED)
    return tmp_path


def test_full_format_shows_the_source_line_carets_and_fix(proj):
    out = cli("check", "--output-format", "full", "--show-fixes", "a.py", cwd=proj).stdout.decode()
    assert out.splitlines()[:6] == [
        "a.py:3:1: REL501 `requests.get()` has no timeout: if the server accepts the connection and never answers, this call waits forever",
        "  |",
        "3 | requests.get('https://example.com')",
        "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "  |",
        "  = fix (unsafe): Add `timeout=10` (the call then fails with a timeout error instead of hanging)",
    ]
    assert "    - requests.get('https://example.com')\n    + requests.get('https://example.com', timeout=10)\n" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_default_format_is_concise_off_a_terminal_and_text_is_its_alias(proj):
    plain = cli("check", "a.py", cwd=proj).stdout
    assert plain == cli("check", "--format", "text", "a.py", cwd=proj).stdout
    assert plain == cli("check", "--output-format", "concise", "a.py", cwd=proj).stdout
    assert plain.startswith(b"a.py:3:1: REL501 `requests.get()`")


def test_colour_on_request_and_never_with_no_color(proj):
    import os

    coloured = cli("check", "--color", "always", "a.py", cwd=proj).stdout
    assert b"\x1b[" in coloured
    env_off = cli("check", "--color", "never", "a.py", cwd=proj).stdout
    assert b"\x1b[" not in env_off
    os.environ["NO_COLOR"] = "1"
    try:
        assert b"\x1b[" not in cli("check", "--color", "auto", "a.py", cwd=proj).stdout
    finally:
        del os.environ["NO_COLOR"]


def test_grouped_pylint_json_lines_junit(proj):
    grouped = cli("check", "--output-format", "grouped", ".", cwd=proj).stdout.decode()
    assert grouped.startswith("./a.py:\n  3:1 REL501 ")
    assert "./b.py:\n  3:31 REL002 [*] unused `noqa` code `REL501`" in grouped
    pylint = cli("check", "--output-format", "pylint", "a.py", cwd=proj).stdout.decode()
    assert pylint.startswith("a.py:3: [REL501] `requests.get()` has no timeout")
    lines = cli("check", "--output-format", "json-lines", ".", cwd=proj).stdout.decode().splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["REL501", "REL002"]
    junit = ET.fromstring(cli("check", "--output-format", "junit", ".", cwd=proj).stdout)
    assert junit.tag == "testsuites" and junit.get("failures") == "2"
    cases = junit.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["org.rel05-lint.REL501", "org.rel05-lint.REL002"]
    assert cases[0].find("failure").get("message").startswith("`requests.get()` has no timeout")
    clean = ET.fromstring(cli("check", "--output-format", "junit", "--select", "REL6", ".", cwd=proj).stdout)
    assert clean.get("failures") == "0" and clean.find("./testsuite/testcase").get("name") == "No findings"


def test_check_fix_fix_only_exit_non_zero_on_fix(proj):
    fixed = cli("check", "--fix", "b.py", cwd=proj)
    assert fixed.returncode == 0 and b"Fixed 1 finding." in fixed.stdout
    assert (proj / "b.py").read_text() == "import requests\n\nrequests.get('u', timeout=5)\n"
    (proj / "b.py").write_text(UNUSED)
    strict = cli("check", "--fix", "--exit-non-zero-on-fix", "b.py", cwd=proj)
    assert strict.returncode == 1
    (proj / "b.py").write_text(UNUSED)
    only = cli("check", "--fix-only", "a.py", "b.py", cwd=proj)  # a.py's finding remains: not reported
    assert only.returncode == 0 and only.stdout == b"" and b"Fixed 1 finding." in only.stderr
    assert (proj / "a.py").read_text() == MISSING  # its fix is unsafe


def test_show_fixes_lists_what_fix_applied(proj):
    proc = cli("check", "--fix", "--show-fixes", "--unsafe-fixes", "a.py", "b.py", cwd=proj)
    out = proc.stdout.decode()
    assert "- a.py:\n    1 × REL501 (missing-timeout)\n- b.py:\n    1 × REL002 (unused-noqa)\n" in out


def test_check_diff_writes_nothing(proj):
    proc = cli("check", "--diff", "b.py", cwd=proj)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[:2] == ["--- a/b.py", "+++ b/b.py"]
    assert (proj / "b.py").read_text() == UNUSED


def test_quiet_and_silent(proj):
    quiet = cli("check", "-q", "a.py", cwd=proj)
    assert quiet.returncode == 1 and b"Found" not in quiet.stdout and quiet.stdout.startswith(b"a.py:3:1")
    silent = cli("check", "-s", "a.py", cwd=proj)
    assert silent.returncode == 1 and silent.stdout == b"" and silent.stderr == b""


def test_version_flags(tmp_path):
    from rel05_lint import __version__

    for args in (("--version",), ("-V",), ("version",)):
        proc = cli(*args, cwd=tmp_path)
        assert proc.returncode == 0 and __version__.encode() in proc.stdout


def test_show_settings_and_show_files(proj):
    (proj / "tests").mkdir()
    (proj / "tests" / "test_a.py").write_text(MISSING)
    out = cli("check", "--show-settings", "tests/test_a.py", cwd=proj).stdout.decode()
    assert f"Configuration file: {proj / 'rel05-lint.toml'}" in out
    assert "Test file: yes (the REL1xx-REL6xx rules skip it: check-tests is off)" in out
    assert 'extend-select = ["REL002"]' in out and "check-tests = false" in out
    files = cli("check", "--show-files", ".", cwd=proj).stdout.decode().split()
    assert files == ["./a.py", "./b.py", "./tests/test_a.py"]
    assert cli("check", "--show-settings", "a.py", "b.py", cwd=proj).returncode == 2


def test_explain_by_name_all_and_json(tmp_path):
    by_name = cli("explain", "missing-timeout", cwd=tmp_path)
    assert by_name.returncode == 0 and by_name.stdout == cli("explain", "rel501", cwd=tmp_path).stdout
    every = cli("explain", "--all", cwd=tmp_path).stdout.decode()
    assert (
        every.count("\n---\n")
        == len(
            cli("rules", "--format", "json", cwd=tmp_path).stdout
            and json.loads(cli("rules", "--format", "json", cwd=tmp_path).stdout)
        )
        - 1
    )
    one = json.loads(cli("explain", "--output-format", "json", "REL002", cwd=tmp_path).stdout)
    assert one["code"] == "REL002" and one["name"] == "unused-noqa" and one["fix"] == "safe" and one["url"] is None
    assert one["explanation"].startswith("# REL002 unused-noqa")
    assert cli("explain", "no-such-rule", cwd=tmp_path).returncode == 2


def test_explain_and_version_import_no_rule_module(tmp_path):
    import subprocess
    import sys

    from helpers import ROOT

    code = (
        "import sys\nfrom rel05_lint.cli.main import main\n"
        "try:\n    main(['explain', 'REL501'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('libcst', 'rel05_lint.rules'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=60,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_per_file_ignores_and_excludes_on_the_command_line(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(MISSING)
    (tmp_path / "app.py").write_text(MISSING)
    assert (
        cli("check", "--extend-exclude", "legacy", "--per-file-ignores", "app.py:REL5", ".", cwd=tmp_path).returncode
        == 0
    )
    assert cli("check", "--per-file-ignores", "legacy/*:REL501", "legacy", cwd=tmp_path).returncode == 0
    assert cli("check", "--exclude", "app.py", ".", cwd=tmp_path).stdout.startswith(b"./legacy/old.py:3:1: REL501")
    bad = cli("check", "--per-file-ignores", "app.py", ".", cwd=tmp_path)
    assert bad.returncode == 2 and b"PATTERN:CODES" in bad.stderr


NON_UTF8 = b"caf\xe9.py"


@pytest.mark.parametrize(
    "fmt", ["concise", "full", "grouped", "json", "json-lines", "junit", "pylint", "sarif", "github", "gitlab"]
)
def test_non_utf8_file_names_in_every_format(tmp_path, fmt):
    import os

    (tmp_path / ".git").mkdir()
    with open(os.path.join(os.fsencode(tmp_path), NON_UTF8), "wb") as handle:
        handle.write(MISSING.encode())
    stdout = cli("check", "--output-format", fmt, ".", cwd=tmp_path)
    assert stdout.returncode == 1, stdout.stderr
    text = stdout.stdout.decode("utf-8")  # valid UTF-8 whatever the name
    if fmt == "sarif":
        assert "caf%E9.py" in text
    else:
        assert "caf\\\\xe9.py" in text if fmt in ("json", "json-lines", "gitlab") else "caf\\xe9.py" in text
    written = cli("check", "--output-format", fmt, "--output-file", "out.txt", ".", cwd=tmp_path)
    assert written.returncode == 1 and b"Traceback" not in written.stderr
    (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_non_utf8_file_name_in_the_review_report(tmp_path):
    import os

    with open(os.path.join(os.fsencode(tmp_path), NON_UTF8), "wb") as handle:
        handle.write(MISSING.encode())
    for fmt in ("markdown", "html", "json"):
        proc = cli("report", "--format", fmt, "-o", f"r.{fmt}", ".", cwd=tmp_path)
        assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
        assert "caf\\xe9.py" in (tmp_path / f"r.{fmt}").read_text(encoding="utf-8").replace("\\\\", "\\")


def test_flake8_options_on_the_command_line_and_in_its_configuration(tmp_path):
    from helpers import flake8

    (tmp_path / "slow.py").write_text("import requests\n\nrequests.get('u', timeout=30)\n")
    assert "REL504" not in flake8("--isolated", "--select", "REL504", "slow.py", cwd=tmp_path).stdout
    on = flake8("--isolated", "--select", "REL504", "--rel05-max-timeout", "5", "slow.py", cwd=tmp_path)
    assert "REL504" in on.stdout, on.stdout + on.stderr
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = REL504\nrel05-max-timeout = 5\n")
    assert "REL504" in flake8("slow.py", cwd=tmp_path).stdout
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = REL\nrel05-max-timeout = soon\n")
    bad = flake8("slow.py", cwd=tmp_path)
    lines = bad.stdout.splitlines()
    assert len(lines) == 1 and "REL001 rel05-lint configuration error" in lines[0] and "max-timeout" in lines[0]
    # Selected codes that leave REL001 out still see it, on standard error.
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = REL504\nrel05-max-timeout = soon\n")
    hidden = flake8("slow.py", cwd=tmp_path)
    assert hidden.stdout == "" and "configuration error" in hidden.stderr and "max-timeout" in hidden.stderr


def test_deep_folders_are_walked_without_recursion(tmp_path):
    """1,200 nested folders: discovery, configuration lookup and ignore files are iterative and linear."""
    import os

    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(1200):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("a.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write(MISSING)
    finally:
        os.close(fd)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    proc = cli("check", "--no-cache", "--output-format", "concise", ".", cwd=tmp_path)
    assert proc.returncode == 1 and b"RecursionError" not in proc.stderr, proc.stderr[-500:]
    assert proc.stdout.count(b"REL501") == 1
