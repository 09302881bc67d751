"""Chunk plumbing shared by the backends: hand-over to a worker thread, thread-backed reads."""

from __future__ import annotations

import asyncio
import queue
from typing import AsyncIterable, AsyncIterator, Callable, TypeVar

BLOCK_SIZE = 256 * 1024
FEED_BLOCKS = 4  # blocks queued ahead of the worker thread

T = TypeVar("T")


async def blocks(
    chunks: AsyncIterable[bytes], size: int, length: int | None
) -> AsyncIterator[bytes]:
    """Regroup chunks into blocks of at least size bytes (the last may be shorter).

    Few blocks keep hand-overs to the worker thread rare. Joining copies each byte
    once, and a chunk already as large as a block passes through uncopied, so a
    block is at most one chunk longer than size. A declared length is checked
    before the end is signalled, so a short or overlong upload is never published.
    """
    parts: list[bytes] = []
    buffered = total = 0
    async for chunk in chunks:
        total += len(chunk)
        if length is not None and total > length:
            raise ValueError(f"more data than the declared {length} bytes")
        parts.append(chunk)
        buffered += len(chunk)
        if buffered >= size:
            yield b"".join(parts)
            parts, buffered = [], 0
    if length is not None and total != length:
        raise ValueError(f"got {total} bytes, declared {length}")
    if parts:
        yield b"".join(parts)


class FeedStopped(Exception):
    """Raised in the worker thread when the event loop stops feeding it."""


class BlockFeed:
    """Blocks handed from the event loop to one worker thread, a few at a time.

    The worker waits only when it has caught up and the loop only when the worker
    lags behind: no thread round trip per block, and no thread parked on a full
    queue (with a handful of uploads those would exhaust the default executor).
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._items: queue.SimpleQueue[bytes | None | FeedStopped] = queue.SimpleQueue()
        self._room = asyncio.Semaphore(FEED_BLOCKS)

    async def fill(self, source: AsyncIterable[bytes]) -> None:
        try:
            async for block in source:
                await self._room.acquire()
                self._items.put(block)
        except BaseException:
            self.stop()
            raise
        self._items.put(None)

    def stop(self) -> None:
        """Make the worker's next get() raise FeedStopped."""
        self._items.put(FeedStopped())

    def get(self) -> bytes | None:
        """The next block, or None at the end. Called in the worker thread."""
        item = self._items.get()
        if isinstance(item, FeedStopped):
            raise item
        if item is not None:
            self._loop.call_soon_threadsafe(self._room.release)
        return item


async def run_fed(
    work: Callable[[BlockFeed], T], chunks: AsyncIterable[bytes], length: int | None
) -> T:
    """Run work(feed) in a worker thread while this task feeds it chunks as blocks."""
    feed = BlockFeed()
    feeder = asyncio.create_task(feed.fill(blocks(chunks, BLOCK_SIZE, length)))
    try:
        result = await asyncio.to_thread(work, feed)
    except FeedStopped:
        await feeder  # raises the source's own error
        raise
    except BaseException:
        feeder.cancel()
        feed.stop()
        raise
    await feeder
    return result


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
