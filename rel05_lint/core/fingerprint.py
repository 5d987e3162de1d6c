"""Fingerprints that survive unrelated edits: rule, path and normalised flagged source.

A line number alone changes whenever a line is added above the finding, so
CI systems would close the alert and open a "new" one. Instead:

- the engine hashes the normalised source of the flagged lines
  (``source_hash``: whitespace runs collapsed, blank lines dropped, at most
  ``MAX_LINES`` lines from the first flagged row, so an edit deep inside a
  flagged ``while`` loop or decorated function does not re-key the alert);
- the front end combines that hash with the rule code, the repository-relative
  path and an occurrence number that tells apart identical flagged lines in
  one file (in file order), and hashes again (``fingerprints``).
"""

from __future__ import annotations

from rel05_lint.core.findings import Finding

MAX_LINES = 5
VERSION = "1"  # part of every fingerprint: bump when the recipe changes


def normalise(lines: list[str]) -> str:
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def source_hash(lines: list[str], row: int, end_row: int) -> str:
    """Hash of the normalised lines ``row``..``end_row`` (1-based, at most MAX_LINES)."""
    last = min(end_row, row + MAX_LINES - 1, len(lines))
    return _digest(normalise(lines[row - 1 : last]))


def fingerprints(findings: list[Finding], relpath) -> list[str]:
    """One fingerprint per finding, in the given order; ``relpath(path)`` is the repository path."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        # Findings without source (an unreadable file) fall back to the message.
        key = (f.code, relpath(f.path), f.source_hash or _digest(f.message))
        seen[key] = seen.get(key, 0) + 1
        out.append((f, _digest("\0".join((VERSION, *key, str(seen[key]))))))
    by_id = {id(f): fp for f, fp in out}
    return [by_id[id(f)] for f in findings]


def _digest(text: str) -> str:
    import hashlib  # here: OpenSSL's start is paid only by files with findings

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
