"""The pure core: source text in, findings (and fixed text) out.

No file system and no printing here; the CLI runner and the flake8 plugin
are adapters around ``Engine``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from rel05_lint.core import fingerprint, noqa, verify
from rel05_lint.core.config import Settings
from rel05_lint.core.findings import Applicability, Edit, FileResult, Finding, Fix
from rel05_lint.core.fixes import InsertText, Replace
from rel05_lint.core.large_stack import run_deep
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.lazy import libcst_internal, load
from rel05_lint.core.limits import too_large
from rel05_lint.core.positions import node_positions
from rel05_lint.core.prefilter import Facts
from rel05_lint.core.project import ProjectIndex
from rel05_lint.core.rule import Context, Rule
from rel05_lint.core.scope import ScopeTracker
from rel05_lint.core.sites import tally
from rel05_lint.core.source import line_starts, newline_of, offset, python_tree, split_lines
from rel05_lint.core.walker import Dispatch, walk

MAX_FIX_PASSES = 10


class Engine:
    """Rules and their dispatch table, built once per process for one Settings.

    ``rules`` are the rule classes to choose from (``registry.all_rules()``);
    ``codes``, when given, replaces the selection the settings make.
    """

    def __init__(
        self,
        settings: Settings,
        rules: Sequence[type[Rule]],
        codes: frozenset[str] | None = None,
        apply_noqa: bool = True,
        prefilter: bool = True,
        project: ProjectIndex | None = None,
    ):
        self.settings = settings
        # E2: the project's other modules, read as text (None: this file alone).
        self.project = project
        self.prefilter = prefilter  # False only to prove the prefilter sound (tests/test_prefilter.py)
        defaults = {cls.code: cls.default_enabled for cls in rules}
        self.codes = settings.enabled_codes(defaults) if codes is None else codes
        chosen = [cls(settings) for cls in rules if cls.code in self.codes]
        # Rules about noqa comments (REL002) run after the others, on their results.
        self.noqa_rules = [r for r in chosen if r.reads_noqa] if apply_noqa else []
        self.rules = [r for r in chosen if not r.reads_noqa]
        self.dispatch = Dispatch(self.rules)
        self._dispatches: dict[tuple[str, ...], Dispatch] = {}
        self.apply_noqa = apply_noqa
        self.report_tool_errors = "REL001" not in settings.ignore

    # --- checking -------------------------------------------------------
    def check(self, text: str, path: str) -> list[Finding]:
        findings, _ = run_deep(self._lint, text, path, self._active(path))
        return findings

    def survey(self, text: str, path: str) -> tuple[list[Finding], dict[str, tuple[int, int]]]:
        """``check`` plus what the rules inspected, from the same traversal:
        ``{site kind: (sites, compliant)}`` (see ``report.sites``)."""
        counts: dict[str, tuple[int, int]] = {}
        findings, _ = run_deep(self._lint, text, path, self._active(path), counts)
        return findings, counts

    def _active(self, path: str):
        """The rules that run on ``path``: none in a test file unless check-tests
        (edition 2, E1: REL001 is still reported), less its per-file ignores."""
        if self.settings.skips_tests(path):
            return []
        ignored = self.settings.ignored_for(path)
        if not ignored:
            return self.rules
        return [r for r in self.rules if not any(r.code.startswith(sel) or sel == "ALL" for sel in ignored)]

    def _noqa_active(self, path: str):
        if not self.noqa_rules or self.settings.skips_tests(path):
            return []
        ignored = self.settings.ignored_for(path)
        return [r for r in self.noqa_rules if not any(r.code.startswith(sel) or sel == "ALL" for sel in ignored)]

    def _noqa_findings(self, text: str, path: str, rules, used: list[tuple[int, int, str]]) -> list[Finding]:
        """REL002's findings: noqa codes naming a rule that ran here and hid nothing."""
        active = self._noqa_active(path)
        if not active:
            return []
        ran = [r.code for r in rules]

        def checkable(listed: str) -> bool:
            return any(noqa.covers(listed, code) for code in ran)

        lines = split_lines(text)
        out = []
        for rule in active:
            for rep in rule.check_noqa(text, used, checkable):
                out.append(
                    Finding(
                        rule.code,
                        rep.message,
                        path,
                        rep.row,
                        rep.col,
                        rep.row,
                        rep.end_col,
                        rep.fix,
                        noqa_row=rep.row,
                        source_hash=fingerprint.source_hash(lines, rep.row, rep.row),
                    )
                )
        return out

    def _lint(self, text: str, path: str, rules, counts: dict | None = None) -> tuple[list[Finding], bool]:
        """Findings for ``text``; the flag says whether the text parsed.
        ``counts``, when given, receives the inspected sites (``survey``)."""
        # CPython's parser (about a tenth of libcst's cost) checks the syntax
        # first: its messages are clearer, and input it rejects as too deep
        # never reaches libcst's native parser, which can overflow the stack.
        syntax, tree = _syntax_check(text, path)
        project = self.project
        module_name, is_package = project.begin(path, text, tree) if project is not None else ("", False)
        if self.prefilter and tree is not None:
            facts = Facts(text, path, tree)
            relevant = [r for r in rules if r.relevant(facts) or (counts is not None and r.surveys(facts))]
            if project is not None and len(relevant) < len(rules):
                # Findings may come through the index (E2): the prefilter also sees
                # the constructors behind the project names the file imports, as if
                # the file built them itself (running every rule there was far too slow).
                roots, extra = project.reached(module_name, is_package, tree)
                if roots - facts.imports:
                    seen = Facts(f"{text}\n{extra}", path, tree)
                    _ = seen.subscript_keys  # scan first: the scan sets the imports it found
                    seen._imports = facts.imports | roots
                    relevant = [r for r in rules if r.relevant(seen) or (counts is not None and r.surveys(seen))]
        else:
            relevant = list(rules)  # no tree to read imports from: assume any rule can fire
        if syntax is not None and (syntax[2] or not relevant):
            return self._tool_error(path, *syntax[:2], syntax[3]), False
        if not relevant:
            # Sound prefilter: no enabled rule can fire, so no tree is needed.
            return self._noqa_findings(text, path, rules, []) if self.noqa_rules else [], True
        if tree is not None and (why := too_large(tree, text)) is not None:
            return self._tool_error(path, 1, 0, why), False
        load(cst)  # the first file that needs a tree pays for importing libcst
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            if syntax is not None:
                return self._tool_error(path, *syntax[:2], syntax[3]), False
            return self._tool_error(
                path, exc.raw_line, exc.raw_column, f"syntax error: {_one_line(exc.message)}"
            ), False
        except RecursionError:
            return self._tool_error(path, 1, 0, "too deeply nested to parse"), False
        except Exception as exc:  # noqa: BLE001 - the parser must never take the run down
            if syntax is not None:  # CPython's message beats libcst's internal one ("Logic error!")
                return self._tool_error(path, *syntax[:2], syntax[3]), False
            return self._tool_error(path, 1, 0, f"cannot parse: {_one_line(str(exc)) or type(exc).__name__}"), False
        scopes = ScopeTracker(module, text)
        ctx = Context(module, path, self.settings, scopes, newline_of(text), project, module_name, is_package)
        for rule in relevant:
            rule.start(ctx)
        dispatch = self._dispatch_for(relevant)
        try:
            walk(module, dispatch, scopes, ctx.stack)
            for rule in relevant:
                rule.finish()
        except RecursionError:
            return self._tool_error(path, 1, 0, "too deeply nested to analyse"), True
        used: list[tuple[int, int, str]] = []
        findings = self._findings(ctx, text, path, used) if ctx.reports else []
        if self.noqa_rules:
            findings = sorted(findings + self._noqa_findings(text, path, rules, used), key=lambda f: f.sort_key)
        if counts is not None:
            counts.update(tally(ctx.sites, ctx.waived))
        return findings, True

    def _dispatch_for(self, relevant) -> Dispatch:
        """One dispatch table per distinct set of relevant rules, kept for the process."""
        if len(relevant) == len(self.rules):
            return self.dispatch
        key = tuple(r.code for r in relevant)
        table = self._dispatches.get(key)
        if table is None:
            table = self._dispatches[key] = Dispatch(relevant)
        return table

    def _tool_error(self, path: str, row: int, col: int, message: str) -> list[Finding]:
        if not self.report_tool_errors:
            return []
        return [Finding("REL001", message, path, max(row, 1), max(col, 0), max(row, 1), max(col, 0))]

    def _findings(self, ctx: Context, text: str, path: str, used: list | None = None) -> list[Finding]:
        """The reports as findings; those a noqa hides go to ``used`` as (first row, last row, code)."""
        positions, inclusive = node_positions(ctx.module)  # libcst's two providers, in one pass
        lines = split_lines(text)
        # A noqa counts anywhere on a multi-line string or continuation (as in flake8).
        spans = noqa.multiline_ranges(lines, positions)
        out: list[Finding] = []
        seen = set()
        for rep in ctx.reports:
            rng = positions.get(rep.node)
            if rng is None:
                continue  # a node of another module's text (E2): never reported here
            row, col = rng.start.line, rng.start.column
            first, last = spans.get(row, (row, row))
            if self.apply_noqa and noqa.suppressed("".join(lines[first - 1 : last]), rep.code):
                ctx.waived.append(rep.code)  # the review report shows accepted deviations
                if used is not None:
                    used.append((first, last, rep.code))
                continue
            fix = None
            if rep.fix is not None:
                edits = []
                for change in rep.fix.changes:
                    edits.append(_edit(ctx.module, change, inclusive, text))
                fix = Fix(rep.fix.applicability, rep.fix.message, tuple(sorted(set(edits))))
            finding = Finding(
                rep.code,
                one_line_message(rep.message),
                path,
                row,
                col,
                rng.end.line,
                rng.end.column,
                fix,
                noqa_row=last,
                source_hash=fingerprint.source_hash(lines, row, rng.end.line),
            )
            key = (finding.code, row, col, finding.message)
            if key in seen:
                continue
            seen.add(key)
            out.append(finding)
        out.sort(key=lambda f: f.sort_key)
        return out

    # --- fixing ---------------------------------------------------------
    def fix(self, text: str, path: str, unsafe: bool = False) -> FileResult:
        """Apply fixes in passes until none applies; verify each pass before keeping it."""
        return run_deep(self._fix, text, path, unsafe)

    def _fix(self, text: str, path: str, unsafe: bool) -> FileResult:
        rules = self._active(path)
        result = FileResult(path)
        findings, parsed = self._lint(text, path, rules)
        if not parsed:
            result.findings = findings
            return result
        allowed = {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}
        refused: set[tuple] = set()
        current = text
        for _ in range(MAX_FIX_PASSES):
            chosen = _choose(
                [f for f in findings if f.fix and f.fix.applicability in allowed and _key(f) not in refused]
            )
            if not chosen:
                break
            new_text = apply_edits(current, _edits(chosen))
            # Same meaning outside the nodes the fixes target (checked with ast
            # before the costlier libcst lint); refused fixes retry without them.
            bad = verify.refusals(current, new_text, chosen)
            if bad:
                for f, why in bad:
                    refused.add(_key(f))
                    result.refused.append(f"{f.code} at {f.row}:{f.col + 1}: {why}")
                continue
            new_findings, ok = self._lint(new_text, path, rules)
            if not ok:
                for f in chosen:
                    refused.add(_key(f))
                    result.refused.append(f"{f.code} at {f.row}:{f.col + 1}: the fixed file would not parse")
                continue
            stuck = _still_there(chosen, new_findings, current)
            if stuck:
                for f in stuck:
                    refused.add(_key(f))
                    result.refused.append(f"{f.code} at {f.row}:{f.col + 1}: the fix does not remove the finding")
                continue
            result.fixes_applied += len(chosen)
            result.fixed.extend(f.code for f in chosen)
            current, findings, refused = new_text, new_findings, set()
        result.findings = findings
        # A fix refused in one pass is tried again after the next pass moved the text.
        result.refused = list(dict.fromkeys(result.refused))
        if current != text:
            result.fixed_text = current
        return result


