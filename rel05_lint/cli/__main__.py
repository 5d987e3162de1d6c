"""``python -m rel05_lint.cli``: the same as the ``rel05-lint`` command."""

from rel05_lint.cli.main import main

main()
