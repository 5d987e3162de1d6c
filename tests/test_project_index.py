"""E2: names resolved across a project's modules (fixtures/projects/*, one folder per project).

Each project has its own pyproject; every ``.py`` in it is checked with the
project's settings and the index of its source roots, and its findings must
match its marks, with and without the prefilter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import ROOT, mismatches

from rel05_lint import registry
from rel05_lint.core import config
from rel05_lint.core.project import ProjectIndex, summarise
from rel05_lint.registry import build_engine

PROJECTS = ROOT / "fixtures" / "projects"
FILES = sorted(p for p in PROJECTS.rglob("*.py"))
ALL = frozenset(registry.by_code())


def _project(path: Path) -> Path:
    for parent in path.parents:
        if (parent / "pyproject.toml").exists():
            return parent
    raise AssertionError(path)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PROJECTS)) for p in FILES])
def test_project_findings_match_marks(path):
    settings = config.load(_project(path) / "pyproject.toml")
    text = path.read_text(encoding="utf-8")
    assert mismatches(text, build_engine(settings).check(text, str(path))) == []


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PROJECTS)) for p in FILES])
def test_project_findings_do_not_depend_on_the_prefilter(path):
    settings = config.load(_project(path) / "pyproject.toml")
    text = path.read_text(encoding="utf-8")
    on = build_engine(settings, codes=ALL).check(text, str(path))
    off = build_engine(settings, codes=ALL, prefilter=False).check(text, str(path))
    assert on == off


def test_without_the_index_the_other_modules_are_not_seen():
    # The marks above come through the index: without it the same file has none of them.
    path = PROJECTS / "clients_elsewhere" / "src" / "shop" / "api" / "views.py"
    settings = config.load(_project(path) / "pyproject.toml")
    text = path.read_text(encoding="utf-8")
    assert [f for f in build_engine(settings, project=None).check(text, str(path)) if f.code == "REL501"] == []


def test_a_file_reached_only_through_the_index_is_not_dropped_by_the_prefilter():
    # No catalog name is written here: only the index makes REL501 possible.
    path = PROJECTS / "clients_elsewhere" / "src" / "shop" / "api" / "views.py"
    text = "from shop.net.http import session\n\n\ndef f(u):\n    session.get(u)\n"
    settings = config.load(_project(path) / "pyproject.toml")
    assert [f.code for f in build_engine(settings).check(text, str(path))] == ["REL501"]


def test_summaries_are_plain_data_and_round_trip():
    text = (PROJECTS / "clients_elsewhere" / "src" / "shop" / "net" / "http.py").read_text(encoding="utf-8")
    summary = summarise(text, "shop.net.http")
    assert summary.values["session"].qual == "requests.Session"
    assert summary.functions["make_session"].returns[0].qual == "requests.Session"
    assert summary.functions["maybe_session"].annotation.qual == "requests.Session"
    assert [w.how for w in summary.functions["fetch"].wraps] == ["spread"]
    assert summary.functions["fetch_bounded"].wraps[0].sets == ("timeout",)
    assert summary.attrs["Api"]["session"].qual == "shop.net.http.make_session"
    again = type(summary).from_json(summary.to_json())
    assert again == summary


def test_resolution_stops_after_three_calls_and_on_cycles(tmp_path):
    pkg = tmp_path / "p"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "import requests\n"
        "def f1():\n    return requests.Session()\n"
        "def f2():\n    return f1()\n"
        "def f3():\n    return f2()\n"
        "def f4():\n    return f3()\n"
        "def loop():\n    return loop()\n"
    )
    index = ProjectIndex((str(tmp_path),))
    ctors = {"requests.Session"}
    assert index.returns("p.a.f1", ctors) is not None
    assert index.returns("p.a.f3", ctors) is not None
    assert index.returns("p.a.f4", ctors) is None
    assert index.returns("p.a.loop", ctors) is None


def test_src_setting_names_the_source_roots(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rel05-lint]\nsrc = ["lib"]\n')
    settings = config.load(tmp_path / "pyproject.toml")
    assert settings.source_roots == (str(tmp_path / "lib"),)
    assert config.load(None).source_roots[1].endswith("src")


@pytest.mark.slow
def test_a_changed_module_invalidates_its_dependents_only(tmp_path):
    from helpers import cli

    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "http.py").write_text("import requests\n\nsession = requests.Session()\n")
    (pkg / "views.py").write_text("from app.http import session\n\n\ndef f(u):\n    session.get(u)\n")
    (pkg / "other.py").write_text("import requests\n\n\ndef g(u):\n    requests.get(u)\n")
    cache = tmp_path / "cache"

    def run() -> list[str]:
        proc = cli("check", ".", "--cache-dir", str(cache), cwd=tmp_path)
        return sorted(
            line.split(":")[0].removeprefix("./") for line in proc.stdout.decode().splitlines() if "REL501" in line
        )

    assert run() == ["app/other.py", "app/views.py"]
    assert run() == ["app/other.py", "app/views.py"]  # warm: from the cache
    (pkg / "http.py").write_text("import httpx\n\nsession = httpx.Client()\n")  # bounded by default
    assert run() == ["app/other.py"]  # views.py re-checked through its dependency
    assert list((cache).rglob("summaries/*/*.json"))  # summaries cached with the results


def test_a_package_folder_is_a_root_too_as_django_runs_it(tmp_path):
    # label_studio/core/utils/io.py imported as ``core.utils.io`` from label_studio/data_import.
    site = tmp_path / "site"
    for folder in (site, site / "core", site / "imports"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (site / "core" / "io.py").write_text(
        "import requests\n\n\ndef safe_get(url, **kwargs):\n    return requests.get(url, **kwargs)\n"
    )
    path = site / "imports" / "up.py"
    text = "from core.io import safe_get\n\n\ndef f(u):\n    safe_get(u)\n"
    from rel05_lint.core.config import Settings

    found = build_engine(Settings(root=str(tmp_path / "elsewhere"))).check(text, str(path))
    assert [f.code for f in found] == ["REL501"]
