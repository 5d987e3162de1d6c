"""Machine-readable reports for CI: SARIF, GitHub annotations, GitLab Code Quality, statistics.

Kept free of imports at package level: the engine imports
``rel05_lint.formats.fingerprint`` and must not pay for the rest.
"""
