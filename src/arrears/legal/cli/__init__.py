"""The ``arrears legal`` subcommands, one module each: ``add_to(subparsers)`` adds the
parser and sets ``run(options, stdout) -> int | None`` (a non-zero int is the exit code)."""
