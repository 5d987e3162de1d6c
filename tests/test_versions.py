"""E9: the versions a project allows, read from its dependency files, change the redis and aiohttp rows.

Each case is a small project in tmp_path: a configuration, one kind of
dependency file, and a module the version decides about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rel05_lint.cli.main import main
from rel05_lint.core import versions
from rel05_lint.core.config import Resolver
from rel05_lint.registry import build_engine

REDIS = "import redis\n\nclient = redis.Redis(host='cache')\n"
AIOHTTP = (
    "import aiohttp\n\n"
    "async def fetch(url):\n"
    "    async with aiohttp.ClientSession() as session:\n"
    "        return await session.get(url, timeout=None)\n"
    "\n"
    "NO_BOUND = aiohttp.ClientTimeout()\n"
)


def _lock(name: str, version: str) -> str:
    return f'version = 1\n\n[[package]]\nname = "{name}"\nversion = "{version}"\n'


def _pipfile(name: str, version: str) -> str:
    return json.dumps({"_meta": {}, "default": {name: {"version": f"=={version}"}}, "develop": {}})


def _project(tmp_path: Path, files: dict[str, str], module: str = REDIS, config: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "rel05-lint.toml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    app = tmp_path / "app.py"
    app.write_text(module, encoding="utf-8")
    return app


def _codes(app: Path) -> list[str]:
    settings = Resolver()(app)
    return [f.code for f in build_engine(settings).check(app.read_text(encoding="utf-8"), str(app))]


REDIS_7 = {
    "requirements.txt": {"requirements.txt": "flask>=2\nredis==7.4.0  # pinned\n"},
    "requirements-prod.txt": {"requirements-prod.txt": "redis[hiredis]>=7,<8 ; python_version >= '3.9'\n"},
    "requirements/base.txt": {"requirements/base.txt": "-r other.txt\nredis~=7.2\n"},
    "[project]": {"pyproject.toml": '[project]\nname = "svc"\ndependencies = ["redis (<8)", "click"]\n'},
    "[tool.poetry]": {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nredis = "^7.2"\n'},
    "poetry table form": {
        "pyproject.toml": '[tool.poetry.dependencies]\nredis = { version = "7.*", extras = ["h"] }\n'
    },
    "poetry.lock": {"poetry.lock": _lock("redis", "7.2.1")},
    "uv.lock": {"uv.lock": _lock("redis", "7.4.0")},
    "pdm.lock": {"pdm.lock": _lock("Redis", "6.4.0")},
    "Pipfile.lock": {"Pipfile.lock": _pipfile("redis", "7.0.1")},
}


@pytest.mark.parametrize("files", REDIS_7.values(), ids=list(REDIS_7))
def test_redis_below_8_in_any_dependency_file_makes_redis_without_socket_timeout_rel501(tmp_path, files):
    assert _codes(_project(tmp_path, files)) == ["REL501"]


REDIS_OPEN = {
    "no file": {},
    "unpinned": {"requirements.txt": "redis\n"},
    "allows 8": {"requirements.txt": "redis>=7\n"},
    "redis 8 pinned": {"requirements.txt": "redis==8.0.1\n"},
    "poetry caret 8": {"pyproject.toml": '[tool.poetry.dependencies]\nredis = "^8.0"\n'},
    "other package below 8": {"requirements.txt": "redis-om<1\nhiredis<3\n"},
}


@pytest.mark.parametrize("files", REDIS_OPEN.values(), ids=list(REDIS_OPEN))
def test_without_every_allowed_version_below_8_the_edition_1_behaviour_stands(tmp_path, files):
    assert _codes(_project(tmp_path, files)) == []


def test_a_lock_file_wins_over_ranges(tmp_path):
    files = {"requirements.txt": "redis<8\n", "uv.lock": _lock("redis", "8.1.0")}
    assert _codes(_project(tmp_path, files)) == []
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["redis>=7"]\n',
        "poetry.lock": _lock("redis", "7.1"),
    }
    assert _codes(_project(tmp_path / "b", files)) == ["REL501"]


def test_target_versions_overrides_the_files(tmp_path):
    files = {"poetry.lock": _lock("redis", "8.0.0")}
    app = _project(tmp_path, files, config='target-versions = { redis = "7.4" }\n')
    assert _codes(app) == ["REL501"]
    app = _project(tmp_path / "b", {"uv.lock": _lock("redis", "7.4.0")}, config='target-versions = { redis = ">=8" }\n')
    assert _codes(app) == []


def test_versions_are_read_next_to_the_configuration_not_next_to_the_file(tmp_path):
    app = _project(tmp_path, {"requirements.txt": "redis<8\n"})
    nested = tmp_path / "pkg" / "mod.py"
    nested.parent.mkdir()
    nested.write_text(REDIS, encoding="utf-8")
    (nested.parent / "requirements.txt").write_text("redis>=8\n", encoding="utf-8")  # not a configuration folder
    assert _codes(app) == ["REL501"]
    assert _codes(nested) == ["REL501"]


AIOHTTP_4 = {
    "lock": {"uv.lock": _lock("aiohttp", "4.0.0a1")},
    "range": {"requirements.txt": "aiohttp>=4.0\n"},
}


@pytest.mark.parametrize("files", AIOHTTP_4.values(), ids=list(AIOHTTP_4))
def test_aiohttp_4_turns_off_the_two_aiohttp_items_of_rel502(tmp_path, files):
    assert _codes(_project(tmp_path, files, AIOHTTP)) == []


@pytest.mark.parametrize("spec", ["aiohttp==3.9.5\n", "aiohttp>=3.8\n", "aiohttp<4\n"])
def test_aiohttp_3_or_open_ranges_keep_them(tmp_path, spec):
    assert _codes(_project(tmp_path, {"requirements.txt": spec}, AIOHTTP)) == ["REL502", "REL502"]


MALFORMED = {
    "poetry.lock": "[[package]\nname = ",
    "uv.lock": "version = = 1",
    "pdm.lock": '[[package]]\nname = "redis"\nversion = "not a version"\n',
    "Pipfile.lock": "{not json",
    "pyproject.toml": "[project\n",
    "requirements.txt": "redis<<8\n",
}


@pytest.mark.parametrize(("name", "text"), MALFORMED.items(), ids=list(MALFORMED))
def test_a_malformed_file_is_one_warning_naming_it_and_the_run_goes_on(tmp_path, name, text, monkeypatch):
    # pyproject.toml broken is the configuration's own problem unless another file configures us.
    app = _project(
        tmp_path, {name: text, "requirements-dev.txt": "redis<8\n"} if name != "requirements.txt" else {name: text}
    )
    found = versions.read(tmp_path)
    assert len(found.warnings) == 1 and name in found.warnings[0]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "app.py"])
    assert result.exit_code in (0, 1), result.output
    assert sum(name in line and "warning" in line for line in result.output.splitlines()) == 1
    # the other files still count; the broken one adds nothing
    expect = ["REL501"] if name != "requirements.txt" else []
    assert _codes(app) == expect


def test_show_settings_and_the_review_report_name_the_versions_and_their_files(tmp_path, monkeypatch):
    _project(tmp_path, {"poetry.lock": _lock("redis", "7.2.1"), "requirements.txt": "aiohttp>=3.9\n"})
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(main, ["check", "--show-settings", "app.py"])
    assert shown.exit_code == 0, shown.output
    assert "redis ==7.2.1 (poetry.lock)" in shown.output
    assert "aiohttp >=3.9 (requirements.txt)" in shown.output
    report = CliRunner().invoke(main, ["report", "app.py"])
    assert "redis ==7.2.1 (poetry.lock)" in report.output
    data = json.loads(CliRunner().invoke(main, ["report", "--format", "json", "app.py"]).output)
    assert "redis ==7.2.1 (poetry.lock)" in data["versions"]


def test_show_settings_says_when_nothing_was_found(tmp_path, monkeypatch):
    _project(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(main, ["check", "--show-settings", "app.py"])
    assert "none found (edition-1 defaults)" in shown.output


def test_target_versions_must_be_versions(tmp_path, monkeypatch):
    _project(tmp_path, {}, config="target-versions = { redis = 7 }\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "app.py"])
    assert result.exit_code == 2 and "target-versions.redis" in result.output


@pytest.mark.parametrize(
    ("spec", "below_8", "from_4"),
    [
        ("<8", True, False),
        ("<=7.4.1", True, False),
        ("<=8", False, False),
        ("==7.*", True, True),
        ("^0.9", True, False),
        ("~=7.2", True, True),
        ("~=8.0.1", False, True),
        (">=4,<5", True, True),
        (">= 3.9 , != 3.10", False, False),
        ("^7.2 || ^8.0", False, True),
        ("", False, False),
    ],
)
def test_specifiers_read_as_intervals(spec, below_8, from_4):
    interval = versions.parse_specifier(spec)
    assert interval is not None
    allowed = versions.Allowed("x", interval.low, interval.high, interval.high_inclusive)
    assert (allowed.all_below(8), allowed.all_from(4)) == (below_8, from_4)


@pytest.mark.parametrize("line", ["-e .", "git+https://x/y.git#egg=redis", "./local", "# redis<8", "--index-url x"])
def test_requirement_lines_that_name_no_version_are_skipped(line):
    assert versions.parse_requirement(line) is None
