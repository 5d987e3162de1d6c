"""The project index (edition 2, E2): what each module of the project exports,
read from its text with CPython's ``ast`` (never imported, never run).

A module's ``Summary`` is plain data (strings and tuples, JSON-able, so it
can be cached per file content): its module-level imports, module-level
bindings to calls, functions and methods with what they return, forwarding
wrappers, and instance attributes set from calls. It names callees by
qualified name and knows no library: the rules decide, through their
catalogs, which callee is a tracked constructor or a remote call.

``ProjectIndex`` finds a module's file under the source roots, summarises it
once per content and answers the questions ``Context`` asks: what instance a
project name or a project call yields (following at most 3 calls, stopping on
cycles), and which project functions forward a bound. It records which files
each lint consulted, so a result cache can tell what a file depends on.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Container, Iterator
from dataclasses import dataclass, field

MAX_DEPTH = 3  # E2: "within 3 calls", the call at the site counting as the first

_OPTIONAL = frozenset({"Optional", "typing.Optional", "t.Optional"})


@dataclass(frozen=True)
class Value:
    """What an expression yields: the result of calling ``qual`` (``text``: the call's
    source, for its arguments), or an instance of ``qual`` by annotation (``text`` None)."""

    qual: str
    text: str | None = None


@dataclass(frozen=True)
class Wrap:
    """A call inside a function that takes its bound from the function's parameter."""

    callee: str | None  # qualified name of the inner call's function
    owner: Value | None  # or: a method ``method`` called on this value
    method: str | None
    how: str  # "spread" (**param forwarded) | "param" (keyword=param)
    param: str
    position: int | None  # the parameter's position at the wrapper's call (self excluded)
    keyword: str | None  # "param": the inner keyword the parameter is passed as
    given: tuple[str, ...]  # keywords the inner call passes itself
    sets: tuple[str, ...]  # keys the function sets in the spread dict ("*" = unknown)


@dataclass(frozen=True)
class Func:
    returns: tuple[Value, ...] | None  # every return, when each is a call; None otherwise
    annotation: Value | None
    wraps: tuple[Wrap, ...] = ()


