"""The core: findings, source text, positions, noqa, scopes, the walker, fixes,
their verification, the engine, the rule base class and site tallies.

Nothing here imports a catalog, an analysis, a rule or a front end.
"""
