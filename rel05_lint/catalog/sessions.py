"""Constructors whose result is a requests Session (tracked instances)."""

REQUESTS_SESSION = frozenset(
    {
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "requests.sessions.session",
    }
)
