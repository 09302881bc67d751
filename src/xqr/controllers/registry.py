"""The business registry's live search (企业名称 on the registration form). Public: registration comes before login."""

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from xqr.services.registry import MIN_QUERY_LENGTH, get_registry, normalize_query, split_on_match
from xqr.web.render import VARY

#: longer input is no name fragment: cut it rather than search for it
MAX_QUERY_LENGTH = 60


@get("/registry/search", name="registry_search")
async def registry_search(request: Request, q: FromQuery[str] = "") -> Template:
    query = q[:MAX_QUERY_LENGTH]
    entries = await get_registry().search(query)
    matches = [
        {"entry": entry, "name": split_on_match(entry.name, query), "code": split_on_match(entry.credit_code, query.upper())}
        for entry in entries
    ]
    return Template(
        template_name="registry/_matches.html",
        context={"matches": matches, "searched": len(normalize_query(query)) >= MIN_QUERY_LENGTH},
        # The answer depends on the query only: a browser may reuse it while the user types back and forth.
        headers={**VARY, "Cache-Control": "private, max-age=60"},
    )


ROUTES = [registry_search]
