"""Documents land in object storage on both backends: a local folder, and MinIO through moto's S3 server."""

from typing import Iterator

import pytest
from minio import Minio

from xqr.storage import LocalStorage, MinioStorage
from xqr.tables.certification import CertificationDocument

from tests.certification.support import register_demo_enterprise, seed_uncertified_demo, submitted_request


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "minio"])
def storage(request, tmp_path, s3_endpoint):
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
    client = Minio(s3_endpoint, access_key="test", secret_key="testtesttest", secure=False, region="us-east-1")
    return MinioStorage(client, f"xqr-cert-{tmp_path.name.lower().replace('_', '-')[-30:]}")


async def test_documents_land_in_storage(db, storage):
    await seed_uncertified_demo()
    await register_demo_enterprise()
    await submitted_request(storage)
    documents = await CertificationDocument.select()
    assert {d["kind"] for d in documents} == {"business_license", "authorization_letter"}
    for document in documents:
        stored, chunks = await storage.open(document["storage_key"])
        data = b"".join([chunk async for chunk in chunks])
        assert stored.size == document["size"] == len(data)
        assert await storage.exists(document["preview_key"])
