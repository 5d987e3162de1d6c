"""The package's layers point one way: core <- catalog <- analysis <- rules <-
registry <- front ends. A module may import its own layer and the ones below."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rel05_lint"
FRONT_ENDS = ("cli", "runner", "report", "flake8_plugin", "server", "__main__")
RANK = {"core": 0, "catalog": 1, "analysis": 2, "rules": 3, "registry": 4, **{f: 5 for f in FRONT_ENDS}}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "rel05_lint" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.lineno, node.module))
            if node.module == "rel05_lint":  # from rel05_lint import cli, registry
                out += [(node.lineno, f"rel05_lint.{alias.name}") for alias in node.names]
    return out


def test_every_module_has_a_layer():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        top = rel.parts[0]
        assert top == "__init__" or top in RANK, f"{rel}: not in a layer"


def test_no_import_points_up():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        mine = rel.parts[0]
        if mine == "__init__":
            continue
        for line, module in _imports(path):
            theirs = _layer(module)
            if theirs is None or theirs == "__version__":
                continue
            if RANK.get(theirs, -1) > RANK[mine]:
                wrong.append(f"rel05_lint/{rel}.py:{line} ({mine}) imports {module} ({theirs})")
    assert wrong == []


def test_no_rule_imports_another_rule():
    for path in (PACKAGE / "rules").glob("*.py"):
        for line, module in _imports(path):
            assert not module.startswith("rel05_lint.rules."), f"{path.name}:{line} imports {module}"


def test_no_late_imports_of_the_project():
    """Imports inside functions dodge cycles; the layers make them unnecessary (registry's
    discovery of rule modules and the CLI's lazy commands are the reasons to keep one)."""
    allowed = {"registry.py"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rel05_lint"):
                    assert path.name in allowed or "cli" in path.parts, f"{path}:{node.lineno}"
