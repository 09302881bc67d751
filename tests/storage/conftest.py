"""Backends for the contract tests: a local folder, and MinIO's SDK against moto's S3 server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from moto.server import ThreadedMotoServer

from xqr.settings import StorageSettings
from xqr.storage import Storage, make_storage

from .support import free_port, minio_settings


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def moto_process_endpoint() -> Iterator[str]:
    """moto in its own process, for measurements that must not count its memory."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def local_storage(tmp_path: Path) -> Storage:
    return make_storage(StorageSettings(backend="local", local_dir=tmp_path / "storage"))


@pytest.fixture
def minio_storage(moto_endpoint: str) -> Storage:
    return make_storage(minio_settings(moto_endpoint))


@pytest.fixture(params=["local", "minio"])
def storage(request: pytest.FixtureRequest) -> Storage:
    return request.getfixturevalue(f"{request.param}_storage")
