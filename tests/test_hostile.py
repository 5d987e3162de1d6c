"""Bad input never crashes the run: one clear REL001 line each, the rest still checked."""

from __future__ import annotations

import os

import pytest
from helpers import cli, cli_json, flake8

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
    # Shapes CPython parses at once but libcst's parser cannot (memory, time).
    "huge_literal.py": (b"import requests\nX = [" + b"1," * 400_000 + b"]\n", "too large to analyse"),
    "plus_chain.py": (b"import requests\nx = " + b" + ".join([b"a"] * 1_000) + b"\n", "too deeply nested"),
    "attr_chain.py": (b"import requests\nx = a" + b".b" * 600 + b"\n", "too deeply nested"),
}


@pytest.mark.slow
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


@pytest.mark.slow
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
    assert (tree / "bom.py").read_bytes() == "\ufeffimport requests\r\nrequests.get('x', timeout=10)\r\n".encode(
        "utf-8"
    )
    assert (tree / "latin.py").read_bytes() == latin.replace(b"get(name)", b"get(name, timeout=10)")
    assert (tree / "cr.py").read_bytes() == b"import requests\rrequests.get('x', timeout=10)\r"
    assert (tree / "empty.py").read_bytes() == b""


@pytest.mark.slow
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


@pytest.mark.slow
def test_symlink_loop_in_walk(tree):
    (tree / "sub").mkdir()
    os.symlink(tree / "sub", tree / "sub" / "loop")
    proc = cli("check", ".", cwd=tree)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tree):
    path = tree / "secret.py"
    path.write_text(MISSING)
    os.chmod(path, 0)
    _code, rows = cli_json("check", ".", cwd=tree)
    assert any(r["code"] == "REL001" and "cannot read" in r["message"] for r in rows)


def test_fix_skips_file_changed_since_read(tmp_path):
    from rel05_lint.runner.files import write_atomic

    path = tmp_path / "a.py"
    path.write_bytes(b"new content\n")
    why = write_atomic(str(path), b"fixed\n", expected=b"old content\n")
    assert why is not None and "changed on disk" in why
    assert path.read_bytes() == b"new content\n"


# A 100,000-character line (one string token: libcst's position metadata is
# quadratic in the tokens of one line, so a line of 30,000 tokens takes ~20 s),
# and a wide boolean chain.
LONG_LINE = b"import requests\nx = '" + b"a" * 100_000 + b"'; requests.get(u)\n"
WIDE = b"import requests\nok = " + b" and ".join(b"a%d" % i for i in range(3_000)) + b"\nrequests.get(u)\n"


@pytest.mark.slow
@pytest.mark.parametrize("name,data", [("long_line.py", LONG_LINE), ("wide.py", WIDE)])
def test_huge_lines_are_checked_and_fixed(tree, name, data):
    assert len(LONG_LINE.splitlines()[1]) > 100_000
    (tree / name).write_bytes(data)
    code, rows = cli_json("check", name, cwd=tree)
    assert code == 1 and [r["code"] for r in rows] == ["REL501"], rows
    proc = cli("fix", "--unsafe-fixes", name, cwd=tree)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    assert (tree / name).read_bytes() == data.replace(b"requests.get(u)", b"requests.get(u, timeout=10)")


@pytest.mark.slow
def test_latin1_cookie_and_cr_newlines_are_checked(tree):
    (tree / "latin.py").write_bytes(
        "# -*- coding: latin-1 -*-\nimport requests\nrequests.get('café')\n".encode("latin-1")
    )
    (tree / "cr.py").write_bytes(b"import requests\r\rrequests.get(u)\r")
    _code, rows = cli_json("check", "latin.py", "cr.py", cwd=tree)
    assert sorted((r["filename"].split("/")[-1], r["location"]["row"], r["code"]) for r in rows) == [
        ("cr.py", 3, "REL501"),
        ("latin.py", 3, "REL501"),
    ]


@pytest.mark.slow
def test_missing_path_is_one_clear_line_and_the_rest_is_checked(tree):
    proc = cli("check", "good.py", "no/such/file.py", cwd=tree)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.decode().strip().splitlines() == [
        "rel05-lint: error: no/such/file.py: no such file or directory"
    ]
    assert proc.stdout.startswith(b"good.py:2:1: REL501")


@pytest.mark.slow
def test_checked_code_is_never_imported_or_run(tree):
    marker = tree / "ran.txt"
    bait = (
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
        "import requests\nrequests.get(u)\nif __name__ == '__main__':\n    pathlib.Path('x').touch()\n"
    )
    (tree / "conftest.py").write_text(bait)
    (tree / "setup.py").write_text(bait)
    (tree / "__init__.py").write_text(bait)
    (tree / "pyproject.toml").write_text('[tool.rel05-lint]\ndefault-timeout = "conftest.TIMEOUT"\n')
    assert cli("check", ".", cwd=tree).returncode == 1
    assert cli("fix", "--unsafe-fixes", ".", cwd=tree).returncode in (0, 1)
    assert not marker.exists()
    assert "timeout=TIMEOUT" in (tree / "setup.py").read_text()  # the name is written, never resolved


@pytest.mark.slow
def test_output_is_the_same_for_any_number_of_workers(tree):
    for i in range(40):
        body = MISSING if i % 3 else "import queue\nq = queue.Queue()\n"
        (tree / f"m{i:02d}.py").write_text(body)
    (tree / "broken.py").write_bytes(b"def f(:\n")
    runs = [cli("check", "-j", str(jobs), ".", cwd=tree) for jobs in (1, 2)]
    assert runs[0].stdout and all(r.stdout == runs[0].stdout and r.returncode == 1 for r in runs)
    fixes = []
    for jobs in (1, 2):
        proc = cli("fix", "--unsafe-fixes", "--diff", "-j", str(jobs), ".", cwd=tree)
        fixes.append((proc.stdout, proc.returncode))
    assert fixes[0] == fixes[1] and fixes[0][0]


@pytest.mark.parametrize(
    "lines",
    [
        ["import requests\x00\n"],
        ["import requests\n", "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"],
        ["def f(:\n"],
        ["\ufeffimport requests\r\n", "requests.get(u)\r\n"],
        [],
    ],
)
def test_flake8_plugin_never_raises(lines):
    from rel05_lint.flake8_plugin import Plugin

    results = list(Plugin(None, lines, "x.py").run())
    assert all(isinstance(r[2], str) and r[2].startswith("REL") for r in results)


def test_flake8_plugin_reports_its_own_bug_as_one_line(monkeypatch):
    from rel05_lint.core.engine import Engine
    from rel05_lint.flake8_plugin import Plugin

    def boom(self, text, path):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(Engine, "check", boom)
    results = list(Plugin(None, ["x = 1\n"], "x.py").run())
    assert len(results) == 1 and results[0][2].startswith("REL001 internal error")
    assert "\n" not in results[0][2]


@pytest.mark.slow
def test_flake8_and_the_cli_give_an_undecodable_file_the_same_verdict(tmp_path):
    # flake8 itself falls back to latin-1 and would hand the plugin readable text.
    (tmp_path / "bad.py").write_bytes(b"import requests\nrequests.get(u)  # caf\xe9\n")
    cli_lines = cli("check", "--no-cache", "bad.py", cwd=tmp_path).stdout.decode().splitlines()
    flake8_lines = flake8("--isolated", "--select", "REL", "bad.py", cwd=tmp_path).stdout.splitlines()
    assert [line for line in cli_lines if "REL" in line] == flake8_lines, (cli_lines, flake8_lines)
    assert len(flake8_lines) == 1 and "REL001 cannot decode" in flake8_lines[0]
