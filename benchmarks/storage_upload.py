"""Upload throughput and memory: Storage.put against writing the same bytes directly.

Local: our put against a plain file write in one thread. MinIO (moto's S3 server,
started here in its own process so its memory is not counted): our put against
the SDK's put_object reading a file-like wrapper of the same chunks.

    PYTHONPATH=src /work/venv0/bin/python benchmarks/storage_upload.py [--mib 200]
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import AsyncIterator, Awaitable, BinaryIO, Callable, Iterator, cast

from minio import Minio

from xqr.settings import StorageSettings
from xqr.storage import make_storage

MiB = 1024 * 1024
CHUNK = 64 * 1024
PATTERN = os.urandom(MiB)  # sliced into chunks, so generating data costs next to nothing
RUNS = 5
LIBC = ctypes.CDLL("libc.so.6")


def chunks(total: int) -> Iterator[bytes]:
    for start in range(0, total, CHUNK):
        offset = start % MiB
        yield PATTERN[offset : offset + CHUNK]


async def achunks(total: int) -> AsyncIterator[bytes]:
    for chunk in chunks(total):
        yield chunk


class ChunkReader:
    """The file-like object a direct SDK user would write: read() over a generator."""

    def __init__(self, source: Iterator[bytes]) -> None:
        self._source = source
        self._rest = b""

    def read(self, size: int = -1) -> bytes:
        pieces, have = [self._rest], len(self._rest)
        for chunk in self._source:
            pieces.append(chunk)
            have += len(chunk)
            if 0 <= size <= have:
                break
        data = b"".join(pieces)
        self._rest = data[size:] if size >= 0 else b""
        return data[:size] if size >= 0 else data


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def memory(upload: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """Peak traced allocations and peak RSS growth, in MiB, during one upload."""
    LIBC.malloc_trim(0)  # else earlier runs' freed memory is reused and no growth shows
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak RSS
    rss_before = rss_kib("VmRSS")
    tracemalloc.start()
    await upload()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return traced_peak / MiB, (rss_kib("VmHWM") - rss_before) / 1024


async def compare(
    backend: str,
    direct: Callable[[], Awaitable[None]],
    ours: Callable[[], Awaitable[None]],
    total: int,
) -> None:
    variants = {"direct": direct, "Storage.put": ours}
    speeds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(RUNS):  # interleaved, so drift in the server hits both alike
        for name, upload in variants.items():
            started = time.perf_counter()
            await upload()
            speeds[name].append(total / MiB / (time.perf_counter() - started))
    median = {name: statistics.median(values) for name, values in speeds.items()}
    for name, upload in variants.items():
        traced, rss = await memory(upload)
        print(
            f"{backend:6} {name:12} {median[name]:6.0f} MiB/s"
            f"   tracemalloc peak {traced:5.1f} MiB   peak RSS growth {rss:5.1f} MiB"
        )
    print(f"{backend:6} ratio {median['Storage.put'] / median['direct']:.2f}")


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto server did not start")


async def bench_local(total: int, folder: Path) -> None:
    storage = make_storage(StorageSettings(backend="local", local_dir=folder / "storage"))
    target = folder / "direct.bin"

    def write_directly() -> None:
        with target.open("wb") as file:
            for chunk in chunks(total):
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())

    async def direct() -> None:
        await asyncio.to_thread(write_directly)

    async def ours() -> None:
        await storage.put("bench/local", achunks(total), content_type="application/octet-stream")

    await compare("local", direct, ours, total)


async def bench_minio(total: int, endpoint: str) -> None:
    settings = StorageSettings(
        backend="minio",
        endpoint=endpoint,
        access_key="bench",
        secret_key="bench-secret",
        bucket="bench",
        secure=False,
        region="us-east-1",
    )
    storage = make_storage(settings)
    await storage.check()
    client = Minio(endpoint, "bench", "bench-secret", secure=False, region="us-east-1")

    async def direct() -> None:
        await asyncio.to_thread(
            client.put_object,
            "bench",
            "bench/direct",
            cast(BinaryIO, ChunkReader(chunks(total))),
            -1,
            part_size=5 * MiB,
        )

    async def ours() -> None:
        await storage.put("bench/ours", achunks(total), content_type="application/octet-stream")

    await compare("minio", direct, ours, total)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200, help="payload size in MiB")
    total = parser.parse_args().mib * MiB
    print(f"{total // MiB} MiB in {CHUNK // 1024} KiB chunks, median of {RUNS} interleaved runs")
    with tempfile.TemporaryDirectory() as folder:
        await bench_local(total, Path(folder))
    moto, endpoint = start_moto()
    try:
        await bench_minio(total, endpoint)
    finally:
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    asyncio.run(main())
