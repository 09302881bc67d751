"""/dev/outbox: every SMS and e-mail the platform sent, for developers and browser tests.

Mounted only when dev pages are on (XQR_ENV=dev); production refuses to start with them.
"""

from litestar import Request, get
from litestar.response import Template

from xqr.services.outbox import recent_outbox
from xqr.settings import Settings
from xqr.web.render import page


@get("/dev/outbox", name="dev_outbox", cache=False)
async def dev_outbox(request: Request) -> Template:
    return await page(request, "dev/outbox.html", {"rows": await recent_outbox(limit=200)})


def routes_for(settings: Settings) -> list:
    return [dev_outbox] if settings.dev_pages else []