def _syntax_check(text: str, path: str) -> tuple[tuple[int, int, bool, str] | None, ast.Module | None]:
    """CPython's tree, or (row, col, fatal, message) if it rejects ``text``; fatal: do not try libcst.

    The tree also feeds the prefilter (the file's imports), so it is kept.
    """
    try:
        return None, python_tree(text)
    except SyntaxError as exc:
        fatal = "too many nested" in (exc.msg or "")
        where = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        return (*where, fatal, f"syntax error: {_one_line(exc.msg or 'invalid syntax')}"), None
    except (RecursionError, MemoryError):
        return (1, 0, True, "too deeply nested to parse"), None
    except ValueError as exc:
        return (1, 0, True, f"cannot parse: {_one_line(str(exc))}"), None


def _one_line(message: str) -> str:
    return " ".join(message.split())


_CODE_SPAN = re.compile(r"`[^`]*`")
_SPAN_LIMIT = 60


def one_line_message(message: str) -> str:
    """A message on one line, as ``path:row:col: CODE message`` and flake8 need.

    Rules quote source in backticks; quoted code that spans lines loses its
    comments, has its whitespace collapsed and is shortened to a readable length.
    """
    if "\n" not in message and "\r" not in message:
        return message
    return _one_line(_CODE_SPAN.sub(_short_span, message))


