"""What the rules count while they check: site kinds, who counts them, and the
per-best-practice definitions the review report prints.

A rule calls ``Rule.count(kind, ok, node)`` from its visit methods (no second
traversal). The engine folds one file's records into plain counts with
``tally``: ``{kind: (sites, compliant)}``. The engine and the rules import
this module, so it imports project modules only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- site kinds (the strings rules pass to Rule.count) ------------------------
HANDLER_CALL = "handler-call"  # REL102: a remote call made in a request handler's own body
BREAKER = "breaker"  # REL101: a circuit breaker (circuitbreaker) or a call through one (pybreaker)
FAN_OUT = "fan-out"  # REL201: tasks started per input item
RETRY_BOUNDED = "retry.bounded"  # REL301: every retry site
RETRY_JITTER = "retry.jitter"  # REL302: retry sites whose delay grows
RETRY_BACKOFF = "retry.backoff"  # REL303: retry sites whose wait can be read
RETRY_JUDGED = "retry.judged"  # REL303: every retry site: can its wait be read at all?
RETRY = "retry"  # combined per site from the three aspects above (never counted directly)
RETRY_FILTER = "retry-filter"  # REL304 (off by default): what a retry catches
RETRY_CALL = "retry-call"  # REL305: a call from a retry into a function of the same module
QUEUE = "queue"  # REL401: a queue or memory channel constructor
QUEUE_PUT = "queue-put"  # REL402 (off): put() on a bounded queue
TIMEOUT_CALL = "timeout-call"  # REL501 (no default timeout) and REL502 (a bounded default)
TIMEOUT_EXPLICIT = "timeout-explicit"  # the same calls: is a timeout written at all?
LOCAL_WAIT = "local-wait"  # REL503 (off): subprocess, future and open_connection waits
TIMEOUT_VALUE = "timeout-value"  # REL504 (off): literal timeouts and aiohttp session defaults
HANDLER = "handler"  # REL601: a request handler
SESSION_STORE = "session-store"  # REL602: a Django/Flask session backend setting

# Noqa-hidden findings travel in the same plain dict under this prefix:
# {"noqa:REL501": (2, 0)} means two REL501 findings were waived in the file.
WAIVED = "noqa:"


@dataclass(frozen=True)
class Kind:
    best_practice: str
    what: str  # "remote calls and clients"
    ok: str  # "bounded"
    rules: tuple[str, ...]  # the rules that count this kind


KINDS: dict[str, Kind] = {
    HANDLER_CALL: Kind("BP01", "remote calls in request handlers", "inside a try that catches their errors", ("REL102",)),
    BREAKER: Kind("BP01", "circuit breakers and calls through them", "with a fallback", ("REL101",)),
    FAN_OUT: Kind("BP02", "fan-out sites (a task per input item)", "throttled", ("REL201",)),
    RETRY: Kind("BP03", "retry sites", "bounded, backed off and jittered", ("REL301", "REL302", "REL303")),
    RETRY_BOUNDED: Kind("BP03", "retry sites", "bounded", ("REL301",)),
    RETRY_JUDGED: Kind(
        "BP03", "retry sites", "with a wait a static check can read (a custom wait, or no retries configured, is not)", ("REL303",)
    ),
    RETRY_BACKOFF: Kind("BP03", "retry sites with a readable wait", "backed off (the delay grows)", ("REL303",)),
    RETRY_JITTER: Kind("BP03", "backed-off retry sites", "jittered", ("REL302",)),
    RETRY_FILTER: Kind("BP03", "retry sites", "retrying only chosen errors", ("REL304",)),
    RETRY_CALL: Kind("BP03", "calls from a retry into this module's functions", "not retried again inside", ("REL305",)),
    QUEUE: Kind("BP04", "queues and memory channels", "bounded", ("REL401",)),
    QUEUE_PUT: Kind("BP04", "puts on bounded queues", "with a timeout", ("REL402",)),
    TIMEOUT_CALL: Kind("BP05", "remote calls and clients", "bounded", ("REL501", "REL502")),
    TIMEOUT_EXPLICIT: Kind("BP05", "remote calls and clients", "with an explicit timeout", ("REL501", "REL502")),
    LOCAL_WAIT: Kind("BP05", "subprocess, future and connection waits", "with a deadline", ("REL503",)),
    TIMEOUT_VALUE: Kind("BP05", "timeout values", "within max-timeout", ("REL504",)),
    HANDLER: Kind("BP06", "request handlers", "without in-process writes", ("REL601",)),
    SESSION_STORE: Kind("BP06", "session backend settings", "on a shared store", ("REL602",)),
}

# Aspects of one site counted by different rules, combined per site: a retry
# complies when every aspect measured for it complies.
COMBINED: dict[str, tuple[str, ...]] = {RETRY: (RETRY_BOUNDED, RETRY_BACKOFF, RETRY_JITTER)}
# A site whose gate says "cannot judge" stays out of the combined figure
# unless an aspect already fails: a retry with a custom wait (or an
# HTTPAdapter left at zero retries) is neither compliant nor not.
GATES: dict[str, str] = {RETRY: RETRY_JUDGED}


@dataclass(frozen=True)
class Practice:
    code: str  # "BP05"
    title: str
    headline: tuple[str, ...]  # kinds summed into the headline share
    details: tuple[str, ...]  # kinds shown under it (a one-kind headline is not repeated)
    definition: str  # what "compliant" means, printed in every report's footer
    unseen: tuple[str, ...]  # questions no static check answers
    what: str = ""  # headline wording when it sums several kinds (else the kind's own)
    ok: str = ""


PRACTICES: tuple[Practice, ...] = (
    Practice(
        "BP01",
        "graceful degradation",
        (HANDLER_CALL, BREAKER),
        (HANDLER_CALL, BREAKER),
        "remote calls made in a request handler's own body that sit in a `try` catching the library's "
        "errors, plus circuit breakers that have a fallback (circuitbreaker `fallback_function`, or "
        "the pybreaker/aiobreaker open error caught at the call)",
        (
            "For each hard dependency, what does the user get when it is down: cached data, a partial page, a clear 503?",
            "Are the degraded answers exercised (chaos test, game day), or only written?",
        ),
        what="handler remote calls and circuit breakers",
        ok="with a fallback",
    ),
    Practice(
        "BP02",
        "throttle requests",
        (FAN_OUT,),
        (),
        "fan-out sites (`create_task`/`ensure_future`/`start_soon` in a loop over a non-constant input, "
        "`gather(*items)`) in a module that creates a semaphore or capacity limiter",
        (
            "Does every public endpoint have a server-side rate limit or quota (API gateway, load balancer, middleware)?",
            "When the limit is hit, do clients get 429 with Retry-After, and do they honour it?",
            "Is there load shedding: does the service reject work it cannot finish in time (queue age, concurrency limit)?",
        ),
    ),
    Practice(
        "BP03",
        "control and limit retry calls",
        (RETRY,),
        (RETRY_BOUNDED, RETRY_JUDGED, RETRY_BACKOFF, RETRY_JITTER, RETRY_FILTER, RETRY_CALL),
        "retry sites (tenacity, backoff, retrying, retry, stamina, urllib3 `Retry`, requests `HTTPAdapter`, "
        "google-api-core, Celery, hand-written retry loops) that are bounded AND back off AND jitter (jitter "
        "is asked only of a growing delay); a site whose wait cannot be read (a custom wait, no retries "
        "configured) is left out unless it is unbounded",
        ("Is there a retry budget across the fleet, so retries cannot multiply load during an outage?",),
    ),
    Practice(
        "BP04",
        "fail fast and limit queues",
        (QUEUE,),
        (QUEUE_PUT,),
        "queue and memory-channel constructors given a finite bound",
        ("Do the message-broker queues (SQS, RabbitMQ, Kafka consumers) have a depth or age limit and a dead-letter queue?",),
    ),
    Practice(
        "BP05",
        "set client timeouts",
        (TIMEOUT_CALL,),
        (TIMEOUT_EXPLICIT, LOCAL_WAIT, TIMEOUT_VALUE),
        "catalogued remote calls and clients (requests, urllib, http.client, sockets, smtplib/ftplib/imaplib/"
        "poplib, psycopg2, PyMySQL, gRPC stubs, extra-timeout-calls: REL501; urllib3, httpx, redis, aiohttp: "
        "REL502) whose timeout is set to a value other than None, or, for a library with a bounded default, "
        "left at that default",
        ("Are the timeouts shorter than the callers' own deadlines, end to end?",),
    ),
    Practice(
        "BP06",
        "stateless services",
        (HANDLER,),
        (SESSION_STORE,),
        "request handlers whose own body writes no module-level container or global",
        ("Is anything else kept on the host: uploaded files, caches that must agree, sticky sessions at the load balancer?",),
    ),
    Practice(
        "BP07",
        "emergency levers",
        (),
        (),
        "an operational control, not a code shape: no static check covers it",
        (
            "Can an operator switch off a failing feature or dependency without a deploy (feature flag, config switch)?",
            "Are the levers documented in a runbook, and were they tried in the last game day?",
            "Can the service shed load or go read-only on command?",
        ),
    ),
)

# Where each rule can find a site, as plain text tests (the coarse conditions
# the rules' catalogs imply). In survey mode a rule also runs where its own
# condition holds: the engine's prefilter asks only "could this rule report
# here?", and a compliant site (a bounded-default httpx client, a handler with
# no writes, a jittered retry) may sit in a file where the answer is no.
_SURVEY: dict[str, Callable[[str, str], bool]] | None = None


# Module names a catalogued remote call resolves through (its import names one).
_REMOTE = (
    "requests", "urllib", "http", "socket", "smtplib", "ftplib", "imaplib", "poplib",
    "psycopg2", "pymysql", "_pb2_grpc", "redis",
)
# Every retry mechanism's spelling, and every hand-written loop's `try`.
_RETRY = ("try", "backoff", "max_retries", "HTTPAdapter")


def _conditions() -> dict[str, Callable[[str, str], bool]]:
    global _SURVEY
    if _SURVEY is None:
        # Imported late: this module is imported by the engine and the rules.
        from rel05_lint.catalog.frameworks import FRAMEWORK_MODULES
        from rel05_lint.handlers import is_views_path

        def any_of(*words: str) -> Callable[[str, str], bool]:
            return lambda text, path: any(w in text for w in words)

        def handlers(text: str, path: str) -> bool:
            return is_views_path(path) or any(m in text for m in FRAMEWORK_MODULES)

        retry = any_of(*_RETRY)
        _SURVEY = {
            "REL101": any_of("circuitbreaker", "pybreaker", "aiobreaker"),
            "REL102": handlers,
            "REL201": any_of("gather", "create_task", "ensure_future", "start_soon"),
            **{code: retry for code in ("REL301", "REL302", "REL303", "REL304", "REL305")},
            "REL401": any_of("Queue", "open_memory_channel", "create_memory_object_stream"),
            "REL402": lambda text, path: "put" in text and "Queue" in text,
            "REL501": any_of(*_REMOTE),
            # Only the bounded-default libraries: REL501 counts the others.
            "REL502": any_of("urllib3", "httpx", "redis", "aiohttp"),
            "REL503": any_of("subprocess", "concurrent", "futures", "open_connection"),
            "REL504": any_of(*_REMOTE, "httpx", "aiohttp", "asyncio", "subprocess", "concurrent"),
            "REL601": handlers,
            "REL602": any_of("SESSION_ENGINE", "SESSION_TYPE"),
        }
    return _SURVEY


def surveys(code: str, text: str, path: str = "") -> bool:
    """Whether rule ``code`` may find a site in ``text`` (survey mode runs it there)."""
    condition = _conditions().get(code)
    return condition is not None and condition(text, path)


def tally(sites: Iterable[tuple[str, bool, object]], waived: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """One file's site records as ``{kind: (sites, compliant)}``.

    Records naming the same node and kind are one site (compliant only if every
    record says so); aspects in ``COMBINED`` are joined per node, leaving out
    what ``GATES`` cannot judge.
    """
    by_node: dict[tuple[str, int], bool] = {}
    loose: dict[str, list[int]] = {}
    for kind, ok, node in sites:
        if node is None:
            entry = loose.setdefault(kind, [0, 0])
            entry[0] += 1
            entry[1] += bool(ok)
        else:
            key = (kind, id(node))
            by_node[key] = by_node.get(key, True) and bool(ok)
    out: dict[str, list[int]] = {k: list(v) for k, v in loose.items()}
    aspect_of = {a: combined for combined, aspects in COMBINED.items() for a in aspects}
    joined: dict[tuple[str, int], bool] = {}
    for (kind, node_id), ok in by_node.items():
        entry = out.setdefault(kind, [0, 0])
        entry[0] += 1
        entry[1] += ok
        combined = aspect_of.get(kind)
        if combined is not None:
            key = (combined, node_id)
            joined[key] = joined.get(key, True) and ok
    for (kind, node_id), ok in joined.items():
        gate = GATES.get(kind)
        if ok and gate is not None and by_node.get((gate, node_id)) is False:
            continue  # cannot tell, and nothing measured fails
        entry = out.setdefault(kind, [0, 0])
        entry[0] += 1
        entry[1] += ok
    for code in waived:
        entry = out.setdefault(WAIVED + code, [0, 0])
        entry[0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
