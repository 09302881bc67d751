"""注册, 登录 (password, then an SMS code), 退出登录, 忘记密码, 修改密码 and the 《平台用户协议》 page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template

from xqr.services import login as login_service
from xqr.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from xqr.services.errors import ValidationFailed
from xqr.services.login import Client
from xqr.services.registration import USER_AGREEMENT_VERSION, RegistrationForm, register, send_registration_code
from xqr.services.sms_codes import CooldownActive
from xqr.services.users import load_current_user, mask_phone
from xqr.settings import get_settings
from xqr.web import sessions
from xqr.web.guards import CHANGE_PASSWORD_PATH, requires_login
from xqr.web.render import flash, is_htmx, page, see_other

#: how long the accepted password of step 1 waits for its SMS code
LOGIN_STEP_LIFETIME = timedelta(minutes=10)
CODE_BUTTON = "auth/_code_button.html"
#: what a re-rendered form must not echo back
SECRET_FIELDS = {"password", "password_confirm", "current_password", "_csrf_token"}


def client_of(request: Request) -> Client:
    return Client(ip=request.client.host if request.client else "", user_agent=request.headers.get("user-agent", ""))


def local_path(target: str | None) -> str | None:
    """`next=` leads only to a path on this site: an open redirect would lend our name to phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: form.get(key) for key in form.keys()}


def _context(values: dict, errors: dict | None = None, *, wait: int = 0, notice: str = "", error: str = "", **extra: Any) -> dict[str, Any]:
    """A form page's context: typed values (never secrets), errors, and the 发送验证码 button's state."""
    return {
        "values": {key: value for key, value in values.items() if key not in SECRET_FIELDS},
        "errors": errors or {},
        "code_wait": wait,
        "code_notice": notice,
        "code_error": error,
        **extra,
    }


async def _send_code_response(request: Request, template: str, values: dict, send, **extra: Any) -> Template:
    """Run a 发送验证码 request: the button partial for HTMX, the whole form re-rendered without JS."""
    try:
        wait, notice = await send()
    except CooldownActive as cooling:
        context = _context(values, {}, wait=cooling.wait_seconds, error=cooling.errors["code"], **extra)
        return await page(request, template, context, partial=CODE_BUTTON, status=422)
    except ValidationFailed as failure:
        error = next(iter(failure.errors.values()))
        context = _context(values, failure.errors, error=error, **extra)
        return await page(request, template, context, partial=CODE_BUTTON, status=422)
    return await page(request, template, _context(values, wait=wait, notice=notice, **extra), partial=CODE_BUTTON)


# --- 注册 ---------------------------------------------------------------------------

REGISTER_PAGE = "auth/register.html"
REGISTER_EXTRAS = {"agreement_version": USER_AGREEMENT_VERSION, "code_action": "/register/send-code"}


@get("/register", name="register")
async def register_page(request: Request) -> Template | Response:
    if request.user:
        return see_other(request, request.user.home_path)
    return await page(request, REGISTER_PAGE, _context({}, **REGISTER_EXTRAS))


@post("/register/send-code", name="register_send_code")
async def register_send_code(request: Request) -> Template:
    values = await _form(request)
    phone = (values.get("phone") or "").strip()

    async def send() -> tuple[int, str]:
        wait = await send_registration_code(phone, client_of(request))
        return wait, f"验证码已发送至 {mask_phone(phone)}，5分钟内有效"

    return await _send_code_response(request, REGISTER_PAGE, values, send, **REGISTER_EXTRAS)


@post("/register", name="register_submit")
async def register_submit(request: Request) -> Template | Response:
    values = await _form(request)
    try:
        await register(RegistrationForm.from_form(values), client_of(request))
    except ValidationFailed as failure:
        context = _context(values, failure.errors, **REGISTER_EXTRAS)
        return await page(request, REGISTER_PAGE, context, status=422)
    await flash(request, "注册成功，请登录")
    return see_other(request, "/login")