def _short_span(match: re.Match[str]) -> str:
    code = match.group()[1:-1]
    if "\n" not in code and "\r" not in code:
        return match.group()
    flat = _one_line(" ".join(re.sub(r"#[^\r\n]*", "", line) for line in split_lines(code)))
    flat = re.sub(r",? ?([)\]}])", r"\1", re.sub(r"([(\[{]) ", r"\1", flat))  # "f( a=1, )" -> "f(a=1)"
    if len(flat) > _SPAN_LIMIT:
        flat = flat[: _SPAN_LIMIT - 3].rstrip() + "..."
    return f"`{flat}`"


def _key(f: Finding) -> tuple:
    return (f.code, f.row, f.col, f.message)


def _edit(module: cst.Module, change, inclusive, text: str | None = None) -> Edit:
    if isinstance(change, InsertText):
        if isinstance(change.anchor, cst.Module):
            return Edit(1, 0, 1, 0, change.text)
        rng = inclusive[change.anchor]
        pos = rng.start if change.before else rng.end
        return Edit(pos.line, pos.column, pos.line, pos.column, change.text)
    assert isinstance(change, Replace)
    rng = inclusive[change.old]
    indent = _block_indent(module, change.old, rng, text) if text is not None else ""
    old = _render(module, change.old, indent)
    new = _render(module, change.new, indent)
    # Trim what the old and new text share so the edit is as small as it can be.
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    row, col = _advance(rng.start.line, rng.start.column, old[:start])
    end_row, end_col = _advance(rng.start.line, rng.start.column, old[: len(old) - end])
    return Edit(row, col, end_row, end_col, new[start : len(new) - end])


