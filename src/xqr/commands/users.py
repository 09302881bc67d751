"""xqr user create: accounts for operators (the first admin of a deployment)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help="accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create an account")
    create.add_argument("--role", required=True, choices=["enterprise", "reviewer", "institution", "admin"])
    create.add_argument("--username", required=True)
    create.add_argument("--phone", required=True)
    create.add_argument("--institution", help="the institution's name (role institution)")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(handler=run_create)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise SystemExit("两次输入的密码不一致")
    return first


def run_create(args: argparse.Namespace) -> int:
    from xqr.services.errors import ValidationFailed
    from xqr.services.users import create_user

    if args.role == "enterprise":
        print("企业账号请通过注册页面创建（需要企业信息和短信验证）", file=sys.stderr)
        return 2
    password = _read_password(args.password_stdin)
    try:
        user_id = asyncio.run(
            create_user(
                username=args.username,
                phone=args.phone,
                password=password,
                role=args.role,
                institution_name=args.institution,
            )
        )
    except ValidationFailed as error:
        for message in error.errors.values():
            print(f"错误：{message}", file=sys.stderr)
        return 2
    print(f"已创建账号 {args.username}（编号 {user_id}）")
    return 0