@get("/agreement", name="agreement")
async def agreement(request: Request) -> Template:
    return await page(request, "auth/agreement.html", {"agreement_version": USER_AGREEMENT_VERSION})


# --- 登录 ---------------------------------------------------------------------------

LOGIN_PAGE = "auth/login.html"
LOGIN_PANEL = "auth/_login_panel.html"


def _pending_login(request: Request) -> int | None:
    """The account whose password step 1 accepted, while that is recent enough."""
    data = sessions.session_of(request).data
    user_id, since = data.get("login_user"), data.get("login_since")
    if not user_id or not since or datetime.fromisoformat(since) + LOGIN_STEP_LIFETIME <= datetime.now(timezone.utc):
        return None
    return int(user_id)


async def _login_extras(request: Request, values: dict) -> tuple[dict[str, Any], int]:
    """What the login page shows besides the form, and the 发送验证码 wait of step 2."""
    pending = _pending_login(request)
    masked_phone, wait = await login_service.login_code_wait(pending) if pending else ("", 0)
    session_next = sessions.session_of(request).data.get("login_next")
    next_path = local_path(values.get("next") or request.query_params.get("next") or session_next)
    extras = {
        "next": next_path or "",
        "step": 2 if pending else 1,
        "masked_phone": masked_phone,
        "demo_accounts": DEMO_ACCOUNTS if get_settings().dev_pages else [],
        "demo_password": DEMO_PASSWORD,
        "code_action": "/login/resend",
    }
    return extras, wait


async def _login_context(request: Request, values: dict, errors: dict | None = None, **code: Any) -> dict[str, Any]:
    extras, wait = await _login_extras(request, values)
    return _context(values, errors, **{"wait": wait, **code, **extras})


@get("/login", name="login")
async def login_page(request: Request) -> Template | Response:
    if request.user:
        return see_other(request, local_path(request.query_params.get("next")) or request.user.home_path)
    return await page(request, LOGIN_PAGE, await _login_context(request, {}))


@post("/login/send-code", name="login_send_code")
async def login_send_code(request: Request) -> Template | Response:
    """Step 1: account and password; only when they are right does a code go to the registered phone."""
    values = await _form(request)
    try:
        accepted = await login_service.check_password(values.get("username") or "", values.get("password") or "", client_of(request))
    except ValidationFailed as failure:
        context = await _login_context(request, values, failure.errors)
        return await page(request, LOGIN_PAGE, context, partial=LOGIN_PANEL, status=422)
    await sessions.set_values(
        request,
        LOGIN_STEP_LIFETIME,
        login_user=accepted.user_id,
        login_since=datetime.now(timezone.utc).isoformat(),
        login_next=local_path(values.get("next")),
    )
    # Step 2 names the masked phone itself; HTMX swaps it in, without JS the page is loaded again.
    if is_htmx(request):
        return await page(request, LOGIN_PAGE, await _login_context(request, values), partial=LOGIN_PANEL)
    return see_other(request, "/login")


@post("/login/resend", name="login_resend")
async def login_resend(request: Request) -> Template | Response:
    """Step 2's 发送验证码: another code to the phone of the account step 1 accepted."""
    pending = _pending_login(request)
    if pending is None:
        return see_other(request, "/login")

    async def send() -> tuple[int, str]:
        wait = await login_service.resend_login_code(pending, client_of(request))
        masked, _ = await login_service.login_code_wait(pending)
        return wait, f"验证码已发送至 {masked}"

    extras, _ = await _login_extras(request, {})
    return await _send_code_response(request, LOGIN_PAGE, {}, send, **extras)