def _render(module: cst.Module, node: cst.CSTNode, indent: str) -> str:
    state = libcst_internal.CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    if indent:
        state.indent_tokens.append(indent)
    node._codegen(state)
    return "".join(state.tokens)


def _block_indent(module: cst.Module, node: cst.CSTNode, rng, text: str) -> str:
    """The block indentation a detached node needs to render as in the source.

    ``code_for_node`` drops the enclosing block's indentation from multi-line
    parenthesized whitespace (``indent=True``), so a multi-line call inside a
    function would render shorter than its source and every position after the
    first line break would be off. The right indentation is that of the line
    the statement starts on: try the indents of the lines from the node upward.
    """
    plain = module.code_for_node(node)
    if "\n" not in plain and "\r" not in plain:
        return ""  # one line: nothing to indent
    starts = line_starts(text)
    source = text[offset(starts, rng.start.line, rng.start.column) : offset(starts, rng.end.line, rng.end.column)]
    if plain == source:
        return ""
    lines = split_lines(text)
    tried = {""}
    for row in range(min(rng.start.line, len(lines)), 0, -1):
        line = lines[row - 1]
        if not line.strip():
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if indent in tried:
            continue
        tried.add(indent)
        if _render(module, node, indent) == source:
            return indent
    return ""


def _advance(row: int, col: int, piece: str) -> tuple[int, int]:
    lines = split_lines(piece)
    if not lines:
        return row, col
    if lines[-1].endswith(("\n", "\r")):
        return row + len(lines), 0
    if len(lines) == 1:
        return row, col + len(piece)
    return row + len(lines) - 1, len(lines[-1])


