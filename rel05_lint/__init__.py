"""rel05-lint: find the code shapes that make distributed systems fall over."""

__version__ = "0.1.0"
