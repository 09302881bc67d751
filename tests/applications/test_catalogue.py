"""融资超市 search: name and institution search, filters, sorts, paging; the deadline in working days."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.applications.conftest import actor, certify, good_application, product_of
from xqr.services import applications
from xqr.services.catalogue import PAGE_SIZE, CatalogueQuery, search
from xqr.services.demo import read_sample_products
from xqr.tables.catalogue import Institution, Product


def _q(**params) -> CatalogueQuery:
    return CatalogueQuery.from_params({key: str(value) for key, value in params.items()})


async def _all(**params) -> list[dict]:
    items, page = [], 1
    while True:
        result = await search(_q(page=page, **params))
        items += result.items
        if page >= result.pages:
            return items
        page += 1


async def test_search_finds_products_by_product_name_or_institution_name(demo):
    sample = read_sample_products()
    by_bank = await _all(q="广发银行")
    assert {item["institution_name"] for item in by_bank} == {"广发银行"}
    assert len(by_bank) == sum(row["institution"] == "广发银行" for row in sample)
    name = sample[0]["product_name"]
    assert name in [item["name"] for item in await _all(q=name)]
    assert (await search(_q(q="没有这种产品"))).total == 0


async def test_filters_keep_only_matching_products(demo):
    sample = read_sample_products()
    credit = await _all(type="信用贷")
    assert len(credit) == sum(row["product_type"] == "信用贷" for row in sample)
    wished = Decimal("500")
    fitting = await _all(amount=wished)
    expected = [row for row in sample if Decimal(row["min_amount_wan"]) <= wished <= Decimal(row["max_amount_wan"])]
    assert len(fitting) == len(expected)
    term = await _all(term=36)
    assert len(term) == sum(int(row["min_term_months"]) <= 36 <= int(row["max_term_months"]) for row in sample)
    mortgage = await _all(guarantee="抵押")
    assert mortgage and all("抵押" in item["guarantee"] for item in mortgage)
    bank = await Institution.select().where(Institution.name == "长沙银行").first()
    assert {item["institution_name"] for item in await _all(institution=bank["id"])} == {"长沙银行"}


async def test_sorts_order_by_rate_amount_and_newest(demo):
    by_rate = await _all(sort="rate")
    assert [item["min_rate"] for item in by_rate] == sorted(item["min_rate"] for item in by_rate)
    by_amount = await _all(sort="amount")
    assert [item["max_amount"] for item in by_amount] == sorted((item["max_amount"] for item in by_amount), reverse=True)
    newest = await Product.select(Product.id).order_by(Product.id, ascending=False).first()
    await Product.update({Product.created_at: datetime.now(timezone.utc) + timedelta(minutes=1)}).where(Product.id == newest["id"] - 5)
    assert (await search(_q(sort="newest"))).items[0]["id"] == newest["id"] - 5


async def test_paging_walks_every_product_once_and_the_page_is_clamped(demo):
    total = len(read_sample_products())
    first = await search(_q())
    assert first.total == total and len(first.items) == PAGE_SIZE
    everything = await _all()
    assert len({item["id"] for item in everything}) == total
    last = await search(_q(page=999))
    assert last.query.page == first.pages


async def test_delisted_products_and_disabled_institutions_are_not_shown(demo):
    product = await product_of("中国工商银行")
    await Product.update({Product.status: "delisted"}).where(Product.id == product["id"])
    assert product["id"] not in [item["id"] for item in await _all(q="中国工商银行")]
    await Institution.update({Institution.is_active: False}).where(Institution.name == "长沙银行")
    assert (await search(_q(q="长沙银行"))).total == 0


async def test_cards_count_the_applications_a_product_received(demo):
    await certify("demo_qiye")
    product = await product_of("广发银行")
    await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)
    [card] = (await search(_q(q="广发银行"))).items
    assert card["applications"] == 1


def test_bad_filter_values_are_dropped_not_refused():
    query = _q(type="不存在", amount="abc", term="-3", sort="random", page="x", q="  惠如愿 ")
    assert (query.product_type, query.amount, query.term, query.sort, query.page, query.q) == ("", None, None, "", 1, "惠如愿")
    assert _q(q="长沙银行", type="信用贷", page=2).url() == "/products?q=%E9%95%BF%E6%B2%99%E9%93%B6%E8%A1%8C&type=%E4%BF%A1%E7%94%A8%E8%B4%B7&page=2"


CHINA = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("submitted", "last_day"),
    [
        (datetime(2026, 12, 1, 10, 0, tzinfo=CHINA), "2026-12-04"),  # Tuesday → Friday
        (datetime(2026, 12, 3, 16, 0, tzinfo=CHINA), "2026-12-08"),  # Thursday → Tuesday, over the weekend
        (datetime(2026, 12, 5, 9, 0, tzinfo=CHINA), "2026-12-09"),  # Saturday → Wednesday
        (datetime(2026, 12, 3, 23, 30, tzinfo=CHINA), "2026-12-08"),  # late evening Beijing time is still that day
    ],
)
def test_the_response_deadline_counts_working_days_and_skips_weekends(submitted, last_day):
    deadline = applications.response_deadline(submitted.astimezone(timezone.utc), 3)
    assert (deadline - timedelta(seconds=1)).astimezone(CHINA).date().isoformat() == last_day
    assert not applications.is_overdue("submitted", deadline, deadline - timedelta(seconds=1))
    assert applications.is_overdue("submitted", deadline, deadline)
    assert not applications.is_overdue("accepted", deadline, deadline + timedelta(days=5))


async def test_overdue_applications_are_counted_for_staff_and_shown_to_the_enterprise(demo):
    from xqr.tables.applications import LoanApplication

    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    applied = await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)
    staff = await actor("demo_gsyh")
    assert (await applications.queue(staff)).overdue == 0
    await LoanApplication.update({LoanApplication.respond_by: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(LoanApplication.id == applied.id)
    result = await applications.queue(staff, overdue_only=True)
    assert result.overdue == 1 and [item["id"] for item in result.items] == [applied.id] and result.items[0]["overdue"]
    assert (await applications.for_enterprise(await actor("demo_qiye")))[0]["overdue"]
    assert (await applications.queue(await actor("demo_admin"), overdue_only=True)).total == 1
