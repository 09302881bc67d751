"""The ASGI application for uvicorn or any ASGI server: `uvicorn xqr.asgi:app`."""

from xqr.app import create_app

app = create_app()
