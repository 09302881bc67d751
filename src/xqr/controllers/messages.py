"""我的消息: the inbox of every logged-in user."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from xqr.services import messages
from xqr.web.guards import requires_login
from xqr.web.render import page, see_other


@get("/my/messages", name="messages", guards=[requires_login], cache=False)
async def inbox(request: Request) -> Template:
    return await page(request, "messages/inbox.html", {"messages": await messages.inbox(request.user.id)})


@get("/my/messages/{message_id:int}", name="message", guards=[requires_login], cache=False)
async def message(request: Request, message_id: FromPath[int]) -> Template:
    row = await messages.open_message(request.user.id, message_id)
    return await page(request, "messages/message.html", {"message": row})


@post("/my/messages/read-all", name="messages_read_all", guards=[requires_login])
async def read_all(request: Request) -> Response:
    await messages.mark_all_read(request.user.id)
    return see_other(request, "/my/messages")


ROUTES = [inbox, message, read_all]
