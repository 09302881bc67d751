"""快速人脸认证 pages: 开始认证 → 授权 (阅读并同意, 确认授权) → the face check → the result.

After 确认授权 the check page offers the provider's page: a button on a phone, a QR code for the phone
on a PC, while it polls its status. (A link, not a redirect from the form: the CSP's form-action
'self' would stop a form's redirect to the provider.) The simulator's pages exist only outside production.
"""

from __future__ import annotations

from typing import Annotated

import segno
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from xqr.gateways.identity import IdentityVerifier, decide_simulation, make_verifier, simulation
from xqr.services.face_check import (
    STATUS_LABELS,
    FaceCheckRefused,
    check_of,
    finish_face_check,
    start_face_check,
    subject_for,
)
from xqr.settings import Settings
from xqr.web.guards import requires_role
from xqr.web.render import page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ENTERPRISE = [requires_role("enterprise")]


def _public_base(request: Request) -> str:
    """Absolute base of our pages: the configured one in production, the address in use otherwise."""
    settings: Settings = request.app.state.settings
    return settings.base_url if settings.is_prod else str(request.base_url).rstrip("/")


def _verifier(request: Request) -> IdentityVerifier:
    return make_verifier(request.app.state.settings, _public_base(request))


def _context(check: dict) -> dict:
    context = {"check": check, "status_label": STATUS_LABELS[check["status"]]}
    if check["status"] == "started":
        qr = segno.make(check["start_url"], error="m")
        context["qr_svg"] = qr.svg_inline(scale=5, border=2, svgclass="qr-code", title="人脸认证二维码")
    return context


@get("/face-check/requests/{request_id:int}", name="face_check_intro", guards=ENTERPRISE)
async def face_check_intro(request: Request, request_id: FromPath[int]) -> Template:
    subject = await subject_for(request_id, request.user.enterprise_id)
    return await page(request, "face_check/intro.html", {"subject": subject})


@get("/face-check/requests/{request_id:int}/authorize", name="face_check_authorize", guards=ENTERPRISE)
async def face_check_authorize(request: Request, request_id: FromPath[int]) -> Template:
    subject = await subject_for(request_id, request.user.enterprise_id)
    return await page(request, "face_check/authorize.html", {"subject": subject, "errors": {}})


@post("/face-check/requests/{request_id:int}/authorize", name="face_check_authorize_post", guards=ENTERPRISE)
async def face_check_authorize_post(request: Request, request_id: FromPath[int], data: Form) -> Template | Response:
    subject = await subject_for(request_id, request.user.enterprise_id)
    if data.get("agree") != "yes":
        errors = {"agree": "请先阅读并同意《人脸识别授权书》"}
        return await page(request, "face_check/authorize.html", {"subject": subject, "errors": errors}, status=422)
    check = await start_face_check(
        request_id=request_id,
        user_id=request.user.id,
        enterprise_id=request.user.enterprise_id,
        verifier=_verifier(request),
        return_url_base=f"{_public_base(request)}/face-check/return",
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )
    return Redirect(path=f"/face-check/checks/{check['ref']}", status_code=303)


@get("/face-check/checks/{ref:str}", name="face_check_page", guards=ENTERPRISE, cache=False)
async def face_check_page(request: Request, ref: FromPath[str]) -> Template:
    check = await check_of(ref, request.user.enterprise_id)
    return await page(request, "face_check/check.html", _context(check), partial="face_check/_status.html")


@get("/face-check/checks/{ref:str}/status", name="face_check_status", guards=ENTERPRISE, cache=False)
async def face_check_status(request: Request, ref: FromPath[str]) -> Template:
    check = await check_of(ref, request.user.enterprise_id)
    return await page(request, "face_check/check.html", _context(check), partial="face_check/_status.html")


@get("/face-check/return/{ref:str}", name="face_check_return", cache=False)
async def face_check_return(request: Request, ref: FromPath[str], token: FromQuery[str] = "") -> Template:
    """Where the provider sends the person back; the result is fetched from the provider by token."""
    try:
        check = await finish_face_check(ref, token, _verifier(request))
    except FaceCheckRefused as refused:
        return await page(request, "face_check/result.html", {"passed": False, "message": str(refused)}, status=409)
    return await page(request, "face_check/result.html", {"passed": True, "message": check["result_message"]})


@get("/face-check/simulator/{token:str}", name="face_simulator", cache=False)
async def face_simulator(request: Request, token: FromPath[str]) -> Template:
    row = await simulation(token)
    return await page(request, "face_check/simulator.html", {"row": row, "token": token}, status=200 if row else 404)


@post("/face-check/simulator/{token:str}", name="face_simulator_post")
async def face_simulator_post(request: Request, token: FromPath[str], data: Form) -> Template | Response:
    back = await decide_simulation(token, passed=data.get("outcome") == "pass")
    if back is None:
        return await page(request, "face_check/simulator.html", {"row": None, "token": token}, status=404)
    return Redirect(path=back, status_code=303)


def routes_for(settings: Settings) -> list:
    routes = [face_check_intro, face_check_authorize, face_check_authorize_post, face_check_page, face_check_status, face_check_return]
    # The simulator says 通过 to anyone: it must not exist where real certifications happen.
    if not settings.is_prod and settings.face.backend == "simulator":
        routes += [face_simulator, face_simulator_post]
    return routes
