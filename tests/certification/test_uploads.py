"""Uploads are checked by extension and content, decoded safely, and refused files store nothing."""

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from tests.certification.support import seed_uncertified_demo
from xqr.tables.certification import CertificationDocument

from tests.certification.support import pdf_bytes, png_bytes, register_demo_enterprise
from tests.support.web import text_of


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bomb_png() -> bytes:
    # 10000×10000 one-bit pixels compress to a few kilobytes but decode to 100 megapixels.
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, format="PNG")
    return out.getvalue()


REFUSED = {
    "an exe renamed pdf": ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "文件内容不是"),
    "html renamed png": ("license.png", b"<!doctype html><html><script>alert(1)</script></html>", "文件内容不是"),
    "a png named jpg": ("license.jpg", png_bytes(), "扩展名不符"),
    "a truncated image": ("license.png", png_bytes((800, 800), "#123456")[:-200], "损坏"),
    "a decompression bomb": ("license.png", bomb_png(), "像素过大"),
    "an encrypted pdf": ("letter.pdf", encrypted_pdf(), "已加密"),
    "a broken pdf": ("letter.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage" + b"\x00" * 100, "损坏"),
    "a text file": ("notes.txt", b"hello", "仅支持"),
    "an empty file": ("license.png", b"", "空的"),
}


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


@pytest.fixture
async def enterprise(db, login_as):
    await seed_uncertified_demo()
    await register_demo_enterprise()
    client = await login_as("demo_qiye")
    assert (await client.get("/my/certification")).status_code == 200
    return client


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
async def test_it_refuses_bad_files_and_stores_nothing(enterprise, settings, case):
    name, data, message = REFUSED[case]
    response = await enterprise.post("/my/certification/documents/business_license", files={"file": (name, data, "application/octet-stream")}, htmx=True)
    assert response.status_code == 422
    assert message in text_of(response)
    assert await CertificationDocument.count() == 0
    assert stored_files(settings.storage.local_dir) == []


async def test_it_refuses_an_oversized_file_and_stores_nothing(db, settings):
    import dataclasses

    from tests.support.web import session_client_for
    from xqr.app import create_app

    await seed_uncertified_demo()
    small = dataclasses.replace(settings, upload_max_bytes=50_000)
    app = create_app(small)
    client = await session_client_for(app, "demo_qiye")
    try:
        assert (await client.get("/my/certification")).status_code == 200
        big = png_bytes((1200, 1200), "#000000") + b"\x00" * 60_000
        response = await client.post("/my/certification/documents/business_license", files={"file": ("big.png", big, "image/png")}, htmx=True)
        assert response.status_code == 422
        assert "不能超过" in text_of(response)
        assert await CertificationDocument.count() == 0
        assert stored_files(small.storage.local_dir) == []
    finally:
        await client.raw.__aexit__(None, None, None)


async def test_it_stores_an_image_and_a_pdf_with_previews(enterprise, settings):
    letter = pdf_bytes()
    for kind, name, data in (("business_license", "执照.png", png_bytes()), ("authorization_letter", "授权书.pdf", letter)):
        response = await enterprise.post(f"/my/certification/documents/{kind}", files={"file": (name, data, "x/y")}, htmx=True)
        assert response.status_code == 200, text_of(response)
        assert name in response.text
    rows = {row["kind"]: row for row in await CertificationDocument.select()}
    assert rows["authorization_letter"]["page_count"] == 1
    assert rows["business_license"]["content_type"] == "image/png"
    for row in rows.values():
        preview = await enterprise.get(f"/certification/documents/{row['id']}/preview")
        assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    original = await enterprise.get(f"/certification/documents/{rows['authorization_letter']['id']}")
    assert original.content == letter and original.headers["content-type"].startswith("application/pdf")
    assert len(stored_files(settings.storage.local_dir)) == 4


async def test_deleting_and_uploading_again_replaces_the_file(enterprise, settings):
    await enterprise.post("/my/certification/documents/business_license", files={"file": ("a.png", png_bytes(), "image/png")}, htmx=True)
    response = await enterprise.post("/my/certification/documents/business_license/delete", htmx=True)
    assert "点击上传" in response.text
    assert await CertificationDocument.count() == 0
    assert stored_files(settings.storage.local_dir) == []
    await enterprise.post("/my/certification/documents/business_license", files={"file": ("b.png", png_bytes(color="#ff0000"), "image/png")}, htmx=True)
    await enterprise.post("/my/certification/documents/business_license", files={"file": ("c.png", png_bytes(color="#00ff00"), "image/png")}, htmx=True)
    rows = await CertificationDocument.select()
    assert [row["original_name"] for row in rows] == ["c.png"]
    assert len(stored_files(settings.storage.local_dir)) == 2
