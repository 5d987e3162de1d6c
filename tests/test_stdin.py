"""Standard input: `-` and --stdin-filename for check and fix, as editors pipe a buffer in."""

from __future__ import annotations

import json

import pytest
from helpers import cli

MISSING = "import requests\n\nrequests.get('https://example.com')\n"
FIXED = "import requests\n\nrequests.get('https://example.com', timeout=10)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.rel05-lint]\nper-file-ignores = { "tests/*" = ["REL5"] }\nextend-exclude = ["generated"]\n'
    )
    (tmp_path / "src").mkdir()
    return tmp_path


@pytest.mark.slow
def test_check_reports_under_the_given_name(project):
    proc = cli("check", "--stdin-filename", "src/app.py", "-", cwd=project, input=MISSING.encode())
    assert proc.returncode == 1
    assert proc.stdout.startswith(b"src/app.py:3:1: REL501")
    assert b"Found 1 finding in 1 file." in proc.stdout
    # `-` alone reports as `-`; --stdin-filename alone reads standard input too.
    bare = cli("check", "-", cwd=project, input=MISSING.encode())
    assert bare.returncode == 1 and bare.stdout.startswith(b"-:3:1: REL501")
    named = cli("check", "--stdin-filename", "src/new.py", cwd=project, input=MISSING.encode())
    assert named.stdout.startswith(b"src/new.py:3:1: REL501")  # the file need not exist


@pytest.mark.slow
def test_config_and_per_file_ignores_apply_as_for_the_path(project):
    ignored = cli("check", "--stdin-filename", "tests/test_app.py", "-", cwd=project, input=MISSING.encode())
    assert ignored.returncode == 0 and b"All checks passed" in ignored.stdout
    # The config is found from the named file's folder, not from the current one.
    elsewhere = cli(
        "check", "--stdin-filename", str(project / "tests" / "t.py"), "-", cwd=project.parent, input=MISSING.encode()
    )
    assert elsewhere.returncode == 0
    # --force-exclude applies exclusions to the name, as for files named on the command line.
    excluded = cli(
        "check", "--force-exclude", "--stdin-filename", "generated/x.py", "-", cwd=project, input=MISSING.encode()
    )
    assert excluded.returncode == 0
    kept = cli("check", "--stdin-filename", "generated/x.py", "-", cwd=project, input=MISSING.encode())
    assert kept.returncode == 1


@pytest.mark.slow
def test_fix_writes_the_fixed_source_to_stdout(project):
    proc = cli("fix", "--unsafe-fixes", "--stdin-filename", "src/app.py", "-", cwd=project, input=MISSING.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == FIXED.encode()
    assert b"Fixed 1 finding." in proc.stderr
    # Without --unsafe-fixes nothing applies: the buffer comes back as it was, the finding on stderr.
    safe = cli("fix", "--stdin-filename", "src/app.py", "-", cwd=project, input=MISSING.encode())
    assert safe.returncode == 1 and safe.stdout == MISSING.encode()
    assert b"src/app.py:3:1: REL501" in safe.stderr
    diff = cli("fix", "--unsafe-fixes", "--diff", "-", cwd=project, input=MISSING.encode())
    assert diff.returncode == 1 and b"+requests.get('https://example.com', timeout=10)" in diff.stdout


@pytest.mark.slow
def test_fix_keeps_encoding_and_newlines(project):
    text = "# -*- coding: latin-1 -*-\r\nimport requests\r\nrequests.get('https://caf\xe9.example')\r\n"
    proc = cli("fix", "--unsafe-fixes", "-", cwd=project, input=text.encode("latin-1"))
    assert proc.stdout == text.replace("example')", "example', timeout=10)").encode("latin-1")


@pytest.mark.slow
def test_unreadable_input_is_reported_and_echoed(project):
    data = b"x = '\xff'\n"  # not UTF-8
    proc = cli("fix", "--stdin-filename", "src/bad.py", "-", cwd=project, input=data)
    assert proc.returncode == 1 and proc.stdout == data
    assert b"src/bad.py:1:1: REL001" in proc.stderr
    syntax = cli("check", "-", cwd=project, input=b"x = (\n")
    assert syntax.returncode == 1 and b"REL001" in syntax.stdout


@pytest.mark.slow
def test_ci_formats_and_options_from_stdin(project):
    (project / ".git").mkdir()
    proc = cli(
        "check", "--format", "sarif", "--stdin-filename", "src/app.py", "-", cwd=project / "src", input=MISSING.encode()
    )
    result = json.loads(proc.stdout)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/src/app.py"
    zero = cli("check", "--exit-zero", "--format", "gitlab", "-", cwd=project, input=MISSING.encode())
    assert zero.returncode == 0 and json.loads(zero.stdout)[0]["check_name"] == "REL501"


@pytest.mark.slow
def test_usage_errors(project):
    (project / "a.py").write_text(MISSING)
    mixed = cli("check", "-", "a.py", cwd=project, input=MISSING.encode())
    assert mixed.returncode == 2 and b"cannot be combined" in mixed.stderr
    noqa = cli("check", "--add-noqa", "-", cwd=project, input=MISSING.encode())
    assert noqa.returncode == 2 and b"--add-noqa" in noqa.stderr
