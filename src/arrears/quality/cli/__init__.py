"""The subcommands of ``arrears quality``."""
