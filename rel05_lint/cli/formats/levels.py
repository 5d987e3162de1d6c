"""How serious each finding is, in each CI system's words.

Every finding fails ``rel05-lint check`` (exit 1), so every rule is an error
for SARIF and GitHub; GitLab's scale has more steps, and a file the tool could
not read (REL001) ranks above a rule finding because nothing in it was checked.
"""

from __future__ import annotations

TOOL_CODE = "REL001"


def sarif_level(code: str) -> str:
    return "error"


def github_command(code: str) -> str:
    return "error"


def gitlab_severity(code: str) -> str:
    return "critical" if code == TOOL_CODE else "major"
