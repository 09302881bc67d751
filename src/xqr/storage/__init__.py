"""Object storage for uploaded files: a local folder or a MinIO bucket behind one protocol."""

from __future__ import annotations

from xqr.settings import StorageSettings
from xqr.storage.base import (
    InvalidKey,
    ObjectNotFound,
    Storage,
    StorageError,
    StorageUnavailable,
    StoredObject,
)
from xqr.storage.keys import new_key
from xqr.storage.local import LocalStorage
from xqr.storage.minio_backend import MinioStorage
from xqr.storage.streams import ChunkStream

__all__ = [
    "ChunkStream",
    "InvalidKey",
    "LocalStorage",
    "MinioStorage",
    "ObjectNotFound",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "make_storage",
    "new_key",
]


def make_storage(settings: StorageSettings) -> Storage:
    if settings.backend == "local":
        return LocalStorage(settings.local_dir)
    if settings.backend == "minio":
        return MinioStorage.from_settings(settings)
    raise ValueError(f"XQR_STORAGE must be local or minio, not {settings.backend!r}")
