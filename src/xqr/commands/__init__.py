"""Subcommands of the `xqr` console command; each module has register(subparsers)."""
