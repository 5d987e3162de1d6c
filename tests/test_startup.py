"""Startup (issue 18, deliverable 3): libcst is imported only when a file needs
a tree. ``--version``, ``rules``, ``explain`` and a file the prefilter rejects
never import it; the first file that needs parsing does, and module-level
values built from libcst (isinstance tuples, tables, nodes) are in place by then."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT

# Imported by none of these runs: libcst, the report and the server, and the
# standard modules only a pool, a cache or a finding needs.
HEAVY = (
    "libcst",
    "pygls",
    "lsprotocol",
    "rel05_lint.report",
    "rel05_lint.server",
    "multiprocessing",
    "concurrent.futures.process",
    "importlib.metadata",
    "http",
)

PROBE = """
import json, sys
from rel05_lint.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m in HEAVY or m.startswith(tuple(h + '.' for h in HEAVY)))))
"""


def _loaded(tmp_path, *args: str) -> tuple[list[str], str]:
    out = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    lines = out.stdout.strip().splitlines()
    assert lines, out.stderr
    return json.loads(lines[-1]), "\n".join(lines[:-1])


CLEAN = "import os\n\n\ndef here():\n    return os.getcwd()\n"
# Mentions requests, so the prefilter keeps it, but nothing is wrong with it.
KEPT_CLEAN = 'import requests\n\n\ndef fetch():\n    return requests.get("https://example.com", timeout=5)\n'
FINDING = 'import requests\n\n\ndef fetch():\n    return requests.get("https://example.com")\n'


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["--version"], ["rules"], ["rules", "--output-format", "json"], ["explain", "REL501"], ["check", "clean.py"]],
    ids=["version", "rules", "rules-json", "explain", "check-clean"],
)
def test_commands_that_need_no_tree_import_no_libcst(tmp_path, args):
    (tmp_path / "clean.py").write_text(CLEAN)
    loaded, _ = _loaded(tmp_path, *args, *(["--no-cache"] if args[0] == "check" else []))
    assert loaded == []


@pytest.mark.slow
def test_a_file_that_needs_a_tree_loads_libcst_and_is_checked(tmp_path):
    (tmp_path / "kept.py").write_text(KEPT_CLEAN)
    (tmp_path / "bad.py").write_text(FINDING)
    loaded, out = _loaded(tmp_path, "check", "--no-cache", "kept.py", "bad.py")
    assert "libcst" in loaded
    assert "bad.py:5:12: REL501" in out and "kept.py" not in out


@pytest.mark.slow
def test_values_built_from_libcst_are_real_after_the_first_parse(tmp_path):
    """Module-level stand-ins (``lazy.later``) are rebound to the real values,
    so the traversal's isinstance checks read a plain tuple, as before."""
    code = """
import libcst
from rel05_lint.core import lazy, noqa, fixes, walker
assert isinstance(noqa._STRINGS, lazy._Later) and isinstance(noqa.cst, lazy._Deferred)
# isinstance through the stand-in loads libcst first (no caller needs it, but it holds)
assert isinstance(libcst.SimpleString('"a"'), noqa._STRINGS)
assert noqa._STRINGS == (libcst.SimpleString, libcst.FormattedString)
assert noqa.cst is libcst and walker.cst is libcst and lazy.libcst is libcst
assert isinstance(fixes._NO_SPACE, libcst.SimpleWhitespace)
assert lazy.later(lambda: 42) == 42
print("ok")
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert out.stdout.strip() == "ok", out.stderr


def test_no_module_reads_libcst_at_import_time():
    """A ``cst.X`` outside a function (an isinstance tuple, a type alias, a base
    class, a default argument) would import libcst with the module; it belongs
    in ``lazy.later(...)`` or under ``TYPE_CHECKING``."""
    import ast

    found = []
    for path in sorted((ROOT / "rel05_lint").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, path=path) -> None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for part in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                    if part is not None:
                        visit(part)
                return
            if isinstance(node, ast.Lambda):
                return  # lazy.later(lambda: ...): runs once libcst is loaded
            if isinstance(node, ast.AnnAssign):
                if node.value is not None:
                    visit(node.value)
                return
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                return
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n == "libcst" or n.startswith("libcst.") for n in names):
                    found.append(f"{path.name}:{node.lineno} imports libcst")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"cst", "libcst", "libcst_internal", "libcst_metadata"}
            ):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(tree)
    assert found == []
