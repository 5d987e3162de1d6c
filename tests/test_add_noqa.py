"""--add-noqa: where comments go, merging, idempotence, encodings, and what stays reported."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, cli

from rel05_lint.cli.add_noqa import add_to_text
from rel05_lint.core.config import Settings
from rel05_lint.registry import build_engine

ENGINE = build_engine(Settings())


def _add(text: str) -> str:
    new, _ = add_to_text(text, ENGINE.check(text, "a.py"))
    assert ENGINE.check(new, "a.py") == [], new  # every finding is suppressed
    compile(new, "a.py", "exec")
    return new


@pytest.mark.parametrize(
    "before, after",
    [
        ('requests.get("u")\n', 'requests.get("u")  # noqa: REL501\n'),
        ('requests.get("u")   \n', 'requests.get("u")  # noqa: REL501\n'),
        ('requests.get("u")  # why\n', 'requests.get("u")  # why  # noqa: REL501\n'),
        ('requests.get("u")  # noqa: E501\n', 'requests.get("u")  # noqa: E501, REL501\n'),
        ('requests.get("u")  # noqa:E501,W291  # why\n', 'requests.get("u")  # noqa: E501, W291, REL501  # why\n'),
        # flake8 reads only "# noqa" with one space: "#noqa:..." is a plain comment to both front ends.
        ('requests.get("u")  #noqa:E501  # why\n', 'requests.get("u")  #noqa:E501  # why  # noqa: REL501\n'),
        # Two findings on one line: one comment, codes sorted.
        (
            'requests.post("u", timeout=None); requests.get("u")\n',
            'requests.post("u", timeout=None); requests.get("u")  # noqa: REL501, REL502\n',
        ),
        # A finding whose line ends inside a multi-line string: the comment goes where the string closes.
        ('requests.get("""a\n# b\n""")\n', 'requests.get("""a\n# b\n""")  # noqa: REL501\n'),
        # A backslash continuation: after its last line.
        ('x = requests.get("u") + \\\n    "s"\n', 'x = requests.get("u") + \\\n    "s"  # noqa: REL501\n'),
        # Inside brackets every line may carry a comment: the finding's own line.
        ('requests.get(\n    "u",\n)\n', 'requests.get(  # noqa: REL501\n    "u",\n)\n'),
        # No final newline.
        ('requests.get("u")', 'requests.get("u")  # noqa: REL501'),
    ],
)
def test_comment_placement(before, after):
    assert _add("import requests\n" + before) == "import requests\n" + after


def test_existing_codes_are_merged_not_duplicated():
    text = 'import requests\nrequests.post("u", timeout=None); requests.get("u")  # noqa: REL502\n'
    new, added = add_to_text(text, ENGINE.check(text, "a.py"))
    assert added == 1
    assert new.endswith("# noqa: REL502, REL501\n")


@pytest.fixture
def legacy(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    shutil.copytree(ROOT / "fixtures" / "sample_service" / "shop", tmp_path / "shop")
    return tmp_path


@pytest.mark.slow
def test_adopting_on_legacy_code(legacy):
    before = {p.name: p.read_bytes() for p in (legacy / "shop").glob("*.py")}
    first = cli("check", "--add-noqa", ".", cwd=legacy)
    assert first.returncode == 0, first.stderr
    assert b"Added 23 noqa directives in 5 files." in first.stderr
    check = cli("check", ".", cwd=legacy)
    assert check.returncode == 0 and b"All checks passed" in check.stdout
    after = {p.name: p.read_bytes() for p in (legacy / "shop").glob("*.py")}
    # Only comments were added: every changed line starts as it did.
    for name, old in before.items():
        new_lines = after[name].splitlines()
        assert len(new_lines) == len(old.splitlines())
        for a, b in zip(old.splitlines(), new_lines, strict=False):
            assert b.startswith(a.rstrip()) and (a == b or b"# noqa" in b)
    # Idempotent.
    again = cli("check", "--add-noqa", ".", cwd=legacy)
    assert again.returncode == 0 and b"Added 0 noqa directives in 0 files." in again.stderr
    assert {p.name: p.read_bytes() for p in (legacy / "shop").glob("*.py")} == after
    # A new problem is reported again.
    with open(legacy / "shop" / "app.py", "a") as handle:
        handle.write("\n\ndef late():\n    return requests.get('https://late.example')\n")
    new = cli("check", ".", cwd=legacy)
    assert new.returncode == 1 and new.stdout.count(b"REL501") == 1


@pytest.mark.slow
def test_encoding_newlines_and_unparseable_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    latin = "# -*- coding: latin-1 -*-\r\nimport requests\r\n\r\nrequests.get('https://caf\xe9.example')\r\n"
    (tmp_path / "latin.py").write_bytes(latin.encode("latin-1"))
    (tmp_path / "broken.py").write_text("import requests\nrequests.get(\n")
    proc = cli("check", "--add-noqa", ".", cwd=tmp_path)
    assert proc.returncode == 1  # the file that does not parse stays reported: no comment can fix it
    assert b"broken.py:" in proc.stdout and b"REL001" in proc.stdout
    data = (tmp_path / "latin.py").read_bytes()
    assert data == latin.replace("example')\r\n", "example')  # noqa: REL501\r\n").encode("latin-1")
    assert cli("check", "--add-noqa", "--exit-zero", ".", cwd=tmp_path).returncode == 0


@pytest.mark.slow
def test_flake8_honours_the_added_comments(tmp_path):
    text = 'import requests\nrequests.get("""a\nb""")\nx = requests.get("u") + \\\n    "s"\n'
    (tmp_path / "a.py").write_text(_add(text))
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "REL", "a.py"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout
    (tmp_path / "b.py").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "REL", "b.py"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert proc.stdout.count(b"REL501") == 2


def _tokenize_ranges(text: str) -> dict[int, tuple[int, int]]:
    """flake8's grouping of lines for noqa, from Python's tokenizer: the reference."""
    import io
    import tokenize

    out, first, last = {}, None, None
    for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first = tok.start[0] if first is None else min(first, tok.start[0])
        last = tok.end[0] if last is None else max(last, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            if last > first:
                out.update(dict.fromkeys(range(first, last + 1), (first, last)))
            first = last = None
    return out


TRICKY = [
    "x = 1  # a comment ending in a backslash \\\ny = 2\n",
    's = """a\nb""" + f(\n    2)\ny = a \\\n    + b \\\n    + c\n',
    "s = 'one \\\ntwo'\nt = '''x'''\n",
    'z = f"""x{1}y\n"""\nw = """a""" """b\nc"""\n',  # (3.12 tokenizes a newline inside {} apart)
    'def f():\n    """Doc\n    string."""\n    return requests.get("u")\n',
    'a = 1\r\nb = """x\r\ny"""\r\n',
]


@pytest.mark.parametrize("text", TRICKY + [p.read_text() for p in sorted((ROOT / "rel05_lint").rglob("*.py"))[:12]])
def test_multiline_ranges_match_the_tokenizer(text):
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from rel05_lint.core import noqa
    from rel05_lint.core.source import split_lines

    positions = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True).resolve(PositionProvider)
    assert noqa.multiline_ranges(split_lines(text), positions) == _tokenize_ranges(text)
