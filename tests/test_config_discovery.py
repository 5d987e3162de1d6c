"""Configuration: the nearest file for each file, ruff's precedence, messages that name key, line and file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cli

from rel05_lint.core import config
from rel05_lint.core.config import ConfigError, Resolver, Settings, load

MISSING = "import requests\n\nrequests.get('https://example.com')\n"
RETRY = "from tenacity import retry\n\n\n@retry\ndef forever():\n    pass\n"


def test_dedicated_files_win_over_pyproject_in_ruffs_order(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL3"]\n')
    assert config.find_config(tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / "rel05-lint.toml").write_text('ignore = ["REL4"]\n')
    assert config.find_config(tmp_path) == tmp_path / "rel05-lint.toml"
    (tmp_path / ".rel05-lint.toml").write_text('ignore = ["REL5"]\n')
    assert config.find_config(tmp_path / "a.py") == tmp_path / ".rel05-lint.toml"
    assert load(tmp_path / ".rel05-lint.toml").ignore == ("REL5",)


def test_pyproject_without_our_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL3"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert config.find_config(tmp_path / "sub") == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "[tool.rel05-lint]\nselect = ['REL5']\nmax-timout = 5\n",
            ["pyproject.toml:3:", "unknown key `max-timout`", "did you mean `max-timeout`?"],
        ),
        ("[tool.rel05-lint]\ncheck-test = true\n", ["pyproject.toml:2:", "did you mean `check-tests`?"]),
        (
            "[tool.rel05-lint]\nselect = " + "[" * 60000 + "]" * 60000 + "\n",
            ["pyproject.toml:2:", "`select` is nested too deeply"],
        ),
        (
            "[tool.rel05-lint]\nmax-attempts = " + "[" * 150 + "]" * 150 + "\n",
            ["`max-attempts` must be a positive whole number, got a list"],
        ),
        ("[tool.rel05-lint]\ndefault-timeout = inf\n", ["`default-timeout` must be a positive number"]),
        ("[tool.rel05-lint]\ndefault-timeout = 'settings.None'\n", ["dotted name"]),
    ],
)
def test_configuration_errors_name_file_line_and_key(tmp_path, text, words):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        Resolver()(str(tmp_path / "a.py"))
    for word in words:
        assert word in str(info.value)


def test_a_pyproject_that_is_not_utf8_is_an_error_not_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_bytes(b'[tool.rel05-lint]\n# caf\xe9\nignore = ["REL3"]\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        Resolver()(str(tmp_path / "sub" / "a.py"))


def test_top_level_keys_for_other_file_names(tmp_path):
    path = tmp_path / "ci.toml"
    path.write_text('extend-select = ["REL503"]\ntest-paths = ["qa/**"]\n')
    settings = load(path)
    assert settings.extend_select == ("REL503",) and settings.test_paths == ("qa/**",)
    path.write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')  # a pyproject-shaped file under another name
    assert load(path).ignore == ("REL5",)


def test_resolver_reads_each_configuration_once(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "rel05-lint.toml").write_text('ignore = ["REL3"]\n')
    loads = []
    real = config.load
    monkeypatch.setattr(config, "load", lambda path: loads.append(path) or real(path))
    resolver = Resolver()
    paths = [
        tmp_path / "a.py",
        tmp_path / "b.py",
        tmp_path / "svc" / "c.py",
        tmp_path / "svc" / "d.py",
        tmp_path / "e.py",
    ]
    got = [resolver(str(p)).ignore for p in paths]
    assert got == [("REL5",), ("REL5",), ("REL3",), ("REL3",), ("REL5",)]
    assert sorted(loads) == sorted([tmp_path / "pyproject.toml", tmp_path / "svc" / "rel05-lint.toml"])


def test_runner_builds_one_engine_per_configuration(tmp_path, monkeypatch):
    from rel05_lint import runner

    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "rel05-lint.toml").write_text('ignore = ["REL3"]\n')
    files = []
    for name in ("a.py", "b.py", "svc/c.py", "svc/d.py"):
        (tmp_path / name).write_text(MISSING + "\n" + RETRY)
        files.append(str(tmp_path / name))
    built = []
    real = runner.build_engine
    monkeypatch.setattr(runner, "build_engine", lambda s, **kw: built.append(s) or real(s, **kw))
    result = runner.run(files, Resolver(), runner.Job("check"), jobs=1)
    assert len(built) == 2
    codes = {(Path(f.path).name, f.code) for f in result.findings}
    assert ("a.py", "REL501") not in codes and ("c.py", "REL501") in codes
    assert ("a.py", "REL301") in codes and ("c.py", "REL301") not in codes


def test_settings_are_hashable_and_group_by_value():
    from rel05_lint.runner import group

    same = [Settings(ignore=("REL5",)), Settings(ignore=("REL5",)), Settings()]
    configs, which = group(["a", "b", "c"], lambda p: same["abc".index(p)])
    assert len(configs) == 2 and which == {"a": 0, "b": 0, "c": 1}


@pytest.mark.slow
def test_cli_config_errors_exit_2_with_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n\nmax-timout = 5\n")
    (tmp_path / "a.py").write_text(MISSING)
    proc = cli("check", "a.py", cwd=tmp_path)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert (
        b"pyproject.toml:3: unknown key `max-timout` in [tool.rel05-lint]; did you mean `max-timeout`?" in proc.stderr
    )


@pytest.mark.slow
def test_cli_deep_nesting_and_non_utf8(tmp_path):
    (tmp_path / "a.py").write_text(MISSING)
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\nignore = " + "[" * 60000 + "]" * 60000 + "\n")
    deep = cli("check", "a.py", cwd=tmp_path)
    assert deep.returncode == 2 and b"RecursionError" not in deep.stderr
    assert b"`ignore` is nested too deeply" in deep.stderr and b"pyproject.toml:2" in deep.stderr
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.rel05-lint]\n# \xff\n")
    bad = cli("check", "a.py", cwd=tmp_path)
    assert bad.returncode == 2 and b"not UTF-8" in bad.stderr
