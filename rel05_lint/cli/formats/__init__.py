"""Machine-readable reports for CI: SARIF, GitHub annotations, GitLab Code Quality, statistics."""
