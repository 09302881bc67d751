"""The `xqr` console command."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import xqr  # noqa: F401  (sets PICCOLO_CONF before any table is touched)
from xqr import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xqr", description="湘企融 platform commands")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
