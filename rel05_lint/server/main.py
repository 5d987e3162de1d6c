"""The language server: documents in, diagnostics and code actions out.

Positions: the engine counts columns in code points on lines split only at
``\\n``, ``\\r\\n`` and ``\\r`` (Python's rule, and the LSP's); the client counts
in the position encoding it negotiated (UTF-16 unless it offers another), so
every position is converted with the lines the engine saw.

Work that parses runs on a worker thread, so the event loop keeps reading
messages; a change is checked only after ``DEBOUNCE`` seconds without another
change to the same document, and a result for a version the client has
already replaced is dropped.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from rel05_lint import __version__, registry
from rel05_lint.cli.add_noqa import add_to_text
from rel05_lint.core import verify
from rel05_lint.core.config import ConfigError, Settings, find_config, load
from rel05_lint.core.engine import Engine, apply_edits
from rel05_lint.core.findings import Applicability, Edit, Finding
from rel05_lint.core.pages import docs_base, url
from rel05_lint.core.source import split_lines

DEBOUNCE = 0.25  # seconds of quiet before a changed buffer is checked
SOURCE = "rel05-lint"
FIX_ALL = "source.fixAll.rel05-lint"
CONFIG_NAMES = ("pyproject.toml", "rel05-lint.toml", ".rel05-lint.toml")
TOOL_CODE = "REL001"


@dataclass(frozen=True)
class _Config:
    settings: Settings
    error: str | None  # why the configuration could not be used (defaults apply)


class Projects:
    """Settings per configuration file, reread when the file changes; one engine per settings."""

    def __init__(self) -> None:
        self._configs: dict[tuple[str, int, int], _Config] = {}
        self._engines: dict[Settings, Engine] = {}

    def config_for(self, path: str | None) -> _Config:
        start = Path(path).parent if path else Path.cwd()
        try:
            found = find_config(start if start.exists() else Path.cwd())
        except OSError as exc:
            return _Config(Settings(), f"cannot look for a configuration: {exc}")
        if found is None:
            return _Config(Settings(), None)
        try:
            st = found.stat()
        except OSError as exc:
            return _Config(Settings(), f"{found}: cannot read: {exc}")
        key = (str(found), st.st_mtime_ns, st.st_size)  # a changed file is a new key
        cached = self._configs.get(key)
        if cached is None:
            try:
                cached = _Config(load(found), None)
            except ConfigError as exc:
                cached = _Config(Settings(), str(exc))
            self._configs[key] = cached
        return cached

    def engine_for(self, settings: Settings) -> Engine:
        engine = self._engines.get(settings)
        if engine is None:
            engine = self._engines[settings] = registry.build_engine(settings)
        return engine

    def changed(self, paths: list[str]) -> None:
        """Files changed on disk: every engine's project index reads them again."""
        for engine in self._engines.values():
            if engine.project is not None:
                engine.project.forget(paths)

    def forget(self) -> None:
        self._configs.clear()
        self._engines.clear()


