"""One contract, run against every backend."""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from typing import AsyncIterator

import pytest

from xqr.storage import InvalidKey, ObjectNotFound, Storage, StoredObject

from .support import feed

MiB = 1024 * 1024
ESCAPING_KEYS = ["../x", "/etc/passwd", "a/../../b", "", "a//b", "a/", ".", "a/./b", "a/.hidden"]
ODD_KEYS = ["a\\b", "a b", "ключ", "a\x00b", "x" * 256]


async def read_all(storage: Storage, key: str) -> tuple[StoredObject, bytes]:
    stored, stream = await storage.open(key)
    return stored, b"".join([chunk async for chunk in stream])


async def test_round_trip(storage: Storage) -> None:
    key = storage.new_key("docs")
    stored = await storage.put(key, feed([b"hello ", b"world"]), content_type="text/plain")
    assert stored == StoredObject(key, 11, "text/plain")
    assert await read_all(storage, key) == (stored, b"hello world")


async def test_empty_object(storage: Storage) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([]), content_type="application/pdf", length=0)
    assert await read_all(storage, key) == (StoredObject(key, 0, "application/pdf"), b"")


async def test_large_multi_chunk_upload_with_unknown_length(storage: Storage) -> None:
    rng = random.Random(7)
    # Uneven chunk sizes, so block and part boundaries fall inside chunks.
    chunks = [rng.randbytes(rng.randint(1, 300_000)) for _ in range(90)]
    payload_size = sum(map(len, chunks))
    assert payload_size > 12 * MiB
    key = storage.new_key("big")

    stored = await storage.put(key, feed(chunks), content_type="application/octet-stream")

    assert stored.size == payload_size
    digest = hashlib.sha256()
    opened, stream = await storage.open(key, chunk_size=100_000)
    async for chunk in stream:
        assert len(chunk) <= 100_000
        digest.update(chunk)
    assert opened.size == payload_size
    assert digest.digest() == hashlib.sha256(b"".join(chunks)).digest()


async def test_concurrent_puts(storage: Storage) -> None:
    # More uploads than the default executor has threads (6 on 2 cores): each holds
    # one worker thread, and those waiting for a thread must not block the others.
    payloads = {storage.new_key("many"): bytes([n]) * (MiB + n) for n in range(12)}
    await asyncio.gather(
        *(
            storage.put(
                key,
                feed([data[i : i + 65536] for i in range(0, len(data), 65536)]),
                content_type="text/plain",
            )
            for key, data in payloads.items()
        )
    )
    for key, data in payloads.items():
        assert (await read_all(storage, key))[1] == data


async def test_stat_and_exists(storage: Storage) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([b"%PDF-1.7"]), content_type="application/pdf", length=8)
    assert await storage.stat(key) == StoredObject(key, 8, "application/pdf")
    assert await storage.exists(key)


async def test_put_replaces(storage: Storage) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([b"old"]), content_type="text/plain")
    await storage.put(key, feed([b"newer"]), content_type="image/png")
    assert await read_all(storage, key) == (StoredObject(key, 5, "image/png"), b"newer")


async def test_delete(storage: Storage) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([b"x"]), content_type="text/plain")
    await storage.delete(key)
    assert not await storage.exists(key)
    with pytest.raises(ObjectNotFound):
        await storage.open(key)
    await storage.delete(key)  # idempotent


async def test_missing_key(storage: Storage) -> None:
    key = storage.new_key("missing")
    with pytest.raises(ObjectNotFound):
        await storage.open(key)
    with pytest.raises(ObjectNotFound):
        await storage.stat(key)
    assert not await storage.exists(key)
    await storage.delete(key)


@pytest.mark.parametrize("key", ESCAPING_KEYS + ODD_KEYS)
async def test_invalid_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidKey):
        await storage.put(key, feed([b"x"]), content_type="text/plain")
    with pytest.raises(InvalidKey):
        await storage.open(key)
    with pytest.raises(InvalidKey):
        await storage.stat(key)
    with pytest.raises(InvalidKey):
        await storage.exists(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)


def test_new_key(storage: Storage) -> None:
    keys = {storage.new_key("applications/2026") for _ in range(1000)}
    assert len(keys) == 1000
    assert all(re.fullmatch(r"applications/2026/[A-Za-z0-9_-]{32}", key) for key in keys)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", storage.new_key(""))
    with pytest.raises(InvalidKey):
        storage.new_key("../up")


@pytest.mark.parametrize("declared", [5, 7])
async def test_wrong_declared_length_stores_nothing(storage: Storage, declared: int) -> None:
    key = storage.new_key("docs")
    with pytest.raises(ValueError):
        await storage.put(key, feed([b"abc", b"def"]), content_type="text/plain", length=declared)
    assert not await storage.exists(key)


async def test_failing_source_stores_nothing(storage: Storage) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"x" * (6 * MiB)  # past the first MinIO part
        raise ConnectionResetError("client went away")

    key = storage.new_key("docs")
    with pytest.raises(ConnectionResetError):
        await storage.put(key, broken(), content_type="text/plain")
    assert not await storage.exists(key)


async def test_cancelled_put_stores_nothing(storage: Storage) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"x" * (6 * MiB)
        started.set()
        await asyncio.Event().wait()  # a client that stops sending
        yield b""

    key = storage.new_key("docs")
    upload = asyncio.create_task(storage.put(key, stalled(), content_type="text/plain"))
    await started.wait()
    await asyncio.sleep(0.2)  # let MinIO's SDK send the first part
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    assert not await storage.exists(key)


async def test_bad_content_type(storage: Storage) -> None:
    with pytest.raises(ValueError):
        await storage.put(
            storage.new_key("docs"), feed([b"x"]), content_type="text/plain\r\nX-Evil: 1"
        )


async def test_partly_read_stream_can_be_closed(storage: Storage) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([b"y" * 300_000]), content_type="text/plain")
    _, stream = await storage.open(key, chunk_size=1000)
    assert await anext(stream) == b"y" * 1000
    await stream.aclose()
    assert [chunk async for chunk in stream] == []
    _, unread = await storage.open(key)
    await unread.aclose()
    await storage.delete(key)


async def test_check(storage: Storage) -> None:
    await storage.check()
