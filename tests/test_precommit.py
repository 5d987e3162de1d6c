"""Both hooks run for real through `pre-commit try-repo` on a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(PRE_COMMIT).exists() or shutil.which("git") is None, reason="needs pre-commit and git"),
]

BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def _git(*args, cwd):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed copy of this project: try-repo installs the hook from it."""
    repo = tmp_path_factory.mktemp("hookrepo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / "rel05_lint", repo / "rel05_lint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", repo / "rules")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "hook", cwd=repo)
    return repo


@pytest.fixture
def user_repo(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    _git("init", "-q", cwd=tmp_path)
    _git("add", "app.py", cwd=tmp_path)
    return tmp_path


def _try(hook_repo, user_repo, hook, *extra):
    env = {**os.environ, "PRE_COMMIT_HOME": str(hook_repo.parent / "pre-commit-home")}
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(hook_repo), hook, "--all-files", *extra],
        cwd=user_repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_check_hook_fails_on_findings(hook_repo, user_repo):
    proc = _try(hook_repo, user_repo, "rel05-lint")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "app.py:5:12: REL501" in proc.stdout


@pytest.mark.slow
def test_fix_hook_applies_configured_unsafe_fixes(hook_repo, user_repo):
    (user_repo / "pyproject.toml").write_text("[tool.rel05-lint]\nunsafe-fixes = true\n")
    _git("add", "pyproject.toml", cwd=user_repo)
    proc = _try(hook_repo, user_repo, "rel05-lint-fix")
    # pre-commit fails a hook that modified files, so the user re-stages.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (user_repo / "app.py").read_text() == BAD.replace("get(url)", "get(url, timeout=10)")
    again = _try(hook_repo, user_repo, "rel05-lint")
    assert again.returncode == 0, again.stdout + again.stderr


def _run_config(hook_repo, user_repo, hooks_yaml: str):
    """`pre-commit run` with a real .pre-commit-config.yaml pointing at the hook repository."""
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True).stdout
    (user_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev.strip()}\n    hooks:\n{hooks_yaml}"
    )
    _git("add", ".pre-commit-config.yaml", cwd=user_repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(hook_repo.parent / "pre-commit-home")}
    return subprocess.run(
        [PRE_COMMIT, "run", "--all-files"], cwd=user_repo, capture_output=True, text=True, env=env, timeout=900
    )


@pytest.mark.slow
def test_check_hook_with_fix_args_applies_fixes(hook_repo, user_repo):
    """ruff-pre-commit's shape: `args: [--fix]` on the check hook works (safe fixes: REL002 removes an unused code)."""
    (user_repo / "app.py").write_text("import requests\n\nrequests.get('u', timeout=5)  # noqa: REL501\n")
    (user_repo / "rel05-lint.toml").write_text('extend-select = ["REL002"]\n')
    _git("add", "app.py", "rel05-lint.toml", cwd=user_repo)
    proc = _run_config(hook_repo, user_repo, "      - id: rel05-lint\n        args: [--fix]\n")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # files were modified
    assert (user_repo / "app.py").read_text() == "import requests\n\nrequests.get('u', timeout=5)\n"
    again = _run_config(hook_repo, user_repo, "      - id: rel05-lint\n        args: [--fix]\n")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.slow
def test_hooks_follow_ruff_pre_commit_shape():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {"rel05-lint", "rel05-lint-check", "rel05-lint-fix"} <= set(hooks)
    for hook in hooks.values():
        assert hook["entry"].startswith("rel05-lint check") and "--force-exclude" in hook["entry"]
        assert hook["require_serial"] is True and hook["args"] == [] and hook["language"] == "python"
