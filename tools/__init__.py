"""Developer tools, not shipped in the wheel: benchmark, corpus smoke run,
pinned corpus downloader, real-code tallies. Run from a checkout with
``python -m tools.bench`` / ``python -m tools.smoke``.
"""
