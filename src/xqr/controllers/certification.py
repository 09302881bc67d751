"""企业认证, the enterprise's side: the progressive form, uploads, 企业授权书下载, and the documents' files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.datastructures import UploadFile
from litestar.response import Stream, Template

from xqr.services import certification, reference
from xqr.services.errors import NotFound, ValidationFailed
from xqr.services.letter import authorization_letter_pdf
from xqr.services.uploads import ALLOWED_EXTENSIONS, UploadRefused
from xqr.storage import ObjectNotFound
from xqr.tables.accounts import Enterprise
from xqr.web.guards import requires_login, requires_role
from xqr.web.render import is_htmx, page, see_other

PAGE = "certification/certification.html"
ENTERPRISE_ONLY = [requires_role("enterprise")]
#: room for the multipart framing around a file of the maximum size
MULTIPART_OVERHEAD = 64 * 1024
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def form_context(draft: certification.Draft | None) -> dict[str, Any]:
    """What the form's pickers and labels need."""
    city = ""
    if draft and draft.row["division_code"]:
        division = reference.divisions().get(draft.row["division_code"])
        city = division.parent if division and division.level == "county" else ""
    return {
        "draft": draft,
        "city": city,
        "cities": reference.cities(),
        "counties": reference.counties(city) if city else [],
        "sections": reference.industry_sections(),
        "industry_divisions": reference.industry_divisions,
        "enterprise_types": reference.ENTERPRISE_TYPES,
        "statuses": list(reference.REGISTRATION_STATUSES),
        "fact_labels": certification.FACT_LABELS,
        "person_labels": certification.PERSON_LABELS,
        "document_labels": certification.DOCUMENT_LABELS,
        "status_labels": certification.STATUS_LABELS,
        "division_name": reference.division_name,
        "industry_name": reference.industry_name,
        "accept": ACCEPT,
    }


async def render_page(request: Request, *, errors: dict[str, str] | None = None, typed: dict[str, str] | None = None, status: int = 200, notice: str = "") -> Template:
    user = request.user
    draft = await certification.open_draft(user.enterprise_id, user.id)
    latest = draft.row if draft else await certification.latest_request(user.enterprise_id)
    shown = draft or (await certification.load_draft(latest) if latest else None)
    context = form_context(shown)
    context.update(
        editable=draft is not None,
        latest=latest,
        history=await certification.history(user.enterprise_id),
        errors=errors or {},
        typed=typed or {},
        notice=notice,
    )
    return await page(request, PAGE, context, status=status)


@get("/my/certification", name="certification", guards=ENTERPRISE_ONLY, cache=False)
async def certification_page(request: Request) -> Template:
    return await render_page(request)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


@post("/my/certification/save", name="certification_save", guards=ENTERPRISE_ONLY)
async def save(request: Request) -> Response | Template:
    """Autosave (HTMX, one field at a time as it changes) and the 保存 button without JavaScript."""
    form = await _form(request)
    errors = await certification.save_fields(request.user.enterprise_id, form)
    if is_htmx(request):
        name = request.headers.get("hx-trigger-name", "")
        draft = await certification.open_draft(request.user.enterprise_id, request.user.id)
        context = form_context(draft)
        context.update(name=name, errors=errors, typed=form)
        if name not in certification.FACT_LABELS and name not in certification.PERSON_LABELS:
            return Response(content=b"", status_code=204)
        return Template("certification/_field.html", context=context, status_code=422 if errors.get(name) else 200)
    if errors:
        return await render_page(request, errors=errors, typed=form, status=422)
    return see_other(request, "/my/certification")


@post("/my/certification/search", name="certification_search", guards=ENTERPRISE_ONLY)
async def search(request: Request) -> Response | Template:
    """企业检索: the registry facts fill the form."""
    form = await _form(request)
    errors: dict[str, str] = {}
    notice = ""
    try:
        found = await certification.search_registry(request.user.enterprise_id, form.get("credit_code", ""))
        notice = "已从登记信息中带出企业信息，请核对。" if found else "登记信息中未找到该代码，请手动填写以下企业信息，审核员将核对。"
    except ValidationFailed as failed:
        errors = failed.errors
    if not is_htmx(request):
        if errors:
            return await render_page(request, errors=errors, typed=form, status=422)
        return see_other(request, "/my/certification")
    draft = await certification.open_draft(request.user.enterprise_id, request.user.id)
    context = form_context(draft)
    context.update(errors=errors, typed=form if errors else {}, notice=notice, editable=True)
    return Template("certification/_facts.html", context=context, status_code=422 if errors else 200)


