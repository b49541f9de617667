"""The subcommands of ``arrears insights``, one module each (see the command's docstring)."""
