"""The command line: exit codes, configuration errors, fix modes, formats, noqa."""

from __future__ import annotations

import os
import stat

import pytest
from helpers import cli, cli_json

MISSING = "import requests\n\nrequests.get('https://example.com')\n"
CLEAN = "import requests\n\nrequests.get('https://example.com', timeout=5)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    return tmp_path


@pytest.mark.slow
def test_exit_codes(project):
    (project / "ok.py").write_text(CLEAN)
    (project / "bad.py").write_text(MISSING)
    ok = cli("check", "ok.py", cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert b"All checks passed" in ok.stdout
    bad = cli("check", "bad.py", cwd=project)
    assert bad.returncode == 1
    assert bad.stdout.startswith(b"bad.py:3:1: REL501")
    missing = cli("check", "nope.py", cwd=project)
    assert missing.returncode == 2
    assert b"nope.py: no such file or directory" in missing.stderr
    usage = cli("check", "--format", "xml", cwd=project)
    assert usage.returncode == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    "body, words",
    [
        ("colour = 1\n", [b"unknown key `colour`", b"pyproject.toml"]),
        ("max-attempts = 'five'\n", [b"`max-attempts` must be a positive whole number", b"pyproject.toml"]),
        ("select = ['E501']\n", [b"E501", b"not a rule code"]),
        ("default-timeout = 'ten'\n", [b"default-timeout", b"dotted name"]),
        ("unsafe-fixes = 1\n", [b"unsafe-fixes"]),
        ("select = [\n", [b"invalid TOML"]),
    ],
)
def test_config_errors_name_key_and_file(tmp_path, body, words):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n" + body)
    (tmp_path / "a.py").write_text(CLEAN)
    proc = cli("check", "a.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr


@pytest.mark.slow
def test_select_ignore_prefixes(project):
    (project / "bad.py").write_text(MISSING)
    assert cli("check", "bad.py", "--ignore", "REL5", cwd=project).returncode == 0
    assert cli("check", "bad.py", "--select", "REL3", cwd=project).returncode == 0
    assert cli("check", "bad.py", "--select", "ALL", cwd=project).returncode == 1
    assert cli("check", "bad.py", "--ignore", "REL5", "--extend-select", "REL501", cwd=project).returncode == 1
    assert cli("check", "bad.py", "--select", "XYZ", cwd=project).returncode == 2


@pytest.mark.slow
def test_fix_safe_only_by_default_then_unsafe(project):
    path = project / "bad.py"
    path.write_text(MISSING)
    os.chmod(path, 0o640)
    safe = cli("fix", "bad.py", cwd=project)
    assert safe.returncode == 1  # the unsafe fix was not applied: the finding remains
    assert path.read_text() == MISSING
    unsafe = cli("fix", "--unsafe-fixes", "bad.py", cwd=project)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert path.read_text() == "import requests\n\nrequests.get('https://example.com', timeout=10)\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in project.iterdir() if p.name.startswith(".rel05-")] == []


@pytest.mark.slow
def test_unsafe_fixes_from_config_and_default_timeout(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\nunsafe-fixes = true\ndefault-timeout = 3.5\n")
    path = tmp_path / "bad.py"
    path.write_text(MISSING)
    assert cli("fix", "bad.py", cwd=tmp_path).returncode == 0
    assert "timeout=3.5)" in path.read_text()


@pytest.mark.slow
def test_diff_writes_nothing(project):
    path = project / "bad.py"
    path.write_text(MISSING)
    proc = cli("fix", "--unsafe-fixes", "--diff", "bad.py", cwd=project)
    assert proc.returncode == 1
    assert b"-requests.get('https://example.com')" in proc.stdout
    assert b"+requests.get('https://example.com', timeout=10)" in proc.stdout
    assert path.read_text() == MISSING


@pytest.mark.slow
def test_json_shape_like_ruff(project):
    (project / "bad.py").write_text(MISSING)
    code, rows = cli_json("check", "bad.py", cwd=project)
    assert code == 1 and len(rows) == 1
    row = rows[0]
    assert set(row) >= {"code", "message", "filename", "location", "end_location", "fix", "noqa_row", "url"}
    assert row["code"] == "REL501"
    assert row["location"] == {"row": 3, "column": 1}
    assert row["end_location"]["row"] == 3
    assert row["filename"] == str(project / "bad.py")
    fix = row["fix"]
    assert fix["applicability"] == "unsafe"
    assert fix["edits"] == [
        {"content": ", timeout=10", "location": {"row": 3, "column": 35}, "end_location": {"row": 3, "column": 35}}
    ]


@pytest.mark.slow
def test_noqa_forms(project):
    (project / "n.py").write_text(
        "import requests\n"
        "requests.get('a')  # noqa\n"
        "requests.get('b')  # noqa: REL501\n"
        "requests.get('c')  # noqa: REL502\n"
        "requests.get('d')  # NOQA:REL501,REL502  # why\n"
        "requests.get('e')  # noqa: REL502 REL501\n"
    )
    _code, rows = cli_json("check", "n.py", cwd=project)
    assert [r["location"]["row"] for r in rows] == [4]


@pytest.mark.slow
def test_folder_walk_honours_exclude(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nextend-exclude = ["legacy"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(MISSING)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "b.py").write_text(MISSING)
    _code, rows = cli_json("check", ".", cwd=tmp_path)
    assert [os.path.basename(r["filename"]) for r in rows] == ["a.py"]
    _code, rows = cli_json("check", "legacy/b.py", cwd=tmp_path)
    assert len(rows) == 1  # named on the command line: checked
    _code, rows = cli_json("check", "--force-exclude", "legacy/b.py", cwd=tmp_path)
    assert rows == []


@pytest.mark.slow
def test_per_file_ignores(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nper-file-ignores = {"tests/*" = ["REL5"]}\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text(MISSING)
    (tmp_path / "app.py").write_text(MISSING)
    _code, rows = cli_json("check", ".", cwd=tmp_path)
    assert [os.path.basename(r["filename"]) for r in rows] == ["app.py"]


@pytest.mark.slow
def test_rules_and_explain():
    listing = cli("rules")
    assert listing.returncode == 0
    assert b"REL501" in listing.stdout and b"missing-timeout" in listing.stdout
    page = cli("explain", "rel501")
    assert page.returncode == 0 and page.stdout.startswith(b"# REL501 missing-timeout")
    assert cli("explain", "REL999").returncode == 2


@pytest.mark.slow
def test_help_explains():
    proc = cli("--help")
    assert proc.returncode == 0
    for word in (b"check", b"fix", b"rules", b"explain", b"Exit status"):
        assert word in proc.stdout
    assert b"--unsafe-fixes" in cli("fix", "--help").stdout


@pytest.mark.slow
def test_jobs_do_not_change_output(tmp_path):
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(MISSING if i % 3 else CLEAN)
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    one = cli("check", ".", "--jobs", "1", cwd=tmp_path)
    two = cli("check", ".", "--jobs", "2", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