class Rel05Server(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.projects = Projects()
        self._pending: dict[str, asyncio.Task[None]] = {}
        # E2: per open document, the other modules its last check resolved through.
        self.depends: dict[str, frozenset[str]] = {}
        # One worker: rules keep per-file state, and one check at a time keeps
        # the editor's machine responsive.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rel05-lsp")

    # --- checking -------------------------------------------------------
    def _path(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        return os.path.abspath(path) if path else None

    def findings(self, uri: str, text: str) -> tuple[list[Finding], Settings]:
        """The findings for a buffer; never raises (a failure is a REL001 finding)."""
        path = self._path(uri)
        config = self.projects.config_for(path)
        shown = path or uri
        try:
            engine = self.projects.engine_for(config.settings)
            found = engine.check(text, shown)
            if engine.project is not None:
                self.depends[uri] = frozenset(engine.project.consulted) - {shown}
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not take the editor's server down
            message = " ".join(f"internal error: {type(exc).__name__}: {exc}".split())
            found = [Finding(TOOL_CODE, message, shown, 1, 0, 1, 0)]
        if config.error is not None:
            found = [Finding(TOOL_CODE, f"configuration not used: {config.error}", shown, 1, 0, 1, 0), *found]
        return found, config.settings

    async def check(self, uri: str) -> None:
        """Check the document as it is now and publish, unless it changed meanwhile."""
        document = self.workspace.get_text_document(uri)
        version, text = document.version, document.source
        loop = asyncio.get_running_loop()
        findings, settings = await loop.run_in_executor(self.worker, self.findings, uri, text)
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # closed, or a newer version is on its way
        lines = split_lines(text)
        codec = document.position_codec
        docs = docs_base(settings.docs_url)
        diagnostics = [diagnostic(f, lines, codec, docs) for f in findings]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def schedule(self, uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds, replacing a check already waiting for it."""
        waiting = self._pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()

        async def later() -> None:
            await asyncio.sleep(delay)
            self._pending.pop(uri, None)
            await self.check(uri)

        self._pending[uri] = asyncio.get_running_loop().create_task(later())

    def recheck_open(self, delay: float = 0.0) -> None:
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, delay)

    def recheck_dependents(self, uris: list[str]) -> None:
        """Modules changed: re-check the open documents resolved through them (E2), only those."""
        paths = [p for p in (self._path(u) for u in uris) if p is not None]
        self.projects.changed(paths)
        changed = set(paths)
        for uri in list(self.workspace.text_documents):
            if uri not in uris and self.depends.get(uri, frozenset()) & changed:
                self.schedule(uri, 0.0)

    # --- code actions ----------------------------------------------------
    def actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        text = document.source
        findings, settings = self.findings(uri, text)
        lines = split_lines(text)
        codec = document.position_codec
        wanted = params.context.only
        out: list[lsp.CodeAction] = []
        if _wants(wanted, lsp.CodeActionKind.QuickFix):
            for f in findings:
                diag = diagnostic(f, lines, codec, docs_base(settings.docs_url))
                if f.code == TOOL_CODE or not _overlaps(diag.range, params.range):
                    continue
                fix = self._fix_action(uri, document.version, text, f, diag, lines, codec)
                if fix is not None:
                    out.append(fix)
                out.append(self._noqa_action(uri, document.version, text, f, diag, lines, codec))
        if _wants(wanted, FIX_ALL):
            fixed = self.fix_all(uri, text, settings)
            if fixed is not None:
                out.append(
                    lsp.CodeAction(
                        title="rel05-lint: fix all" + (" (unsafe fixes too)" if settings.unsafe_fixes else ""),
                        kind=FIX_ALL,
                        edit=_whole(uri, document.version, text, fixed, codec),
                    )
                )
        return out

    def _fix_action(self, uri, version, text, f: Finding, diag, lines, codec) -> lsp.CodeAction | None:
        fix = f.fix
        if fix is None or not fix.edits or fix.applicability is Applicability.DISPLAY_ONLY:
            return None
        new_text = apply_edits(text, list(fix.edits))
        # Offered only when the result means what the message says (as the CLI's fix).
        if verify.refusals(text, new_text, [f]):
            return None
        safe = fix.applicability is Applicability.SAFE
        return lsp.CodeAction(
            title=f"{fix.message} ({f.code}, {'safe' if safe else 'unsafe'} fix)",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diag],
            is_preferred=safe,
            edit=lsp.WorkspaceEdit(
                document_changes=[
                    lsp.TextDocumentEdit(
                        text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                        edits=[text_edit(e, lines, codec) for e in fix.edits],
                    )
                ]
            ),
        )

    def _noqa_action(self, uri, version, text, f: Finding, diag, lines, codec) -> lsp.CodeAction:
        new_text, _ = add_to_text(text, [f])
        return lsp.CodeAction(
            title=f"Disable {f.code} for this line (`# noqa: {f.code}`)",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diag],
            edit=_whole(uri, version, text, new_text, codec),
        )

    def fix_all(self, uri: str, text: str, settings: Settings) -> str | None:
        path = self._path(uri) or uri
        try:
            result = self.projects.engine_for(settings).fix(text, path, unsafe=settings.unsafe_fixes)
        except Exception:  # noqa: BLE001 - no edit rather than a broken server
            return None
        return result.fixed_text


def _wants(only: Sequence[str] | None, kind: str) -> bool:
    """LSP: ``only`` filters by kind prefix (``source`` covers ``source.fixAll.rel05-lint``)."""
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def position(row: int, col: int, lines: list[str], codec: PositionCodec) -> lsp.Position:
    """The engine's (1-based row, 0-based code-point column) in the client's units."""
    line = row - 1
    if line >= len(lines):
        return lsp.Position(line=len(lines), character=0)
    text = lines[line].rstrip("\r\n")
    return lsp.Position(line=line, character=codec.client_num_units(text[:col]))


def diagnostic(f: Finding, lines: list[str], codec: PositionCodec, docs: str | None = None) -> lsp.Diagnostic:
    start = position(f.row, f.col, lines, codec)
    end = position(f.end_row, f.end_col, lines, codec)
    href = url(f.code, docs)  # only a known address (docs-url, [project.urls])
    data: dict[str, Any] = {"code": f.code, "noqa_row": f.noqa_row or f.row}
    if f.fix is not None:
        data["fix"] = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [{"range": _range_dict(e, lines, codec), "newText": e.content} for e in f.fix.edits],
        }
    return lsp.Diagnostic(
        range=lsp.Range(start=start, end=end),
        message=f.message,
        severity=lsp.DiagnosticSeverity.Error if f.code == TOOL_CODE else lsp.DiagnosticSeverity.Warning,
        code=f.code,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source=SOURCE,
        data=data,
    )


def _range_dict(e: Edit, lines: list[str], codec: PositionCodec) -> dict[str, Any]:
    s, t = position(e.row, e.col, lines, codec), position(e.end_row, e.end_col, lines, codec)
    return {"start": {"line": s.line, "character": s.character}, "end": {"line": t.line, "character": t.character}}


def text_edit(e: Edit, lines: list[str], codec: PositionCodec) -> lsp.TextEdit:
    return lsp.TextEdit(
        range=lsp.Range(start=position(e.row, e.col, lines, codec), end=position(e.end_row, e.end_col, lines, codec)),
        new_text=e.content,
    )


def _whole(uri: str, version: int | None, old: str, new: str, codec: PositionCodec) -> lsp.WorkspaceEdit:
    """One edit replacing the changed middle of the document (what two texts do not share)."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    lines = split_lines(old)
    a, b = _offset_position(old, start, lines, codec), _offset_position(old, len(old) - end, lines, codec)
    edit = lsp.TextEdit(range=lsp.Range(start=a, end=b), new_text=new[start : len(new) - end])
    return lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=[edit]
            )
        ]
    )


