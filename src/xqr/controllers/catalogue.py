"""融资超市 (public): the product search and 产品详情."""

from litestar import Request, get
from litestar.response import Template

from xqr.services.catalogue import GUARANTEE_KINDS, PRODUCT_TYPES, SORTS, CatalogueQuery, active_institutions, public_product, search
from xqr.web.render import is_htmx, page


@get("/products", name="catalogue", cache=False)
async def catalogue(request: Request) -> Template:
    result = await search(CatalogueQuery.from_params(request.query_params))
    live = is_htmx(request)
    # the filter form is not part of a live update: its institution list is needed for whole pages only
    institutions = [] if live else await active_institutions()
    context = {
        "result": result,
        "query": result.query,
        "type_options": [(name, name) for name in PRODUCT_TYPES],
        "guarantee_options": [(name, name) for name in GUARANTEE_KINDS],
        "institution_options": [(row["id"], row["name"]) for row in institutions],
        "sort_options": list(SORTS.items()),
    }
    # the canonical URL of what is shown, so a live search can be shared and the back button works
    headers = {"HX-Push-Url": result.query.url()} if live else None
    return await page(request, "catalogue/products.html", context, partial="catalogue/_results.html", headers=headers)


@get("/products/{product_id:int}", name="product_detail", cache=False)
async def product_detail(request: Request, product_id: int) -> Template:
    return await page(request, "catalogue/product.html", {"product": await public_product(product_id)})


ROUTES = [catalogue, product_detail]