@get("/my/certification/counties", name="certification_counties", guards=ENTERPRISE_ONLY, cache=False)
async def counties(request: Request, city: FromQuery[str] = "") -> Template:
    """The 区县 select of the 注册区域 cascade, for the chosen 市."""
    return Template(
        "certification/_counties.html",
        context={"counties": reference.counties(city), "value": "", "errors": {}},
        headers={"Vary": "HX-Request"},
    )


def _document_context(draft: certification.Draft | None, kind: str, error: str = "") -> dict[str, Any]:
    context = form_context(draft)
    context.update(kind=kind, errors={kind: error} if error else {}, editable=True)
    return context


@post(
    "/my/certification/documents/{kind:str}",
    name="certification_upload",
    guards=ENTERPRISE_ONLY,
    request_max_body_size=None,  # the upload service enforces settings.upload_max_bytes while streaming
)
async def upload(request: Request, kind: FromPath[str]) -> Response | Template:
    """营业执照 / 企业授权书: check, store, and show the preview."""
    settings = request.app.state.settings
    if int(request.headers.get("content-length") or 0) > settings.upload_max_bytes + MULTIPART_OVERHEAD:
        error = f"文件不能超过 {settings.upload_max_bytes // (1024 * 1024)} MB"
    else:
        form = await request.form()
        source = form.get("file")
        error = ""
        if not isinstance(source, UploadFile) or not source.filename:
            error = "请选择要上传的文件"
        else:
            try:
                await certification.upload_document(
                    request.app.state.storage, request.user.enterprise_id, kind, source, max_bytes=settings.upload_max_bytes
                )
            except UploadRefused as refused:
                error = str(refused)
            finally:
                await source.close()
    if not is_htmx(request):
        if error:
            return await render_page(request, errors={kind: error}, status=422)
        return see_other(request, "/my/certification")
    draft = await certification.open_draft(request.user.enterprise_id, request.user.id)
    return Template("certification/_document.html", context=_document_context(draft, kind, error), status_code=422 if error else 200)


@post("/my/certification/documents/{kind:str}/delete", name="certification_delete_document", guards=ENTERPRISE_ONLY)
async def delete_document(request: Request, kind: FromPath[str]) -> Response | Template:
    await certification.delete_document(request.app.state.storage, request.user.enterprise_id, kind)
    if not is_htmx(request):
        return see_other(request, "/my/certification")
    draft = await certification.open_draft(request.user.enterprise_id, request.user.id)
    return Template("certification/_document.html", context=_document_context(draft, kind))


@post("/my/certification/submit", name="certification_submit", guards=ENTERPRISE_ONLY)
async def submit(request: Request) -> Response | Template:
    form = await _form(request)
    # A last save: what the user typed just before 提交 may not have been autosaved yet.
    errors = await certification.save_fields(request.user.enterprise_id, form)
    if not errors:
        try:
            await certification.submit(
                request.user.enterprise_id,
                request.user.id,
                consented=form.get("consent") == "yes",
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except ValidationFailed as failed:
            errors = failed.errors
    if errors:
        return await render_page(request, errors=errors, typed=form, status=422)
    return see_other(request, "/my/certification")


@get("/my/certification/letter.pdf", name="certification_letter", guards=ENTERPRISE_ONLY, cache=False)
async def letter(request: Request) -> Response:
    """企业授权书下载: the blank letter with this enterprise's name and credit code."""
    enterprise = await Enterprise.select(Enterprise.name, Enterprise.credit_code).where(Enterprise.id == request.user.enterprise_id).first()
    return Response(
        content=authorization_letter_pdf(enterprise["name"], enterprise["credit_code"]),
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('企业授权书.pdf')}", "Cache-Control": "no-store"},
    )


async def _stream(request: Request, document_id: int, preview: bool) -> Stream:
    key, content_type, name = await certification.document_for(request.user, document_id, preview=preview)
    try:
        stored, chunks = await request.app.state.storage.open(key)
    except ObjectNotFound:
        raise NotFound("文件不存在") from None
    return Stream(
        content=chunks,
        media_type=content_type,
        headers={
            "Content-Length": str(stored.size),
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
            # Personal documents: never kept by shared caches, and not re-used after logout.
            "Cache-Control": "private, no-store",
        },
    )


@get("/certification/documents/{document_id:int}", name="certification_document", guards=[requires_login], cache=False)
async def document_file(request: Request, document_id: FromPath[int]) -> Stream:
    """A document's file, to its enterprise and to reviewers; anyone else gets 404."""
    return await _stream(request, document_id, preview=False)


@get("/certification/documents/{document_id:int}/preview", name="certification_document_preview", guards=[requires_login], cache=False)
async def document_preview(request: Request, document_id: FromPath[int]) -> Stream:
    return await _stream(request, document_id, preview=True)


ROUTES = [
    certification_page,
    save,
    search,
    counties,
    upload,
    delete_document,
    submit,
    letter,
    document_file,
    document_preview,
]
