"""xqr registry import FILE, xqr registry generate --count N --out FILE."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    registry = subparsers.add_parser("registry", help="the business registry (工商登记信息)")
    registry_sub = registry.add_subparsers(dest="registry_command", required=True)
    load = registry_sub.add_parser("import", help="upsert enterprises from a CSV or JSON Lines file, by credit code")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=run_import)
    generate = registry_sub.add_parser("generate", help="write synthetic Hunan enterprises (demos, benchmarks)")
    generate.add_argument("--count", type=int, required=True)
    generate.add_argument("--out", type=Path, required=True, help="a .csv or .jsonl file")
    generate.add_argument("--seed", type=int, default=1)
    generate.set_defaults(handler=run_generate)


class ProgressBar:
    """A plain-text bar on stderr, redrawn at most a few times a second."""

    WIDTH = 30

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn_at < 0.2:
            return
        self.drawn_at = now
        share = done / total if total else 1.0
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {share:6.1%}  {now - self.started:6.1f} s")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_import(args: argparse.Namespace) -> int:
    from xqr.services.registry_import import UnsupportedFile, import_file

    if not args.file.is_file():
        print(f"错误：找不到文件 {args.file}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(import_file(args.file, progress=ProgressBar("导入")))
    except UnsupportedFile as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    counts = report.counts
    print(f"读取 {report.rows_read} 行：新增 {counts.inserted}，更新 {counts.updated}，未变 {counts.unchanged}，拒绝 {report.rejected_count}")
    for rejection in report.rejected:
        print(f"  第 {rejection.line} 行：{rejection.reason}", file=sys.stderr)
    if report.rejected_count > len(report.rejected):
        print(f"  ……另有 {report.rejected_count - len(report.rejected)} 行被拒绝，未逐一列出", file=sys.stderr)
    return 1 if report.rejected_count else 0


def run_generate(args: argparse.Namespace) -> int:
    from xqr.services.registry_generate import generate_entries
    from xqr.services.registry_import import UnsupportedFile, write_entries

    if args.count < 0:
        print("错误：--count 不能为负数", file=sys.stderr)
        return 2
    try:
        written = write_entries(generate_entries(args.count, args.seed), args.out)
    except UnsupportedFile as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    print(f"已生成 {written} 家企业：{args.out}")
    return 0
