"""Analyses several rules share: request handlers, retry loops, timeouts.

Built on the core and the catalogs; imports no rule and no front end.
"""
