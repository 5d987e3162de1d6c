"""``rel05-lint server``: the Language Server over stdio (pygls, lsprotocol types).

Diagnostics on open, change (debounced) and save; code actions per finding
(its fix, labelled safe or unsafe, and "add ``# noqa: CODE``") and
``source.fixAll.rel05-lint``; configuration from each file's nearest
project, reloaded when it changes. The same engine as the CLI: the buffer's
text in, findings out; a buffer that does not parse is one REL001 diagnostic.
"""
