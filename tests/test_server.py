"""`rel05-lint server` driven by a real LSP client (pytest-lsp) over its stdio:
initialize, open, diagnostics, code actions, apply, change, fix-all, shutdown."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

MISSING = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    (root / "pyproject.toml").write_text("[tool.rel05-lint]\nunsafe-fixes = true\n")
    (root / "app.py").write_text(MISSING)
    return root


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "rel05_lint", "server"],
        server_env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
    ),
)
async def client(lsp_client: LanguageClient, project: Path):
    registered: list[lsp.RegistrationParams] = []

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:  # as editors do: accept it
        registered.append(params)

    lsp_client.registered = registered  # type: ignore[attr-defined]
    lsp_client.diagnostics = _Counting(lsp_client.diagnostics)
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=project.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=project.as_uri(), name="proj")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> list[lsp.Diagnostic]:
    uri = path.as_uri()
    before = _count(client, uri)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    await _published(client, uri, before)
    return client.diagnostics[uri]


class _Counting(dict):
    """The client's store of published diagnostics, counting publications per document."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.published: dict[str, int] = {}

    def __setitem__(self, uri: str, value: object) -> None:
        self.published[uri] = self.published.get(uri, 0) + 1
        super().__setitem__(uri, value)


def _count(client: LanguageClient, uri: str) -> int:
    return client.diagnostics.published.get(uri, 0)  # type: ignore[attr-defined]


async def _published(client: LanguageClient, uri: str, before: int, timeout: float = 30) -> None:
    """Wait until the server publishes for ``uri`` again (``before``: the count when the
    request was sent, so a publication that arrives early is not missed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while _count(client, uri) == before:
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics published for {uri} in {timeout} s")
        await asyncio.sleep(0.02)


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP edits (all ASCII here, so UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(p: lsp.Position) -> int:
        return starts[min(p.line, len(lines))] + p.character

    for e in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def test_diagnostics_on_open(client: LanguageClient, project: Path):
    diags = await _open(client, project / "app.py", MISSING)
    assert [d.code for d in diags] == ["REL501"]
    d = diags[0]
    assert (d.range.start.line, d.range.start.character) == (4, 11)
    assert d.severity == lsp.DiagnosticSeverity.Warning and d.source == "rel05-lint"
    assert "no timeout" in d.message
    assert d.data["fix"]["applicability"] == "unsafe"
    assert d.data["fix"]["edits"][0]["newText"] == ", timeout=10"


async def test_code_actions_fix_and_noqa_then_change(client: LanguageClient, project: Path):
    uri = (project / "app.py").as_uri()
    diag = client.diagnostics[uri][0]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    titles = [a.title for a in actions]
    assert any("timeout=10" in t and "unsafe fix" in t for t in titles), titles
    assert any("noqa: REL501" in t for t in titles), titles
    assert any(a.kind == "source.fixAll.rel05-lint" for a in actions), titles
    fix = next(a for a in actions if "unsafe fix" in a.title)
    (change,) = fix.edit.document_changes
    fixed = _apply(MISSING, change.edits)
    assert "requests.get(url, timeout=10)" in fixed
    noqa = next(a for a in actions if "noqa" in a.title)
    (change,) = noqa.edit.document_changes
    assert "requests.get(url)  # noqa: REL501" in _apply(MISSING, change.edits)
    # The client applies the fix: a change, then (after the debounce) no diagnostics.
    before = _count(client, uri)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await _published(client, uri, before)
    assert list(client.diagnostics[uri]) == []


async def test_fix_all_applies_unsafe_fixes_when_the_project_allows(client: LanguageClient, project: Path):
    path = project / "two.py"
    text = "import requests\nrequests.get('a')\nrequests.post('b')\n"
    diags = await _open(client, path, text)
    assert len(diags) == 2
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
            range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
            context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.rel05-lint"]
    (change,) = actions[0].edit.document_changes
    fixed = _apply(text, change.edits)
    assert fixed == "import requests\nrequests.get('a', timeout=10)\nrequests.post('b', timeout=10)\n"


async def test_a_broken_buffer_is_one_rel001_diagnostic(client: LanguageClient, project: Path):
    diags = await _open(client, project / "broken.py", "def f(:\n    pass\n")
    assert [d.code for d in diags] == ["REL001"]
    assert diags[0].severity == lsp.DiagnosticSeverity.Error
    # The server is still alive and answers.
    diags = await _open(client, project / "ok.py", "x = 1\n")
    assert list(diags) == []


async def test_positions_count_utf16_units(client: LanguageClient, project: Path):
    text = 'import requests\nx = "😋"; requests.get(u)\n'
    (diag,) = await _open(client, project / "emoji.py", text)
    # `requests` starts after 9 code points, 10 UTF-16 units (the emoji takes two).
    assert diag.range.start == lsp.Position(line=1, character=10)


async def test_config_files_are_watched(client: LanguageClient):
    (params,) = client.registered  # type: ignore[attr-defined]
    (reg,) = params.registrations
    assert reg.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = {w["globPattern"] for w in reg.register_options["watchers"]}
    assert {"**/pyproject.toml", "**/rel05-lint.toml", "**/.rel05-lint.toml"} <= globs


async def test_configuration_follows_the_file_and_reloads(client: LanguageClient, project: Path):
    sub = project / "svc"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL5"]\n')
    diags = await _open(client, sub / "quiet.py", MISSING)
    assert list(diags) == []
    (sub / "pyproject.toml").write_text('[tool.rel05-lint]\nignore = ["REL3"]\n')
    before = _count(client, (sub / "quiet.py").as_uri())
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=(sub / "pyproject.toml").as_uri(), type=lsp.FileChangeType.Changed)]
        )
    )
    await _published(client, (sub / "quiet.py").as_uri(), before)
    assert [d.code for d in client.diagnostics[(sub / "quiet.py").as_uri()]] == ["REL501"]


async def test_quick_changes_are_checked_once_at_the_last_version(client: LanguageClient, project: Path):
    path = project / "typing.py"
    uri = path.as_uri()
    await _open(client, path, "x = 1\n")

    async def first_for_uri() -> lsp.PublishDiagnosticsParams:
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri:
                return params

    waiter = asyncio.ensure_future(first_for_uri())
    await asyncio.sleep(0)  # the waiter is listening before anything is sent
    for version in range(2, 7):  # typing: five changes inside the debounce window
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    lsp.TextDocumentContentChangeWholeDocument(text=MISSING if version == 6 else "x = 1\n")
                ],
            )
        )

    params = await asyncio.wait_for(waiter, 30)
    assert params.version == 6
    assert [d.code for d in params.diagnostics] == ["REL501"]


async def test_saving_another_module_rechecks_open_files(client: LanguageClient, project: Path):
    # E2: user.py's finding comes through net.py; saving net.py re-checks user.py
    # (it depends on it) and not app.py (it does not).
    (project / "net.py").write_text("import requests\n\nsession = requests.Session()\n")
    user = project / "user.py"
    text = "from net import session\n\n\ndef f(u):\n    session.get(u)\n"
    assert [d.code for d in await _open(client, user, text)] == ["REL501"]
    app = (project / "app.py").as_uri()
    before_app, before_user = _count(client, app), _count(client, user.as_uri())
    (project / "net.py").write_text("import httpx\n\nsession = httpx.Client()\n")  # bounded by default
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=(project / "net.py").as_uri()))
    )
    await _published(client, user.as_uri(), before_user)
    assert list(client.diagnostics[user.as_uri()]) == []
    await asyncio.sleep(0.5)
    assert _count(client, app) == before_app
