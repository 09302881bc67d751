"""Uploads stream: memory stays flat however large the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import AsyncIterator

from xqr.settings import StorageSettings
from xqr.storage import Storage, make_storage

from .support import minio_settings

MiB = 1024 * 1024
PAYLOAD = 50 * MiB


async def generated(total: int, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, total, chunk_size):
        yield (start // chunk_size % 251).to_bytes(1, "big") * chunk_size


async def put_peak(storage: Storage) -> int:
    key = storage.new_key("big")
    tracemalloc.start()
    try:
        stored = await storage.put(key, generated(PAYLOAD), content_type="application/octet-stream")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == PAYLOAD
    assert (await storage.stat(key)).size == PAYLOAD
    return peak


async def test_local_put_memory(tmp_path: Path) -> None:
    storage = make_storage(StorageSettings(backend="local", local_dir=tmp_path))
    # About 2 MiB: four queued 256 KiB blocks, the one being written and the bytes
    # being cut into the next. The margin is for other threads tracemalloc counts.
    assert await put_peak(storage) < 8 * MiB


async def test_minio_put_memory(moto_process_endpoint: str) -> None:
    # moto runs in another process here: in this one it would count the stored object.
    storage = make_storage(minio_settings(moto_process_endpoint))
    await storage.check()
    # About three 5 MiB parts (the part being sent, the next one, and the blocks
    # being joined into it) plus 1 MiB of read-ahead: ~17 MiB, whatever the size.
    assert await put_peak(storage) < 24 * MiB