def _choose(findings: list[Finding]) -> list[Finding]:
    """Fixes whose edits overlap none already chosen (identical edits are shared)."""
    chosen: list[Finding] = []
    taken: list[Edit] = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        new = [e for e in _edits([f]) if e not in taken]
        if any(_overlap(e, t) for e in new for t in taken):
            continue
        chosen.append(f)
        taken.extend(new)
    return chosen


def _edits(findings: list[Finding]) -> list[Edit]:
    """The edits of fixes chosen to apply (every chosen finding has a fix)."""
    return [e for f in findings if f.fix is not None for e in f.fix.edits]


def _overlap(a: Edit, b: Edit) -> bool:
    a0, a1 = (a.row, a.col), (a.end_row, a.end_col)
    b0, b1 = (b.row, b.col), (b.end_row, b.end_col)
    if a0 == a1 and b0 == b1:
        return a0 == b0  # two insertions at one point: order would be arbitrary
    return (a0 < b1 and b0 < a1) or (a0 == a1 and b0 <= a0 < b1) or (b0 == b1 and a0 <= b0 < a1)


def apply_edits(text: str, edits: list[Edit]) -> str:
    starts = line_starts(text)
    spans = sorted({(offset(starts, e.row, e.col), offset(starts, e.end_row, e.end_col), e.content) for e in edits})
    out = []
    pos = 0
    for begin, end, content in spans:
        out.append(text[pos:begin])
        out.append(content)
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def _still_there(chosen: list[Finding], after: list[Finding], before_text: str) -> list[Finding]:
    """Chosen fixes whose finding is still reported where it moved to."""
    starts = line_starts(before_text)
    edits = sorted(
        {(offset(starts, e.row, e.col), offset(starts, e.end_row, e.end_col), len(e.content)) for e in _edits(chosen)}
    )

    def moved(row: int, col: int) -> int:
        p = offset(starts, row, col)
        shift = 0
        for begin, end, size in edits:
            if end <= p:  # wholly before, or an insertion right at the node
                shift += size - (end - begin)
            elif begin <= p < end:
                return begin + shift
        return p + shift

    remaining = []
    if after:
        new_text = apply_edits(before_text, _edits(chosen))
        new_text_starts = line_starts(new_text)
        where = {(f.code, offset(new_text_starts, f.row, f.col), f.message) for f in after}
        for f in chosen:
            if (f.code, moved(f.row, f.col), f.message) in where:
                remaining.append(f)
    return remaining
