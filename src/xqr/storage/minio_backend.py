"""Objects in a MinIO (S3) bucket, through the synchronous minio SDK run in threads."""

from __future__ import annotations

import asyncio
import os
from typing import AsyncIterable, Callable, TypeVar

import certifi
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from xqr.settings import StorageSettings
from xqr.storage.base import (
    READ_CHUNK_SIZE,
    ObjectNotFound,
    StorageUnavailable,
    StoredObject,
)
from xqr.storage.keys import check_content_type, check_key, new_key
from xqr.storage.streams import BlockFeed, ChunkStream, run_fed

PART_SIZE = 5 * 1024 * 1024  # the S3 minimum: the SDK holds whole parts in memory
# The SDK's default of three parts in flight would hold about five parts per upload.
PARALLEL_PARTS = 1
DEFAULT_CONTENT_TYPE = "application/octet-stream"

T = TypeVar("T")


def _http_client() -> urllib3.PoolManager:
    # The SDK's own client waits 5 minutes to connect and retries five times:
    # /healthz has to report a down MinIO within seconds.
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3, read=60),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )


def _guarded(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    try:
        return fn(*args, **kwargs)
    except S3Error as exc:
        if exc.code == "NoSuchKey":
            raise ObjectNotFound(exc.object_name or "") from None
        raise StorageUnavailable(f"minio: {exc.code}: {exc.message}") from exc
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        raise StorageUnavailable(f"minio: {exc}") from exc


class MinioStorage:
    new_key = staticmethod(new_key)

    def __init__(self, client: Minio, bucket: str) -> None:
        self._client = client
        self._bucket = bucket
        self._bucket_ready = False

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> MinioStorage:
        if not settings.endpoint:
            raise ValueError("MinIO storage needs XQR_MINIO_ENDPOINT (host:port)")
        client = Minio(
            settings.endpoint,
            access_key=settings.access_key or None,
            secret_key=settings.secret_key or None,
            secure=settings.secure,
            region=settings.region or None,
            http_client=_http_client(),
        )
        return cls(client, settings.bucket)

    def _ensure_bucket(self) -> None:
        if not self._client.bucket_exists(self._bucket):
            try:
                self._client.make_bucket(self._bucket)
            except S3Error as exc:
                if exc.code != "BucketAlreadyOwnedByYou":  # else a concurrent first use won
                    raise
        self._bucket_ready = True

    def _run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """fn(...) in the calling thread, once the bucket exists, raising our errors."""

        def ready() -> T:
            if not self._bucket_ready:
                self._ensure_bucket()
            return fn(*args, **kwargs)

        return _guarded(ready)

    async def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        return await asyncio.to_thread(lambda: self._run(fn, *args, **kwargs))

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        length: int | None = None,
    ) -> StoredObject:
        check_key(key)
        check_content_type(content_type)

        def upload(feed: BlockFeed) -> int:
            reader = _FeedReader(feed)
            # Always length=-1: run_fed enforces a declared length before the
            # last part goes out, which the SDK would not.
            self._run(
                self._client.put_object,
                self._bucket,
                key,
                reader,
                -1,
                content_type=content_type,
                part_size=PART_SIZE,
                num_parallel_uploads=PARALLEL_PARTS,
            )
            return reader.size

        size = await run_fed(upload, chunks, length)
        return StoredObject(key, size, content_type)

    async def open(
        self, key: str, chunk_size: int = READ_CHUNK_SIZE
    ) -> tuple[StoredObject, ChunkStream]:
        check_key(key)
        response = await self._call(self._client.get_object, self._bucket, key)
        stored = StoredObject(
            key,
            int(response.headers["Content-Length"]),
            response.headers.get("Content-Type", DEFAULT_CONTENT_TYPE),
        )
        chunks = response.stream(chunk_size)

        def close() -> None:
            response.close()
            response.release_conn()

        return stored, ChunkStream(lambda: _guarded(next, chunks, b""), close)

    async def stat(self, key: str) -> StoredObject:
        check_key(key)
        found = await self._call(self._client.stat_object, self._bucket, key)
        return StoredObject(key, found.size or 0, found.content_type or DEFAULT_CONTENT_TYPE)

    async def exists(self, key: str) -> bool:
        try:
            await self.stat(key)
        except ObjectNotFound:
            return False
        return True

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call(self._client.remove_object, self._bucket, key)

    async def check(self) -> None:
        await asyncio.to_thread(_guarded, self._ensure_bucket)


class _FeedReader:
    """The file-like read() the SDK calls in its thread."""

    def __init__(self, feed: BlockFeed) -> None:
        self._feed = feed
        self._blocks: list[bytes] = []
        self._buffered = 0
        self._eof = False
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        # Fill the whole request: the SDK concatenates short reads, which copies quadratically.
        while not self._eof and (size < 0 or self._buffered < size):
            block = self._feed.get()
            if block is None:
                self._eof = True
            else:
                self._blocks.append(block)
                self._buffered += len(block)
        taken, self._blocks = self._blocks, []
        excess = self._buffered - size if size >= 0 else 0
        if excess > 0:
            # Split only the last block, so no more than one part is ever copied.
            last = taken.pop()
            taken.append(last[:-excess])
            self._blocks.append(last[-excess:])
        data = b"".join(taken)
        self._buffered -= len(data)
        self.size += len(data)
        return data
