"""What only the MinIO backend has to get right: its bucket and its failures."""

from __future__ import annotations

import dataclasses
import time

import pytest

from xqr.settings import StorageSettings
from xqr.storage import StorageUnavailable, make_storage

from .support import feed, free_port, minio_settings


async def test_check_against_a_closed_port() -> None:
    storage = make_storage(minio_settings(f"127.0.0.1:{free_port()}"))
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await storage.check()
    with pytest.raises(StorageUnavailable):
        await storage.put(storage.new_key("docs"), feed([b"x"]), content_type="text/plain")
    assert time.monotonic() - started < 5  # /healthz must not hang


async def test_bucket_is_created_on_first_use(moto_endpoint: str) -> None:
    settings = minio_settings(moto_endpoint)
    first, second = make_storage(settings), make_storage(settings)
    key = first.new_key("docs")
    await first.put(key, feed([b"x"]), content_type="text/plain")
    assert await second.exists(key)  # the existing bucket is found, not re-created


def test_endpoint_is_required() -> None:
    with pytest.raises(ValueError):
        make_storage(dataclasses.replace(StorageSettings(), backend="minio"))


def test_unknown_backend() -> None:
    with pytest.raises(ValueError):
        make_storage(StorageSettings(backend="s3"))
