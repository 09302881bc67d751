"""What only the local backend has to get right: the folder boundary and its temp files."""

from __future__ import annotations

from pathlib import Path

import pytest

from xqr.settings import StorageSettings
from xqr.storage import InvalidKey, Storage, make_storage

from .support import feed


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
def storage(root: Path) -> Storage:
    return make_storage(StorageSettings(backend="local", local_dir=root))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret").write_text("text/plain\nsecret")
    return folder


async def test_symlinked_folder_leading_outside_is_refused(
    storage: Storage, root: Path, outside: Path
) -> None:
    root.mkdir()
    (root / "evil").symlink_to(outside)
    with pytest.raises(InvalidKey):
        await storage.open("evil/secret")
    with pytest.raises(InvalidKey):
        await storage.put("evil/new", feed([b"x"]), content_type="text/plain")
    with pytest.raises(InvalidKey):
        await storage.delete("evil/secret")
    assert sorted(path.name for path in outside.iterdir()) == ["secret"]


async def test_symlinked_file_leading_outside_is_refused(
    storage: Storage, root: Path, outside: Path
) -> None:
    root.mkdir()
    (root / "link").symlink_to(outside / "secret")
    with pytest.raises(InvalidKey):
        await storage.stat("link")
    with pytest.raises(InvalidKey):
        await storage.exists("link")


async def test_no_temp_file_is_left_behind(storage: Storage, root: Path) -> None:
    key = storage.new_key("docs")
    await storage.put(key, feed([b"data"]), content_type="text/plain")
    with pytest.raises(ValueError):
        await storage.put(
            storage.new_key("docs"), feed([b"data"]), content_type="text/plain", length=3
        )
    assert list((root / ".tmp").iterdir()) == []
    assert (root / key).read_bytes() == b"text/plain\ndata"


async def test_file_and_folder_keys_clash(storage: Storage) -> None:
    await storage.put("a/b", feed([b"x"]), content_type="text/plain")
    with pytest.raises(InvalidKey):
        await storage.put("a", feed([b"x"]), content_type="text/plain")
    with pytest.raises(InvalidKey):
        await storage.put("a/b/c", feed([b"x"]), content_type="text/plain")
