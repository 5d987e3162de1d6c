"""The ``rel05-lint`` command line: commands, output formats, stdin, add-noqa."""
