"""The business registry's live search (企业名称 on the registration form). Public: registration comes before login."""

from litestar import Request, get
from litestar.response import Template

from xqr.services.registry import get_registry, split_on_match
from xqr.web.render import VARY

#: longer input is no name fragment: cut it rather than search for it
MAX_QUERY_LENGTH = 60


@get("/registry/search", name="registry_search")
async def registry_search(request: Request, q: str = "") -> Template:
    query = q[:MAX_QUERY_LENGTH]
    entries = await get_registry().search(query)
    matches = [
        {"entry": entry, "name": split_on_match(entry.name, query), "code": split_on_match(entry.credit_code, query.upper())}
        for entry in entries
    ]
    return Template(
        template_name="registry/_matches.html",
        context={"matches": matches, "searched": len(query.strip()) >= 2},
        # The answer depends on the query only: a browser may reuse it while the user types back and forth.
        headers={**VARY, "Cache-Control": "private, max-age=60"},
    )


ROUTES = [registry_search]
