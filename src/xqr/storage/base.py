"""What every storage backend promises, and the errors it speaks in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterable, Protocol

from xqr.storage.streams import ChunkStream

READ_CHUNK_SIZE = 64 * 1024


class StorageError(Exception):
    """Base of the errors below, for callers that treat them alike."""


class ObjectNotFound(StorageError):
    pass


class InvalidKey(StorageError, ValueError):
    pass


class StorageUnavailable(StorageError):
    """The backend cannot be reached or refuses to work (disk, network, credentials)."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str


class Storage(Protocol):
    def new_key(self, prefix: str) -> str:
        """A fresh random key under prefix; stored names never come from users."""
        ...

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        length: int | None = None,
    ) -> StoredObject:
        """Stream chunks into key; a wrong declared length raises ValueError and stores nothing."""
        ...

    async def open(
        self, key: str, chunk_size: int = READ_CHUNK_SIZE
    ) -> tuple[StoredObject, ChunkStream]:
        """Metadata and content of the same version; iterate to the end or aclose()."""
        ...

    async def stat(self, key: str) -> StoredObject: ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove key; a missing key is not an error."""
        ...

    async def check(self) -> None:
        """Raise StorageUnavailable unless the backend is usable."""
        ...