@post("/login", name="login_submit")
async def login_submit(request: Request) -> Template | Response:
    """Step 2: the SMS code; a new session (new token) starts."""
    values = await _form(request)
    pending = _pending_login(request)
    if pending is None:
        context = await _login_context(request, values, {"__all__": "验证码页面已过期，请重新输入登录账号和登录密码"})
        return await page(request, LOGIN_PAGE, context, status=422)
    try:
        done = await login_service.complete_login(pending, values.get("code") or "", client_of(request))
    except ValidationFailed as failure:
        context = await _login_context(request, values, failure.errors)
        return await page(request, LOGIN_PAGE, context, status=422)
    next_path = local_path(sessions.session_of(request).data.get("login_next"))
    await sessions.login(request, done.user_id, timedelta(hours=get_settings().session_absolute_hours))
    if done.must_change_password:
        return see_other(request, CHANGE_PASSWORD_PATH)
    user = await load_current_user(done.user_id)
    return see_other(request, next_path or user.home_path)


@post("/login/restart", name="login_restart")
async def login_restart(request: Request) -> Response:
    """返回修改: forget step 1 and type the account again."""
    await sessions.set_values(request, LOGIN_STEP_LIFETIME, login_user=None, login_since=None)
    return see_other(request, "/login")


@post("/logout", name="logout")
async def logout(request: Request) -> Response:
    await sessions.logout(request)
    await flash(request, "您已安全退出登录")
    return see_other(request, "/")


# --- 忘记密码 / 修改密码 -------------------------------------------------------------------

FORGOT_PAGE = "auth/forgot_password.html"
FORGOT_EXTRAS = {"code_action": "/password/forgot/send-code"}


@get("/password/forgot", name="forgot_password")
async def forgot_password_page(request: Request) -> Template:
    return await page(request, FORGOT_PAGE, _context({}, **FORGOT_EXTRAS))


@post("/password/forgot/send-code", name="forgot_password_send_code")
async def forgot_password_send_code(request: Request) -> Template:
    values = await _form(request)

    async def send() -> tuple[int, str]:
        wait = await login_service.send_reset_code(values.get("username") or "", (values.get("phone") or "").strip(), client_of(request))
        return wait, login_service.RESET_CODE_SENT

    return await _send_code_response(request, FORGOT_PAGE, values, send, **FORGOT_EXTRAS)


@post("/password/forgot", name="forgot_password_submit")
async def forgot_password_submit(request: Request) -> Template | Response:
    values = await _form(request)
    try:
        await login_service.reset_password(
            values.get("username") or "",
            (values.get("phone") or "").strip(),
            values.get("code") or "",
            values.get("password") or "",
            values.get("password_confirm") or "",
        )
    except ValidationFailed as failure:
        return await page(request, FORGOT_PAGE, _context(values, failure.errors, **FORGOT_EXTRAS), status=422)
    await flash(request, "密码已重置，请使用新密码登录")
    return see_other(request, "/login")


@get(CHANGE_PASSWORD_PATH, name="change_password", guards=[requires_login])
async def change_password_page(request: Request) -> Template:
    return await page(request, "auth/change_password.html", _context({}))


@post(CHANGE_PASSWORD_PATH, name="change_password_submit", guards=[requires_login])
async def change_password_submit(request: Request) -> Template | Response:
    values = await _form(request)
    session = sessions.session_of(request)
    try:
        await login_service.change_password(
            request.user.id,
            values.get("current_password") or "",
            values.get("password") or "",
            values.get("password_confirm") or "",
            keep_session_id=session.row["id"] if session.row else None,
        )
    except ValidationFailed as failure:
        return await page(request, "auth/change_password.html", _context(values, failure.errors), status=422)
    await flash(request, "登录密码已修改")
    return see_other(request, request.user.home_path)


ROUTES = [
    register_page,
    register_send_code,
    register_submit,
    agreement,
    login_page,
    login_send_code,
    login_resend,
    login_submit,
    login_restart,
    logout,
    forgot_password_page,
    forgot_password_send_code,
    forgot_password_submit,
    change_password_page,
    change_password_submit,
]
