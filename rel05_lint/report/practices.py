"""The REL05 best practices as the review prints them: what "compliant" means
for each, and the questions no static check answers.

Which sites feed each practice is not written here: the rules declare their
site kinds (``Rule.counts``), each kind names its practice, and ``sections``
groups the kinds the registered rules count. A new rule's sites show up in
the report without an edit to this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from rel05_lint import registry
from rel05_lint.core.sites import BEST_PRACTICES, Kind


@dataclass(frozen=True)
class Practice:
    code: str  # "BP05"
    definition: str  # what "compliant" means, printed in every report's footer
    unseen: tuple[str, ...]  # questions no static check answers
    # Headline wording when it sums several kinds (else the kind's own).
    what: str = ""
    ok: str = ""

    @property
    def title(self) -> str:
        return BEST_PRACTICES[self.code]


@dataclass(frozen=True)
class Section:
    """A practice with the site kinds the registered rules count for it."""

    practice: Practice
    headline: tuple[Kind, ...]  # summed into the headline share
    details: tuple[Kind, ...]  # shown under it (a one-kind headline is not repeated)


PRACTICES: tuple[Practice, ...] = (
    Practice(
        "BP01",
        "remote calls made in a request handler's own body that sit in a `try` catching the library's "
        "errors, plus circuit breakers that have a fallback (circuitbreaker `fallback_function`, or "
        "the pybreaker/aiobreaker open error caught at the call), plus handlers' error answers (a "
        "response returned or raised in `except`) that carry neither the exception's text nor a "
        "traceback (a 4xx answer is meant for the caller and complies)",
        (
            "For each hard dependency, what does the user get when it is down: cached data, a partial page, a clear 503?",
            "Are the degraded answers exercised (chaos test, game day), or only written?",
        ),
        what="handler remote calls, circuit breakers and error answers",
        ok="degrading gracefully",
    ),
    Practice(
        "BP02",
        "fan-out sites (`create_task`/`ensure_future`/`start_soon` in a loop over a non-constant input, "
        "`gather(*items)`) in a module that creates a semaphore or capacity limiter, plus rate limiters "
        "(Flask-Limiter, slowapi) counting in shared storage, plus servers (gRPC, uvicorn) given a "
        "concurrency limit (REL203, when selected)",
        (
            "Does every public endpoint have a server-side rate limit or quota (API gateway, load balancer, middleware)?",
            "When the limit is hit, do clients get 429 with Retry-After, and do they honour it?",
            "Is there load shedding: does the service reject work it cannot finish in time (queue age, concurrency limit)?",
        ),
        what="fan-out sites, rate limiters and servers",
        ok="throttled",
    ),
    Practice(
        "BP03",
        "retry sites (tenacity, backoff, retrying, retry, stamina, urllib3 `Retry`, requests `HTTPAdapter`, "
        "google-api-core, Celery, hand-written retry loops) that are bounded AND back off AND jitter (jitter "
        "is asked only of a growing delay) AND (urllib3) resend no POST or PATCH; a site whose wait cannot "
        "be read (a custom wait, no retries configured) is left out unless it fails another aspect; plus "
        "calls inside a retry on clients that retry by themselves (openai, anthropic, boto3, urllib3, "
        "requests with a retrying adapter) whose own retries are off",
        ("Is there a retry budget across the fleet, so retries cannot multiply load during an outage?",),
        what="retry sites and client calls inside retries",
        ok="controlled (limited, spaced, idempotent, one layer)",
    ),
    Practice(
        "BP04",
        "queue and memory-channel constructors given a finite bound, plus connection pools (aiohttp "
        "`TCPConnector`, httpx `Limits`, SQLAlchemy engines) left with a finite limit, plus pooled clients "
        "(HTTP sessions, SDK clients, engines, thread pools) built outside request handlers",
        (
            "Do the message-broker queues (SQS, RabbitMQ, Kafka consumers) have a depth or age limit and a dead-letter queue?",
        ),
        what="queues, connection pools and pooled clients",
        ok="bounded (a client: built once)",
    ),
    Practice(
        "BP05",
        "catalogued remote calls and clients (requests, urllib, http.client, sockets, smtplib/ftplib/imaplib/"
        "poplib, psycopg2, PyMySQL, gRPC stubs, extra-timeout-calls: REL501; urllib3, httpx, redis, aiohttp: "
        "REL502) whose timeout is set to a value other than None, or, for a library with a bounded default, "
        "left at that default",
        ("Are the timeouts shorter than the callers' own deadlines, end to end?",),
    ),
    Practice(
        "BP06",
        "request handlers whose own body writes no module-level container or global",
        (
            "Is anything else kept on the host: uploaded files, caches that must agree, sticky sessions at the load balancer?",
        ),
    ),
    Practice(
        "BP07",
        "an operational control, not a code shape: no static check covers it",
        (
            "Can an operator switch off a failing feature or dependency without a deploy (feature flag, config switch)?",
            "Are the levers documented in a runbook, and were they tried in the last game day?",
            "Can the service shed load or go read-only on command?",
        ),
    ),
)


def sections() -> tuple[Section, ...]:
    """Each practice with the kinds the registered rules count for it, in rule order."""
    kinds = registry.kinds()
    out = []
    for practice in PRACTICES:
        mine = [k for k in kinds if k.best_practice == practice.code]
        headline = tuple(k for k in mine if k.headline)
        details = tuple(k for k in mine if not (k.headline and len(headline) == 1))
        out.append(Section(practice, headline, details))
    return tuple(out)