@dataclass
class Summary:
    module: str
    imports: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    functions: dict[str, Func] = field(default_factory=dict)  # "f" or "Class.method"
    attrs: dict[str, dict[str, Value]] = field(default_factory=dict)  # class -> self.attr -> value

    @property
    def exports(self) -> bool:
        """Whether anything here can yield an instance or forward a bound."""
        return bool(
            self.values or self.attrs or any(f.returns or f.annotation or f.wraps for f in self.functions.values())
        )

    def to_json(self) -> dict:
        def val(v: Value | None):
            return None if v is None else [v.qual, v.text]

        return {
            "module": self.module,
            "imports": self.imports,
            "values": {k: val(v) for k, v in self.values.items()},
            "functions": {
                k: [
                    None if f.returns is None else [val(v) for v in f.returns],
                    val(f.annotation),
                    [
                        [
                            w.callee,
                            val(w.owner),
                            w.method,
                            w.how,
                            w.param,
                            w.position,
                            w.keyword,
                            list(w.given),
                            list(w.sets),
                        ]
                        for w in f.wraps
                    ],
                ]
                for k, f in self.functions.items()
            },
            "attrs": {c: {a: val(v) for a, v in d.items()} for c, d in self.attrs.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Summary:
        def val(v) -> Value | None:
            return None if v is None else Value(str(v[0]), None if v[1] is None else str(v[1]))

        functions = {}
        for k, (returns, ann, wraps) in data["functions"].items():
            functions[k] = Func(
                None if returns is None else tuple(val(v) for v in returns),  # type: ignore[misc]
                val(ann),
                tuple(Wrap(w[0], val(w[1]), w[2], w[3], w[4], w[5], w[6], tuple(w[7]), tuple(w[8])) for w in wraps),
            )
        return cls(
            data["module"],
            dict(data["imports"]),
            {k: v for k, v in ((k, val(v)) for k, v in data["values"].items()) if v is not None},
            functions,
            {
                c: {a: v for a, v in ((a, val(v)) for a, v in d.items()) if v is not None}
                for c, d in data["attrs"].items()
            },
        )


# --- building a summary -----------------------------------------------------------


def absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """``from .x import y`` in ``module``: the absolute module it names."""
    if not level:
        return name or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if name:
        parts.append(name)
    return ".".join(parts)


class _Builder:
    def __init__(self, module: str, is_package: bool, tree: ast.Module, text: str) -> None:
        self.summary = Summary(module)
        self.module = module
        self.is_package = is_package
        self.text = text
        self.local_defs: set[str] = set()
        self.tree = tree

    def build(self) -> Summary:
        body = list(_flat(self.tree.body))
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.summary.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.partition(".")[0]
                        self.summary.imports[head] = head
            elif isinstance(node, ast.ImportFrom):
                base = absolute(self.module, self.is_package, node.level, node.module)
                for alias in node.names:
                    if alias.name != "*":
                        self.summary.imports[alias.asname or alias.name] = (
                            f"{base}.{alias.name}" if base else alias.name
                        )
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.local_defs.add(node.name)
        assigned: dict[str, int] = {}
        for node in body:
            for name in _assigned_names(node):
                assigned[name] = assigned.get(name, 0) + 1
        for node in body:
            value = _single_value(node)
            if value is not None and assigned.get(value[0]) == 1 and value[0] not in self.local_defs:
                got = self.value(value[1], {})
                if got is None and isinstance(value[1], (ast.Name, ast.Attribute)):
                    same = self.qual(value[1])  # ``again = shared``: the same instance
                    got = Value(same, "<name>") if same is not None else None
                if got is not None:
                    self.summary.values[value[0]] = got
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(node.name, node, None)
            elif isinstance(node, ast.ClassDef):
                for item in _flat(node.body):
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.function(f"{node.name}.{item.name}", item, node.name)
        return self.summary

    # names
    def qual(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = node.id
        if head in self.summary.imports:
            base = self.summary.imports[head]
        elif head in self.local_defs:
            base = f"{self.module}.{head}" if self.module else head
        else:
            return None
        return ".".join([base, *reversed(parts)])

    def value(self, node: ast.expr | None, local: dict[str, ast.expr]) -> Value | None:
        """The call ``node`` is (or a name bound once to one in the function)."""
        for _ in range(3):
            if isinstance(node, ast.Name) and node.id in local:
                node = local[node.id]
            else:
                break
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call):
            return None
        qual = self.qual(node.func)
        if qual is None:
            return None
        return Value(qual, ast.get_source_segment(self.text, node))

    def annotation(self, node: ast.expr | None) -> Value | None:
        """``requests.Session``, ``Optional[...]``, ``X | None`` and string annotations."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except (SyntaxError, ValueError, RecursionError):
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
            return self.annotation(sides[0]) if len(sides) == 1 else None
        if isinstance(node, ast.Subscript):
            outer = self.qual(node.value)
            if outer is not None and (outer.rpartition(".")[2] == "Optional"):
                return self.annotation(node.slice)
            return None
        qual = self.qual(node)
        return Value(qual) if qual is not None else None

    def function(self, key: str, fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None) -> None:
        local = _local_values(fn)
        returns: list[Value] = []
        ok = True
        saw = False
        for node in _own_nodes(fn):
            if isinstance(node, ast.Return):
                saw = True
                got = self.value(node.value, local)
                if got is None:
                    ok = False
                else:
                    returns.append(got)
            elif cls is not None and isinstance(node, (ast.Assign, ast.AnnAssign)):
                target = (
                    node.targets[0]
                    if isinstance(node, ast.Assign) and len(node.targets) == 1
                    else getattr(node, "target", None)
                )
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and fn.args.args
                    and target.value.id == fn.args.args[0].arg
                ):
                    got = self.value(node.value, local)
                    if got is None and isinstance(node, ast.AnnAssign):
                        got = self.annotation(node.annotation)
                    if got is not None:
                        self.summary.attrs.setdefault(cls, {})[target.attr] = got
        wraps = tuple(self.wraps(fn, cls, local))
        ann = self.annotation(fn.returns)
        if (saw and ok) or ann is not None or wraps:
            self.summary.functions[key] = Func(tuple(returns) if saw and ok else None, ann, wraps)

    def wraps(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None, local: dict[str, ast.expr]
    ) -> Iterator[Wrap]:
        args = fn.args
        positional = [*args.posonlyargs, *args.args]
        is_method = cls is not None and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list
        )
        if is_method and positional:
            positional = positional[1:]
        defaults: dict[str, ast.expr | None] = {}
        tail = positional[len(positional) - len(args.defaults) :] if args.defaults else []
        for a in positional:
            defaults[a.arg] = None
        for a, d in zip(tail, args.defaults, strict=False):
            defaults[a.arg] = d
        for a, kd in zip(args.kwonlyargs, args.kw_defaults, strict=False):
            defaults[a.arg] = kd
        open_params = {
            name for name, d in defaults.items() if d is None or (isinstance(d, ast.Constant) and d.value is None)
        }
        positions = {a.arg: i for i, a in enumerate(positional)}
        spread = args.kwarg.arg if args.kwarg is not None else None
        sets = tuple(_sets_keys(fn, spread)) if spread else ()
        for node in _own_nodes(fn):
            if not isinstance(node, ast.Call):
                continue
            given = tuple(k.arg for k in node.keywords if k.arg is not None)
            callee, owner, method = self.callee(node.func, local, cls)
            if callee is None and owner is None:
                continue
            for k in node.keywords:
                if k.arg is None and spread and isinstance(k.value, ast.Name) and k.value.id == spread:
                    yield Wrap(callee, owner, method, "spread", spread, None, None, given, sets)
                elif k.arg is not None and isinstance(k.value, ast.Name) and k.value.id in open_params:
                    yield Wrap(callee, owner, method, "param", k.value.id, positions.get(k.value.id), k.arg, given, ())

    def callee(self, func: ast.expr, local: dict[str, ast.expr], cls: str | None):
        qual = self.qual(func)
        if qual is not None:
            return qual, None, None
        if isinstance(func, ast.Attribute):
            owner_node = func.value
            if isinstance(owner_node, ast.Name):
                if owner_node.id in local:
                    owner = self.value(owner_node, local)
                    return None, owner, func.attr if owner is not None else None
                if owner_node.id in self.summary.values or owner_node.id in self.summary.imports:
                    return None, Value(f"{self.module}.{owner_node.id}", "<name>"), func.attr
            if isinstance(owner_node, ast.Attribute) and isinstance(owner_node.value, ast.Name) and cls is not None:
                if owner_node.value.id == "self":
                    return None, Value(f"{self.module}.{cls}.{owner_node.attr}", "<attr>"), func.attr
        return None, None, None


def _flat(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block, looking into if/try (conditional definitions still define)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _flat(node.body)
            yield from _flat(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _flat(node.body)
            for h in node.handlers:
                yield from _flat(h.body)
            yield from _flat(node.orelse)
            yield from _flat(node.finalbody)


def _assigned_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, ast.Assign):
        for t in node.targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    yield n.id
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        yield node.target.id


def _single_value(node: ast.stmt) -> tuple[str, ast.expr] | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None


def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not of the functions, classes or lambdas nested in it."""
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _local_values(fn: ast.AST) -> dict[str, ast.expr]:
    """Names bound exactly once in the function, to their value."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for node in _own_nodes(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    values[item.optional_vars.id] = item.context_expr
    return {k: v for k, v in values.items() if counts.get(k) == 1}


def _sets_keys(fn: ast.AST, spread: str) -> Iterator[str]:
    """Keys the function writes into its ``**spread`` dict (``*``: some unknown key)."""
    for node in _own_nodes(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == spread:
                    key = t.slice
                    yield key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else "*"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == spread and node.func.attr in ("setdefault", "update"):
                first = node.args[0] if node.args else None
                if node.func.attr == "setdefault" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value
                else:
                    yield "*"
        elif isinstance(node, ast.Name) and node.id == spread and isinstance(node.ctx, ast.Store):
            yield "*"


def summarise(text: str, module: str, is_package: bool = False, tree: ast.Module | None = None) -> Summary:
    """The summary of one module's text (an empty one when it does not parse)."""
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return Summary(module)
    try:
        return _Builder(module, is_package, tree, text).build()
    except RecursionError:
        return Summary(module)


# --- the index --------------------------------------------------------------------


def package_root(path: str) -> str:
    """The folder above the topmost package (``__init__.py`` folders) holding ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


def module_name(path: str, roots: tuple[str, ...]) -> tuple[str, bool]:
    """The dotted module name of ``path`` and whether it is a package's ``__init__``."""
    full = os.path.abspath(path)
    base = package_root(full)
    if not os.path.isfile(os.path.join(os.path.dirname(full), "__init__.py")):
        # Not in a package: a module of the deepest source root that holds it.
        inside = [r for r in roots if full.startswith(r.rstrip(os.sep) + os.sep)]
        if inside:
            base = max(inside, key=len)
    rel = os.path.relpath(full, base)
    parts = rel[: -len(".py")].split(os.sep) if rel.endswith(".py") else rel.split(os.sep)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(p for p in parts if p and p != "."), is_package


def _between(top: str, folder: str) -> list[str]:
    """Folders from just below ``top`` down to ``folder``."""
    out: list[str] = []
    while folder != top and folder.startswith(top.rstrip(os.sep) + os.sep):
        out.append(folder)
        folder = os.path.dirname(folder)
    return list(reversed(out))


@dataclass
class _Entry:
    path: str
    digest: str
    summary: Summary


class ProjectIndex:
    """Summaries of a project's modules, found under its source roots and read on demand."""

    def __init__(self, roots: tuple[str, ...], cache_dir: str | None = None) -> None:
        self.roots = tuple(dict.fromkeys(os.path.abspath(r) for r in roots if os.path.isdir(r)))
        self.cache_dir = cache_dir
        self._files: dict[str, str | None] = {}  # module -> file (None: not in the project)
        self._entries: dict[str, _Entry | None] = {}  # file -> entry
        self._by_text: dict[tuple[str, str, bool], Summary] = {}
        self.consulted: dict[str, str] = {}  # file -> digest, read since the last ``begin``
        self._extra_roots: list[str] = []

    # --- per lint ---
    def begin(self, path: str, text: str | None = None, tree: ast.Module | None = None) -> tuple[str, bool]:
        """Start a lint of ``path``: its package root becomes a root, and (given its
        text) its own summary is the one in the buffer. Returns its module name and
        whether it is a package's ``__init__``."""
        self.consulted = {}
        root = package_root(path)
        # The folders of the file's packages too: a Django project runs with its
        # app folder on sys.path (``from core.utils import x`` inside ``site/core``).
        folder = os.path.dirname(os.path.abspath(path))
        for candidate in (root, *_between(root, folder)):
            if candidate not in self.roots and candidate not in self._extra_roots:
                self._extra_roots.append(candidate)
        module, is_package = module_name(path, self.roots)
        if text is not None:
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            summary = self._summary_for(text, digest, module, is_package, tree)
            full = os.path.abspath(path)
            self._entries[full] = _Entry(full, digest, summary)
            if module:
                self._files[module] = full
        return module, is_package

    def forget(self, paths: list[str]) -> None:
        """Files changed on disk (a long-lived process: the server): read them again when asked."""
        for path in paths:
            self._entries.pop(os.path.abspath(path), None)
        self._files.clear()  # a created or deleted file can change where a module is found

    # --- modules ---
    def _find(self, module: str) -> str | None:
        if module in self._files:
            return self._files[module]
        found = None
        rel = module.replace(".", os.sep)
        for root in (*self.roots, *self._extra_roots):
            for candidate in (os.path.join(root, rel + ".py"), os.path.join(root, rel, "__init__.py")):
                if os.path.isfile(candidate):
                    found = candidate
                    break
            if found:
                break
        self._files[module] = found
        return found

    def summary(self, module: str) -> Summary | None:
        path = self._find(module)
        if path is None:
            return None
        if path in self._entries:
            entry = self._entries[path]
        else:
            entry = self._entries[path] = self._load(path, module)
        if entry is None:
            return None
        self.consulted[entry.path] = entry.digest
        return entry.summary

    def _load(self, path: str, module: str) -> _Entry | None:
        try:
            with open(path, "rb") as fh:
                data = fh.read(4_000_000)
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8", "replace")
        summary = self._summary_for(text, digest, module, path.endswith("__init__.py"), None)
        return _Entry(path, digest, summary)

    def _summary_for(self, text: str, digest: str, module: str, is_package: bool, tree: ast.Module | None) -> Summary:
        key = (digest, module, is_package)
        found = self._by_text.get(key)
        if found is not None:
            return found
        stored = self._read_cached(key)
        if stored is None:
            stored = summarise(text, module, is_package, tree)
            self._write_cached(key, stored)
        self._by_text[key] = stored
        return stored

    # --- the summary cache (next to the result cache) ---
    def _cache_file(self, key: tuple[str, str, bool]) -> str | None:
        if not self.cache_dir:
            return None
        name = hashlib.sha256(f"{_FORMAT}|{key[0]}|{key[1]}|{key[2]}".encode()).hexdigest()
        return os.path.join(self.cache_dir, "summaries", name[:2], name + ".json")

    def _read_cached(self, key) -> Summary | None:
        file = self._cache_file(key)
        if file is None:
            return None
        try:
            with open(file, encoding="utf-8") as fh:
                return Summary.from_json(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None  # missing or damaged: recompute

    def _write_cached(self, key, summary: Summary) -> None:
        file = self._cache_file(key)
        if file is None:
            return
        try:
            os.makedirs(os.path.dirname(file), exist_ok=True)
            tmp = f"{file}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(summary.to_json(), fh)
            os.replace(tmp, file)
        except OSError:
            pass  # a cache that cannot be written only costs time

    # --- names ---
    def split(self, qual: str) -> tuple[Summary, str] | None:
        """The project module a qualified name lives in, and the rest of the name."""
        parts = qual.split(".")
        for i in range(len(parts) - 1, 0, -1):
            summary = self.summary(".".join(parts[:i]))
            if summary is not None:
                return summary, ".".join(parts[i:])
        return None

    def relative(self, module: str, is_package: bool, qual: str) -> str:
        """A qualified name as the scope pass writes relative imports (``..x.y``), made absolute."""
        level = len(qual) - len(qual.lstrip("."))
        if not level:
            return qual
        return absolute(module, is_package, level, qual[level:] or None)

    def values(
        self, qual: str, constructors: Container[str], depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> Value | None:
        """The constructor call a project name is bound to (a module-level instance, an
        import of one, or a class attribute set from one), within ``MAX_DEPTH``."""
        if depth >= MAX_DEPTH or qual in seen:
            return None
        seen = seen | {qual}
        found = self.split(qual)
        if found is None:
            return None
        summary, rest = found
        head, _, tail = rest.partition(".")
        if not tail:
            value = summary.values.get(rest)
            if value is not None:
                return self.result(value, constructors, depth + 1, seen)
            imported = summary.imports.get(rest)
            if imported is not None:
                return self.values(imported, constructors, depth + 1, seen)
            return None
        attr = summary.attrs.get(head, {}).get(tail)
        if attr is not None:
            return self.result(attr, constructors, depth + 1, seen)
        if head in summary.imports:
            return self.values(f"{summary.imports[head]}.{tail}", constructors, depth + 1, seen)
        return None

    def result(
        self, value: Value, constructors: Container[str], depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> Value | None:
        """``value`` as a tracked instance: its callee is a constructor, or a factory's."""
        if value.qual in constructors:
            return value
        if value.text is None or value.text.startswith("<"):
            return self.values(value.qual, constructors, depth, seen) if value.text else None
        return self.returns(value.qual, constructors, depth, seen)

    def returns(
        self, qual: str, constructors: Container[str], depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> Value | None:
        """What calling the project function ``qual`` returns, when it is a tracked instance."""
        if qual in constructors:
            return Value(qual, None)
        if depth >= MAX_DEPTH or qual in seen:
            return None
        seen = seen | {qual}
        func = self.function(qual)
        if func is None:
            return None
        if func.returns:
            got = [self.result(v, constructors, depth + 1, seen) for v in func.returns]
            if all(g is not None for g in got):
                return got[0]
        if func.annotation is not None and func.annotation.qual in constructors:
            return func.annotation
        return None

    def function(self, qual: str, depth: int = 0) -> Func | None:
        found = self.split(qual)
        if found is None or depth > MAX_DEPTH:
            return None
        summary, rest = found
        func = summary.functions.get(rest)
        if func is not None:
            return func
        head, _, tail = rest.partition(".")
        imported = summary.imports.get(head)
        if imported is not None:
            return self.function(f"{imported}.{tail}" if tail else imported, depth + 1)
        return None

    def reached(self, module: str, is_package: bool, tree: ast.Module) -> tuple[frozenset[str], str]:
        """What the file can receive through the index, for the prefilter: the top-level
        packages of the constructors behind the project names it imports (followed
        through project modules up to MAX_DEPTH), and their calls' source text."""
        roots: set[str] = set()
        texts: list[str] = []
        seen: set[str] = set()

        def take(summary: Summary, depth: int) -> None:
            if summary.module in seen or depth > MAX_DEPTH:
                return
            seen.add(summary.module)
            values: list[Value] = list(summary.values.values())
            for attrs in summary.attrs.values():
                values.extend(attrs.values())
            for f in summary.functions.values():
                values.extend(f.returns or ())
                if f.annotation is not None:
                    values.append(f.annotation)
                for w in f.wraps:
                    if w.owner is not None:
                        values.append(w.owner)
                    if w.callee:
                        values.append(Value(w.callee, w.method))
            for v in values:
                roots.add(v.qual.partition(".")[0])
                texts.append(f"{v.qual}({v.text or ''})")
                parts = v.qual.split(".")
                for i in range(len(parts) - 1, 0, -1):  # a project factory: follow it
                    inner = self.summary(".".join(parts[:i]))
                    if inner is not None:
                        take(inner, depth + 1)
                        break

        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = absolute(module, is_package, node.level, node.module)
                names = [f"{base}.{a.name}" for a in node.names] + [base]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                for i in range(len(parts), 0, -1):
                    summary = self.summary(".".join(parts[:i]))
                    if summary is not None:
                        if summary.exports:
                            take(summary, 0)
                        break
        return frozenset(roots), "\n".join(texts)


_FORMAT = 1  # bump when the summary layout changes
