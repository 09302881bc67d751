"""Checking an uploaded document and putting it into storage.

A file is spooled to a temporary file in bounded chunks (never held whole in
memory), checked by extension and by content (magic bytes), decoded (images
under a pixel limit, PDFs parsed), and only then streamed to storage under a
random key with a PNG preview beside it. Anything refused stores nothing.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, AsyncIterator, Protocol

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from xqr.services.errors import DomainError
from xqr.storage import Storage

logger = logging.getLogger("xqr.uploads")

CHUNK_SIZE = 64 * 1024
#: a 600 dpi A4 scan is about 35 megapixels; more than this is refused before decoding
MAX_PIXELS = 50_000_000
PREVIEW_SIZE = (640, 640)
ALLOWED_EXTENSIONS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "bmp": "bmp", "pdf": "pdf"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp", "pdf": "application/pdf"}
PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "bmp": "BMP"}
ALLOWED_TEXT = "jpg、jpeg、png、bmp、pdf"


class UploadRefused(DomainError):
    """The file is not accepted; the message says why, in words the user understands."""


class UploadSource(Protocol):
    """Litestar's UploadFile, or anything else read in chunks."""

    filename: str

    async def read(self, size: int = -1) -> bytes: ...


class BytesSource:
    """Bytes made in code (demo data, tests) as an upload source."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename = filename
        self._data = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


@dataclass(frozen=True)
class StoredUpload:
    key: str
    original_name: str
    content_type: str
    size: int
    page_count: int | None
    preview_key: str | None


def sniff(head: bytes) -> str | None:
    """The file's real type from its first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    # PDF readers accept the header within the first KiB; producers put it first.
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def clean_name(name: str) -> str:
    """The name as shown to people: no folders, no control characters, bounded length."""
    base = PurePath(name.replace("\\", "/")).name
    return "".join(ch for ch in base if ch.isprintable())[:200] or "未命名文件"


async def _spool(source: UploadSource, max_bytes: int) -> tuple[IO[bytes], int]:
    spool = tempfile.TemporaryFile()
    size = 0
    try:
        while chunk := await source.read(CHUNK_SIZE):
            size += len(chunk)
            if size > max_bytes:
                raise UploadRefused(f"文件不能超过 {max_bytes // (1024 * 1024)} MB")
            await asyncio.to_thread(spool.write, chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _check_image(spool: IO[bytes], kind: str) -> bytes:
    """Decode the whole image (a truncated one fails here) and return its thumbnail as PNG."""
    spool.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; we refuse instead.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(spool, formats=[PILLOW_FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadRefused("图片像素过大，请压缩后重新上传")
                image.load()
                image.thumbnail(PREVIEW_SIZE)
                return _png(image.convert("RGB"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("图片像素过大，请压缩后重新上传") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused("图片已损坏或不完整，无法打开，请重新上传") from None


def _check_pdf(spool: IO[bytes]) -> tuple[int, bytes | None]:
    spool.seek(0)
    try:
        reader = PdfReader(spool, strict=False)
        if reader.is_encrypted:
            raise UploadRefused("PDF 文件已加密，请上传未加密的文件")
        pages = len(reader.pages)
        if pages:
            reader.pages[0].get_contents()  # a broken content stream fails here, not in a reviewer's viewer
    except UploadRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise UploadRefused("PDF 文件已损坏，无法打开，请重新上传") from None
    if pages == 0:
        raise UploadRefused("PDF 文件没有页面，请重新上传")
    return pages, _pdf_preview(spool)


def _pdf_preview(spool: IO[bytes]) -> bytes | None:
    """The first page as a PNG; a PDF pdfium cannot draw still counts (page count and name are shown)."""
    try:
        import pypdfium2 as pdfium

        spool.seek(0)
        document = pdfium.PdfDocument(spool.read())
        try:
            page = document[0]
            width, height = page.get_size()
            scale = min(PREVIEW_SIZE[0] / width, PREVIEW_SIZE[1] / height, 2.0)
            image = page.render(scale=scale).to_pil()
            return _png(image.convert("RGB"))
        finally:
            document.close()
    except Exception as error:  # a preview is a convenience; the PDF itself parsed
        logger.info("no PDF preview: %s", error)
        return None


async def _chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    spool.seek(0)
    while chunk := await asyncio.to_thread(spool.read, CHUNK_SIZE):
        yield chunk


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_upload(storage: Storage, source: UploadSource, *, max_bytes: int, prefix: str) -> StoredUpload:
    """Check the file and put it (and its preview) into storage; UploadRefused stores nothing."""
    name = clean_name(source.filename or "")
    expected = ALLOWED_EXTENSIONS.get(extension_of(name))
    if expected is None:
        raise UploadRefused(f"仅支持 {ALLOWED_TEXT} 格式的文件")
    spool, size = await _spool(source, max_bytes)
    with spool:
        if size == 0:
            raise UploadRefused("文件是空的，请重新选择")
        head = spool.read(16)
        actual = sniff(head)
        if actual is None:
            raise UploadRefused(f"文件内容不是 {ALLOWED_TEXT} 格式，请重新选择")
        if actual != expected:
            raise UploadRefused("文件内容与扩展名不符，请上传真实的图片或 PDF 文件")
        page_count: int | None = None
        if actual == "pdf":
            page_count, preview = await asyncio.to_thread(_check_pdf, spool)
        else:
            preview = await asyncio.to_thread(_check_image, spool, actual)
        key = storage.new_key(prefix)
        await storage.put(key, _chunks(spool), content_type=CONTENT_TYPES[actual], length=size)
    preview_key = None
    if preview is not None:
        preview_key = storage.new_key(f"{prefix}-preview")
        try:
            await storage.put(preview_key, _bytes(preview), content_type="image/png", length=len(preview))
        except BaseException:
            await storage.delete(key)
            raise
    return StoredUpload(key, name, CONTENT_TYPES[actual], size, page_count, preview_key)


async def discard(storage: Storage, upload: StoredUpload) -> None:
    """Remove what store_upload put, when the row that would point at it could not be written."""
    await storage.delete(upload.key)
    if upload.preview_key:
        await storage.delete(upload.preview_key)
