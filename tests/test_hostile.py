"""Bad input never crashes the run: one clear REL001 line each, the rest still checked."""

from __future__ import annotations

import os

import pytest

from helpers import cli, cli_json

MISSING = "import requests\nrequests.get('https://example.com')\n"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    (tmp_path / "good.py").write_text(MISSING)
    return tmp_path


CASES = {
    "syntax.py": (b"import requests\ndef f(:\n", "syntax error"),
    "undecodable.py": (b"import requests\nx = '\xff\xfe'\n", "cannot decode"),
    "nul.py": (b"import requests\x00\n", "NUL byte"),
    "deep.py": (b"import requests\nx = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n", ""),
    "badcookie.py": (b"# -*- coding: klingon -*-\nimport requests\n", "encoding"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_line_per_bad_file_and_others_still_checked(tree, name):
    data, words = CASES[name]
    (tree / name).write_bytes(data)
    proc = cli("check", ".", cwd=tree)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr + proc.stdout
    lines = proc.stdout.decode().splitlines()
    bad = [line for line in lines if line.startswith(f"{os.path.join('.', name)}:")]
    assert len(bad) == 1 and " REL001 " in bad[0] and words in bad[0], lines
    assert any(line.startswith("./good.py:2:1: REL501") for line in lines)


def test_good_encodings_and_newlines_are_kept_by_fix(tree):
    bom_crlf = "\ufeffimport requests\r\nrequests.get('x')\r\n".encode("utf-8")
    latin = "# -*- coding: latin-1 -*-\nimport requests\nname = 'café'\nrequests.get(name)\n".encode("latin-1")
    cr = b"import requests\rrequests.get('x')\r"
    (tree / "bom.py").write_bytes(bom_crlf)
    (tree / "latin.py").write_bytes(latin)
    (tree / "cr.py").write_bytes(cr)
    (tree / "empty.py").write_bytes(b"")
    proc = cli("fix", "--unsafe-fixes", ".", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tree / "bom.py").read_bytes() == "\ufeffimport requests\r\nrequests.get('x', timeout=10)\r\n".encode("utf-8")
    assert (tree / "latin.py").read_bytes() == latin.replace(b"get(name)", b"get(name, timeout=10)")
    assert (tree / "cr.py").read_bytes() == b"import requests\rrequests.get('x', timeout=10)\r"
    assert (tree / "empty.py").read_bytes() == b""


def test_directory_named_py_and_broken_symlink(tree):
    (tree / "pkg.py").mkdir()
    os.symlink(tree / "missing-target.py", tree / "dangling.py")
    code, rows = cli_json("check", "dangling.py", "pkg.py", "good.py", cwd=tree)
    assert code == 1
    by_file = {os.path.basename(r["filename"]): r for r in rows}
    assert by_file["dangling.py"]["code"] == "REL001" and "symbolic link" in by_file["dangling.py"]["message"]
    assert by_file["good.py"]["code"] == "REL501"
    # pkg.py is a folder: walked (empty), not read as a file
    assert "pkg.py" not in by_file


def test_symlink_loop_in_walk(tree):
    (tree / "sub").mkdir()
    os.symlink(tree / "sub", tree / "sub" / "loop")
    proc = cli("check", ".", cwd=tree)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tree):
    path = tree / "secret.py"
    path.write_text(MISSING)
    os.chmod(path, 0)
    code, rows = cli_json("check", ".", cwd=tree)
    assert any(r["code"] == "REL001" and "cannot read" in r["message"] for r in rows)


def test_fix_skips_file_changed_since_read(tmp_path):
    from rel05_lint.files import write_atomic

    path = tmp_path / "a.py"
    path.write_bytes(b"new content\n")
    why = write_atomic(str(path), b"fixed\n", expected=b"old content\n")
    assert why is not None and "changed on disk" in why
    assert path.read_bytes() == b"new content\n"
