"""个人信息保护指引: the readable guide, the consent dialog (同意 / 不同意) and withdrawing consent."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from xqr.services import privacy as guide
from xqr.web.privacy import consent_given, safe_next, visitor_cookie, visitor_id_of
from xqr.web.render import flash, page, see_other

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

DECLINED_NOTICE = "您未同意《个人信息保护指引》，可继续浏览首页和融资超市；注册、登录和业务办理需先同意该指引。"


def _client(request: Request) -> tuple[str, str]:
    return (request.client.host if request.client else ""), request.headers.get("user-agent", "")


@get("/privacy", name="privacy_guide")
async def privacy_guide(request: Request) -> Template:
    return await page(
        request, "privacy/guide.html", {"version": guide.PRIVACY_GUIDE_VERSION, "consented": await consent_given(request)}
    )


@get("/privacy/consent", name="privacy_consent")
async def privacy_consent(request: Request, next: FromQuery[str] = "/") -> Template | Response:
    target = safe_next(next)
    if await consent_given(request):
        return see_other(request, target)
    return await page(request, "privacy/consent.html", {"version": guide.PRIVACY_GUIDE_VERSION, "next": target})


@post("/privacy/consent", name="privacy_consent_post")
async def privacy_consent_post(request: Request, data: Form) -> Response:
    if data.get("decision") != "agree":
        await flash(request, DECLINED_NOTICE)
        return see_other(request, "/")
    visitor_id = visitor_id_of(request) or guide.new_visitor_id()
    ip, user_agent = _client(request)
    user = request.scope.get("user")
    await guide.record_consent(user_id=user.id if user else None, visitor_id=visitor_id, ip=ip, user_agent=user_agent)
    response = see_other(request, safe_next(data.get("next")))
    response.set_cookie(visitor_cookie(visitor_id, secure=request.app.state.settings.is_prod))
    return response


@post("/privacy/withdraw", name="privacy_withdraw")
async def privacy_withdraw(request: Request) -> Response:
    user = request.scope.get("user")
    await guide.withdraw_consent(user.id if user else None, visitor_id_of(request))
    await flash(request, "您已撤回对《个人信息保护指引》的同意。注册、登录和业务办理前将再次征求您的同意。")
    return see_other(request, "/privacy")


ROUTES = [privacy_guide, privacy_consent, privacy_consent_post, privacy_withdraw]
