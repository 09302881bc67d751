"""Password hashing (argon2id) and the platform's password rule."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults

SPECIAL_CHARACTERS = re.compile(r"[^A-Za-z0-9]")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a password is refused (登录密码 rule), or None when it is acceptable."""
    if not 8 <= len(password) <= 20:
        return "登录密码须为8-20位"
    if any(ch.isspace() for ch in password) or not password.isascii():
        return "登录密码只能包含字母、数字和特殊字符，不能有空格"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password) and SPECIAL_CHARACTERS.search(password)):
        return "登录密码须同时包含字母、数字和特殊字符"
    return None
