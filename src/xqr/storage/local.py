"""Objects as files under one folder (development and single-host installs)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import AsyncIterable, BinaryIO, Callable, Iterator, TypeVar

from xqr.storage.base import (
    READ_CHUNK_SIZE,
    InvalidKey,
    ObjectNotFound,
    StorageUnavailable,
    StoredObject,
)
from xqr.storage.keys import check_content_type, check_key, new_key
from xqr.storage.streams import BlockFeed, ChunkStream, run_fed

HEADER_LIMIT = 256
TEMP_DIR = ".tmp"  # keys cannot start with a dot, so this never meets an object
_ABSENT = (FileNotFoundError, IsADirectoryError, NotADirectoryError)

T = TypeVar("T")


@contextmanager
def _os_errors() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise StorageUnavailable(f"local storage: {exc}") from exc


def _mapped(fn: Callable[..., T], *args: object) -> T:
    with _os_errors():
        return fn(*args)


async def _io(fn: Callable[..., T], *args: object) -> T:
    return await asyncio.to_thread(_mapped, fn, *args)


class LocalStorage:
    """Each file starts with a line holding the content type.

    Data and metadata then live in one file and a single atomic rename publishes
    both; a sidecar file could be left behind or disagree with its object.
    """

    new_key = staticmethod(new_key)

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self._root / check_key(key)).resolve()
        # resolve() follows symlinks, so a link inside the folder cannot lead out of it.
        if path == self._root or not path.is_relative_to(self._root):
            raise InvalidKey(f"object key leads outside the storage folder: {key!r}")
        return path

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        length: int | None = None,
    ) -> StoredObject:
        header = check_content_type(content_type).encode("ascii") + b"\n"
        target = await _io(self._path, key)
        size = await run_fed(lambda feed: self._write(feed, header, target), chunks, length)
        return StoredObject(key, size, content_type)

    def _write(self, feed: BlockFeed, header: bytes, target: Path) -> int:
        with _os_errors():
            temp_dir = self._root / TEMP_DIR
            temp_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=temp_dir, suffix=".part")
            temp = Path(name)
            with os.fdopen(fd, "wb") as file:
                try:
                    file.write(header)
                    size = 0
                    while (block := feed.get()) is not None:
                        file.write(block)
                        size += len(block)
                    _publish(file, temp, target)
                except BaseException:
                    temp.unlink(missing_ok=True)
                    raise
        return size

    async def open(
        self, key: str, chunk_size: int = READ_CHUNK_SIZE
    ) -> tuple[StoredObject, ChunkStream]:
        file, stored = await _io(self._open, key)
        return stored, ChunkStream(lambda: file.read(chunk_size), file.close)

    async def stat(self, key: str) -> StoredObject:
        file, stored = await _io(self._open, key)
        await asyncio.to_thread(file.close)
        return stored

    def _open(self, key: str) -> tuple[BinaryIO, StoredObject]:
        path = self._path(key)
        try:
            file = path.open("rb")
        except _ABSENT:
            raise ObjectNotFound(key) from None
        try:
            header = file.readline(HEADER_LIMIT)
            if not header.endswith(b"\n"):
                raise StorageUnavailable(f"local storage: {key!r} is not a stored object")
            size = os.fstat(file.fileno()).st_size - len(header)
        except BaseException:
            file.close()
            raise
        return file, StoredObject(key, size, header[:-1].decode("ascii"))

    async def exists(self, key: str) -> bool:
        return await _io(lambda: self._path(key).is_file())

    async def delete(self, key: str) -> None:
        await _io(self._delete, key)

    def _delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except _ABSENT:
            pass

    async def check(self) -> None:
        await _io(self._check)

    def _check(self) -> None:
        temp_dir = self._root / TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(temp_dir, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"local storage: {temp_dir} is not writable")


def _publish(file: BinaryIO, temp: Path, target: Path) -> None:
    # fsync file and folder: once put() returns, a database row may point at the key.
    file.flush()
    os.fsync(file.fileno())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    except (FileExistsError, IsADirectoryError, NotADirectoryError):
        # Files and folders share one namespace here: "a" and "a/b" cannot both exist.
        raise InvalidKey(f"object key clashes with another key: {target.name!r}") from None
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
