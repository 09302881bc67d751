"""Documents land in object storage on both backends: a local folder, and MinIO through moto's S3 server."""

from xqr.tables.certification import CertificationDocument

from tests.certification.support import register_demo_enterprise, seed_uncertified_demo, submitted_request
# The storage contract tests' backends: `storage` is parametrized over the local folder and MinIO on moto.
from tests.storage.conftest import local_storage, minio_storage, moto_endpoint, storage  # noqa: F401


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