def _offset_position(text: str, offset: int, lines: list[str], codec: PositionCodec) -> lsp.Position:
    row, seen = 0, 0
    for row, line in enumerate(lines):  # noqa: B007 - the last row is used after the loop
        if seen + len(line) > offset or (seen + len(line) == offset and not line.endswith(("\n", "\r"))):
            break
        seen += len(line)
    else:
        return lsp.Position(line=len(lines), character=0)
    return lsp.Position(line=row, character=codec.client_num_units(lines[row][: offset - seen]))


def build_server() -> Rel05Server:
    server = Rel05Server()

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: Rel05Server, params: lsp.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace
        dynamic = watched is not None and watched.did_change_watched_files is not None
        if dynamic and watched.did_change_watched_files.dynamic_registration:  # type: ignore[union-attr]
            patterns = [lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
            patterns.append(lsp.FileSystemWatcher(glob_pattern="**/*.py"))
            registration = ls.client_register_capability_async(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(
                            id="rel05-lint-watch",
                            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=patterns),
                        )
                    ]
                )
            )
            try:
                await registration
            except Exception as exc:  # noqa: BLE001 - saves still reload the configuration
                ls.window_log_message(
                    lsp.LogMessageParams(type=lsp.MessageType.Warning, message=f"cannot watch files: {exc}")
                )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: Rel05Server, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: Rel05Server, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: Rel05Server, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.endswith(CONFIG_NAMES):
            ls.projects.forget()
            ls.recheck_open()
            return
        # Another module's change can change what an open file resolves to.
        ls.recheck_dependents([uri])

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: Rel05Server, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls._pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.depends.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: Rel05Server, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith(CONFIG_NAMES) for change in params.changes):
            ls.projects.forget()
            ls.recheck_open()
            return
        ls.recheck_dependents([change.uri for change in params.changes])

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def folders(ls: Rel05Server, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        ls.projects.forget()
        ls.recheck_open()

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
    )
    async def code_action(ls: Rel05Server, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(ls.worker, ls.actions, params)

    return server


def serve() -> None:
    """Run the server on standard input and output until the client exits."""
    build_server().start_io()


__all__ = ["Rel05Server", "build_server", "serve"]
