"""我的管理 (/my/settings): password, phone, notification preferences, login history, consents."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template

from xqr.controllers.auth import client_of
from xqr.services import account, login as login_service, notification_prefs
from xqr.services.errors import ValidationFailed
from xqr.services.users import mask_phone
from xqr.web import sessions
from xqr.web.forms import form_data
from xqr.web.guards import requires_login
from xqr.web.render import flash, page, see_other

PAGE = "account/settings.html"
PHONE_FORM = "account/_phone_form.html"
PATH = "/my/settings"


async def _context(request: Request, **forms: Any) -> dict[str, Any]:
    """The whole page; `forms` carries one form's typed values, errors and notices after a POST."""
    user = request.user
    context: dict[str, Any] = {
        "masked_phone": mask_phone(user.phone),
        "password_errors": {},
        "phone_values": {},
        "phone_errors": {},
        "phone_notice": {},
        "events": notification_prefs.events_for(user.role),
        "channels": notification_prefs.CHANNELS,
        "choices": await notification_prefs.choices(user.id, user.role),
        "logins": await account.login_history(user.id),
        "consents": await account.consents_of(user.id),
    }
    context.update(forms)
    return context


@get(PATH, name="my_settings", guards=[requires_login])
async def settings_page(request: Request) -> Template:
    return await page(request, PAGE, await _context(request))


@post(f"{PATH}/password", name="my_settings_password", guards=[requires_login])
async def change_password(request: Request) -> Template | Response:
    values = await form_data(request)
    session = sessions.session_of(request)
    try:
        await login_service.change_password(
            request.user.id,
            values.get("current_password", ""),
            values.get("password", ""),
            values.get("password_confirm", ""),
            keep_session_id=session.row["id"] if session.row else None,
        )
    except ValidationFailed as failure:
        return await page(request, PAGE, await _context(request, password_errors=failure.errors), status=422)
    await flash(request, "登录密码已修改，其他设备上的登录已退出")
    return see_other(request, PATH)


def _phone_values(values: dict[str, str]) -> dict[str, str]:
    return {key: values.get(key, "") for key in ("new_phone", "old_code", "new_code")}


async def _phone_response(request: Request, values: dict[str, str], errors: dict, notice: dict, status: int) -> Template:
    context = await _context(request, phone_values=_phone_values(values), phone_errors=errors, phone_notice=notice)
    return await page(request, PAGE, context, partial=PHONE_FORM, status=status)


async def _send(request: Request, which: str) -> Template:
    values = await form_data(request)
    try:
        if which == "old":
            wait = await account.send_old_phone_code(request.user.id, client_of(request))
            notice = {"old_code": f"验证码已发送至 {mask_phone(request.user.phone)}", "old_wait": wait}
        else:
            wait = await account.send_new_phone_code(request.user.id, values.get("new_phone", ""), client_of(request))
            notice = {"new_code": f"验证码已发送至 {mask_phone(values.get('new_phone', '').strip())}", "new_wait": wait}
    except ValidationFailed as failure:
        return await _phone_response(request, values, failure.errors, {}, 422)
    return await _phone_response(request, values, {}, notice, 200)


@post(f"{PATH}/phone/send-old", name="my_settings_phone_send_old", guards=[requires_login])
async def send_old_code(request: Request) -> Template:
    return await _send(request, "old")


@post(f"{PATH}/phone/send-new", name="my_settings_phone_send_new", guards=[requires_login])
async def send_new_code(request: Request) -> Template:
    return await _send(request, "new")


@post(f"{PATH}/phone", name="my_settings_phone", guards=[requires_login])
async def change_phone(request: Request) -> Template | Response:
    values = await form_data(request)
    try:
        await account.change_phone(
            request.user, values.get("new_phone", ""), values.get("old_code", ""), values.get("new_code", ""), client_of(request)
        )
    except ValidationFailed as failure:
        return await _phone_response(request, values, failure.errors, {}, 422)
    await flash(request, "手机号码已更换，今后的登录验证码将发送至新号码")
    return see_other(request, PATH)


@post(f"{PATH}/notifications", name="my_settings_notifications", guards=[requires_login])
async def save_notifications(request: Request) -> Response:
    await notification_prefs.save_choices(request.user.id, request.user.role, await form_data(request))
    await flash(request, "消息通知设置已保存")
    return see_other(request, f"{PATH}#notifications")


ROUTES = [settings_page, change_password, send_old_code, send_new_code, change_phone, save_notifications]
