"""Reading posted forms and query strings as plain dicts, and who sent them."""

from __future__ import annotations

from litestar import Request


async def form_data(request: Request) -> dict[str, str]:
    """The posted fields, one value each (the CSRF token left out)."""
    form = await request.form()
    return {key: value for key, value in form.items() if key != "_csrf_token" and isinstance(value, str)}


def query_data(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def swaps(request: Request, element_id: str, partial: str) -> str | None:
    """`partial` when HTMX asked to swap #element_id, else None (the whole page).

    HX-Location after a POST also sends HX-Request, with no target: that needs the page.
    """
    return partial if request.headers.get("hx-target") == element_id else None
