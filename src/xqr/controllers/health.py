"""GET /healthz for load balancers: the database and the storage answer."""

from litestar import Request, Response, get

from xqr.services.health import check_health


@get("/healthz", name="healthz", cache=False)
async def healthz(request: Request) -> Response:
    report = await check_health(request.app.state.storage)
    return Response(content=report, status_code=200 if report["ok"] else 503)


ROUTES = [healthz]
