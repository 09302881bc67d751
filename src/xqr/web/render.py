"""Rendering pages and the partials HTMX swaps, and redirects that work with and without HTMX."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect, Template

from xqr.web import sessions

VARY = {"Vary": "HX-Request"}


def is_htmx(request: Request) -> bool:
    """An HTMX request wanting a partial; boosted links and history restores (back button) want the page."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-boosted") != "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


async def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    """The whole page, or only `partial` when HTMX asks (the page includes the same partial)."""
    context = dict(context or {})
    if partial and is_htmx(request):
        name = partial
    else:
        name = template
        context["flash"] = await sessions.pop_value(request, "flash")
    return Template(template_name=name, context=context, status_code=status, headers={**VARY, **(headers or {})})


def see_other(request: Request, url: str) -> Response:
    """Redirect after a POST; HTMX gets HX-Location so it loads the page instead of swapping it in."""
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Location": url})
    return Redirect(path=url, status_code=303)


async def flash(request: Request, text: str) -> None:
    """A one-time notice shown on the next full page."""
    await sessions.set_values(request, timedelta(hours=1), flash=text)
