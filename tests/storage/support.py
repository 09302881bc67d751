"""Helpers shared by the storage tests."""

from __future__ import annotations

import secrets
import socket
from typing import AsyncIterator, Iterable

from xqr.settings import StorageSettings


async def feed(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def minio_settings(endpoint: str) -> StorageSettings:
    # moto checks no credentials; a fixed region spares the SDK a bucket-location lookup.
    return StorageSettings(
        backend="minio",
        endpoint=endpoint,
        access_key="test",
        secret_key="test-secret",
        bucket=f"test-{secrets.token_hex(6)}",
        secure=False,
        region="us-east-1",
    )
