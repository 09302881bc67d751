"""Reading a posted form as plain values for the services."""

from __future__ import annotations

from litestar import Request


async def form_data(request: Request) -> dict[str, str]:
    """The form's fields as strings (the last value wins for a repeated name); the CSRF token left out."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
