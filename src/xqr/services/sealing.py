"""Encryption at rest for personal data (ID numbers): Fernet with a key derived from the secret key."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from xqr.settings import get_settings

# A purpose label: the same secret key derives unrelated keys for other uses.
_INFO = b"xqr personal data at rest v1"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(text: str) -> str:
    return _fernet(get_settings().secret_key).encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    return _fernet(get_settings().secret_key).decrypt(token.encode("ascii")).decode()
