"""Chunk plumbing shared by the backends: bounded re-cutting on write, thread-backed reads."""

from __future__ import annotations

import asyncio
from typing import AsyncIterable, AsyncIterator, Callable


async def blocks(
    chunks: AsyncIterable[bytes], size: int, length: int | None
) -> AsyncIterator[bytes]:
    """Re-cut chunks into size-byte blocks (the last may be shorter).

    Equal blocks keep thread hops few for tiny chunks and memory bounded for huge
    ones. A declared length is enforced before the final block is released, so a
    backend never publishes a short or overlong object.
    """
    pending = bytearray()
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if length is not None and total > length:
            raise ValueError(f"more data than the declared {length} bytes")
        pending += chunk
        if len(pending) >= size:
            whole = len(pending) - len(pending) % size
            with memoryview(pending) as view:
                for start in range(0, whole, size):
                    yield bytes(view[start : start + size])
            del pending[:whole]
    if length is not None and total != length:
        raise ValueError(f"got {total} bytes, declared {length}")
    if pending:
        yield bytes(pending)


class ChunkStream:
    """Chunks of one opened object, read in a worker thread.

    A class rather than an async generator: an unstarted generator's aclose()
    skips its finally block and would leak the open file or HTTP connection.
    """

    def __init__(self, read: Callable[[], bytes], close: Callable[[], None]) -> None:
        self._read = read
        self._close = close
        self._reading: asyncio.Future[bytes] | None = None
        self._closed = False

    def __aiter__(self) -> ChunkStream:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        self._reading = asyncio.ensure_future(asyncio.to_thread(self._read))
        try:
            # Shielded: a cancelled consumer leaves the read running, and aclose()
            # waits for it rather than closing the source under a worker thread.
            chunk = await asyncio.shield(self._reading)
        except Exception:
            await self.aclose()
            raise
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._reading is not None:
            await asyncio.wait([self._reading])
        await asyncio.to_thread(self._close)
