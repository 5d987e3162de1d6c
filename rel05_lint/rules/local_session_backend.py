"""REL602 local-session-backend. Page: rules/REL602.md"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rel05_lint.core import args
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Rule
from rel05_lint.core.sites import Kind

if TYPE_CHECKING:
    from rel05_lint.core.prefilter import Facts

SESSION_STORE = Kind("session-store", "BP06", "session backend settings", "on a shared store")

DJANGO_FILE_ENGINE = "django.contrib.sessions.backends.file"
DJANGO_CACHE_ENGINE = "django.contrib.sessions.backends.cache"
# Django's default when CACHES is not set: {"default": {"BACKEND": ...LocMemCache}}
LOCAL_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache": "the local-memory cache of each worker process",
    "django.core.cache.backends.filebased.FileBasedCache": "a file cache on this host's disk",
}
FLASK_LOCAL_TYPES = {"filesystem": "files under `SESSION_FILE_DIR` on this host's disk"}
_CONSEQUENCE = (
    "a user whose next request reaches another host or worker, or arrives after a restart or "
    "deploy, has lost the session"
)


class LocalSessionBackend(Rule):
    code = "REL602"
    name = "local-session-backend"
    best_practice = "BP06"
    summary = "Sessions stored on one host (files, local-memory cache) instead of a shared store"
    counts = (SESSION_STORE,)
    survey_words = ("SESSION_ENGINE", "SESSION_TYPE")

    def relevant(self, facts: Facts) -> bool:
        # Names and keywords are written as they are; a subscript key is a
        # string Python evaluates (escapes, implicit concatenation).
        return facts.has("SESSION_ENGINE", "SESSION_TYPE") or "SESSION_TYPE" in facts.subscript_keys

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._setting(target.target, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._setting(node.target, node.value, node)

    def visit_Call(self, node: cst.Call) -> None:
        # app.config.update(SESSION_TYPE="filesystem"), app.config.from_mapping(...)
        func = node.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("update", "from_mapping")
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "config"
        ):
            return
        arg = args.keyword_arg(node, "SESSION_TYPE")
        if arg is not None:
            self._flask(arg.value, arg)

    def _setting(self, target: cst.BaseExpression, value: cst.BaseExpression, stmt: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            if self.ctx.scopes.frame.kind == "function":
                return  # a local variable, not a setting
            if target.value == "SESSION_ENGINE":
                self._django(value, stmt)
            elif target.value == "SESSION_TYPE":
                self._flask(value, stmt)
        elif isinstance(target, cst.Subscript) and _is_config(target.value):
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                if args.string_value(target.slice[0].slice.value) == "SESSION_TYPE":
                    self._flask(value, stmt)

    def _flask(self, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        kind = args.string_value(value)
        if kind is not None:
            self.count(SESSION_STORE, kind not in FLASK_LOCAL_TYPES, node)
        if kind in FLASK_LOCAL_TYPES:
            self.report(
                node,
                f'Flask-Session `SESSION_TYPE = "{kind}"` keeps sessions in {FLASK_LOCAL_TYPES[kind]}: '
                f"{_CONSEQUENCE}; use a shared backend (redis, memcached, sqlalchemy, mongodb, dynamodb)",
            )

    def _django(self, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        engine = args.string_value(value)
        where: str | None
        if engine == DJANGO_FILE_ENGINE:
            where = "files on this host's disk"
        elif engine == DJANGO_CACHE_ENGINE:
            where = self._local_cache()
        else:
            where = None
        if engine is not None:
            self.count(SESSION_STORE, where is None, node)
        if where is None:
            return
        self.report(
            node,
            f"`SESSION_ENGINE` keeps sessions in {where}: {_CONSEQUENCE}; use the `db` or "
            "`cached_db` engine, `signed_cookies`, or point the session cache at a shared cache "
            "(redis, memcached)",
        )

    def _local_cache(self) -> str | None:
        """Where the cache engine would keep sessions, if that is local; None if shared or unknown."""
        scopes = self.ctx.scopes
        scope = scopes.frame
        alias: str | None = "default"
        alias_bindings = scope.bindings.get("SESSION_CACHE_ALIAS")
        if alias_bindings:
            if len(alias_bindings) != 1 or alias_bindings[0].value is None:
                return None
            alias = args.string_value(alias_bindings[0].value)
            if alias is None:
                return None
        caches = scope.bindings.get("CACHES")
        if not caches:
            if scopes.module_scope.has_star_import or alias != "default":
                return None  # CACHES may come from the star import
            return LOCAL_CACHE_BACKENDS["django.core.cache.backends.locmem.LocMemCache"] + " (Django's default CACHES)"
        if len(caches) != 1 or not isinstance(caches[0].value, cst.Dict):
            return None
        entry = _dict_get(caches[0].value, alias) if alias is not None else None
        if not isinstance(entry, cst.Dict):
            return None
        backend = _dict_get(entry, "BACKEND")
        name = args.string_value(backend) if backend is not None else None
        return LOCAL_CACHE_BACKENDS.get(name or "")


def _is_config(expr: cst.BaseExpression) -> bool:
    """``app.config`` or ``self.app.config``: a Flask config mapping by its usual spelling."""
    return isinstance(expr, cst.Attribute) and expr.attr.value == "config"


def _dict_get(node: cst.Dict, key: str) -> cst.BaseExpression | None:
    for el in node.elements:
        if isinstance(el, cst.DictElement) and args.string_value(el.key) == key:
            return el.value
    return None
