"""产品查询's matching: how well a product fits an enterprise's certified facts, and why.

Pure functions over plain values, so the rules are tested without a database. A product's
办理区域 and 适用对象 are free text written by institutions; the rules read the usual forms
(湖南省全域, 长株潭都市圈, 湖南省内县域, city and county names; industry words such as 科技型,
涉农, 制造业) and stay neutral about text they cannot read rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Iterable

from xqr.services.certification import certified_facts
from xqr.services.reference import divisions, industries
from xqr.tables.catalogue import Product
from xqr.tables.demands import Demand

PROVINCE_WIDE = ("湖南省全域", "湖南全省", "全省", "湖南省")
METROPOLITAN = {"长株潭都市圈": ("430100", "430200", "430300"), "长株潭": ("430100", "430200", "430300")}
COUNTY_AREA = ("湖南省内县域", "县域")
#: words in 适用对象 naming an industry, and the GB/T 4754 sections (letters) or divisions (2 digits) they mean
INDUSTRY_WORDS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("科技", "高新技术", "专精特新", "科创"), frozenset({"I", "M", "27", "39", "40"})),
    (("涉农", "农业", "农户", "种养殖", "家庭农场", "农民专业合作社"), frozenset({"A"})),
    (("工程机械",), frozenset({"34", "35"})),
    (("汽车",), frozenset({"36"})),
    (("制造业",), frozenset({"C"})),
    (("外贸", "进出口"), frozenset({"C", "F"})),
    (("贸易", "大宗商品"), frozenset({"F"})),
)
AGE_RULE = re.compile(r"(?:连续纳税|成立|经营)满(\d+)年")
SEPARATORS = re.compile(r"[、,，;；/]+")

#: 万元; the same ceiling as a demand's amount
MAX_WANTED_AMOUNT = Decimal(100000)
#: how much each kind of fit counts when ordering recommendations
WEIGHTS = {"region_local": 3, "region_province": 1, "industry": 3, "amount": 2, "age": 1}


@dataclass(frozen=True)
class EnterpriseProfile:
    """The facts matching looks at, from the approved certification request."""

    division_code: str = ""
    industry_code: str = ""
    established_on: date | None = None
    #: 拟融资金额 (万元) the enterprise is looking for; None when not given
    wanted_amount: Decimal | None = None


@dataclass(frozen=True)
class ProductTerms:
    region: str
    target: str
    min_amount: Decimal
    max_amount: Decimal


@dataclass
class Fit:
    reasons: list[str] = field(default_factory=list)
    misfits: list[str] = field(default_factory=list)
    score: int = 0

    @property
    def recommended(self) -> bool:
        """为您推荐: nothing contradicts the facts and at least one thing fits."""
        return not self.misfits and bool(self.reasons)

    def add(self, reason: str, weight: str) -> None:
        self.reasons.append(reason)
        self.score += WEIGHTS[weight]


def wan(value: Decimal) -> str:
    """300 for 300.00: amounts as people write them."""
    return f"{Decimal(value).normalize():f}"


def _area_of(code: str) -> set[str]:
    """A division and the divisions above it (430104 → 430104, 430100, 430000)."""
    area: set[str] = set()
    table = divisions()
    while code and code in table:
        area.add(code)
        code = table[code].parent or ""
    return area


def _is_county(code: str) -> bool:
    """A 县, 自治县 or 县级市, not a city's 市辖区: what banks mean by 县域."""
    division = divisions().get(code)
    return division is not None and division.level == "county" and not division.name.endswith("区")


def _named_division(name: str) -> str | None:
    return next((d.code for d in divisions().values() if d.name == name), None)


def region_fit(region: str, division_code: str) -> tuple[bool | None, bool]:
    """(fits, local): whether the enterprise's division lies in the product's 办理区域 (None: cannot tell),
    and whether the area is narrower than the whole province."""
    area = _area_of(division_code)
    if not area:
        return None, False
    understood = False
    province_wide = False
    for part in (p.strip() for p in SEPARATORS.split(region or "")):
        if not part:
            continue
        if part in PROVINCE_WIDE:
            understood = province_wide = True
        elif part in METROPOLITAN:
            understood = True
            if area & set(METROPOLITAN[part]):
                return True, True
        elif part in COUNTY_AREA:
            understood = True
            if _is_county(division_code):
                return True, True
        elif code := _named_division(part):
            understood = True
            if code in area:
                return True, True
    if province_wide:
        return True, False
    return (False if understood else None), False


def _industry_keys(code: str) -> set[str]:
    """The codes an enterprise's 行业分类 belongs to: its division and its section (65 → {65, I})."""
    code = (code or "").strip().upper()
    table = industries()
    if code.isalpha():
        return {code} if code in table else set()
    division = table.get(code[:2])
    return {division.code, division.section} if division and division.section else set()


def _industry_sets(part: str) -> list[frozenset[str]]:
    return [codes for words, codes in INDUSTRY_WORDS if any(word in part for word in words)]


def industry_fit(target: str, industry_code: str) -> tuple[bool | None, str]:
    """Whether the enterprise's industry is one the 适用对象 names; None when the target names none
    (or the industry is unknown). Returns the part of the target that decided."""
    keys = _industry_keys(industry_code)
    parts = [p.strip() for p in SEPARATORS.split(target or "") if p.strip()]
    if not keys or not parts:
        return None, ""
    named = [(part, _industry_sets(part)) for part in parts]
    for part, sets in named:
        if any(keys & codes for codes in sets):
            return True, part
    if all(sets for _, sets in named):
        return False, target
    return None, ""


def years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_fit(target: str, established_on: date | None, today: date) -> tuple[bool | None, int]:
    """Whether the enterprise is as old as the target asks (…满2年); None when it asks nothing or age is unknown."""
    found = AGE_RULE.search(target or "")
    if found is None or established_on is None:
        return None, 0
    years = int(found.group(1))
    return years_between(established_on, today) >= years, years


def match(terms: ProductTerms, profile: EnterpriseProfile, today: date) -> Fit:
    fit = Fit()
    fits, local = region_fit(terms.region, profile.division_code)
    if fits:
        fit.add(f"地区匹配（{terms.region}）", "region_local" if local else "region_province")
    elif fits is False:
        fit.misfits.append(f"地区不符（办理区域：{terms.region}）")

    fits, part = industry_fit(terms.target, profile.industry_code)
    if fits:
        fit.add(f"行业匹配（{part}）", "industry")
    elif fits is False:
        fit.misfits.append(f"行业不符（适用对象：{part}）")

    if profile.wanted_amount is not None:
        span = f"{wan(terms.min_amount)}-{wan(terms.max_amount)}万元"
        if terms.min_amount <= profile.wanted_amount <= terms.max_amount:
            fit.add(f"额度匹配（{span}）", "amount")
        else:
            fit.misfits.append(f"额度不符（{span}）")

    fits, years = age_fit(terms.target, profile.established_on, today)
    if fits:
        fit.add(f"经营年限匹配（成立满{years}年）", "age")
    elif fits is False:
        fit.misfits.append(f"经营年限不足（须成立满{years}年）")
    return fit


@dataclass
class Ranked:
    product: dict
    fit: Fit


def rank(products: Iterable[dict], profile: EnterpriseProfile | None, today: date) -> tuple[list[Ranked], list[Ranked]]:
    """(为您推荐, the rest): recommendations best first, the rest in the order given.

    Without a profile (an enterprise not yet certified) nothing is recommended.
    """
    ranked = [
        Ranked(
            product,
            match(ProductTerms(product["region"], product["target"], product["min_amount"], product["max_amount"]), profile, today)
            if profile
            else Fit(),
        )
        for product in products
    ]
    recommended = sorted((r for r in ranked if r.fit.recommended), key=lambda r: (-r.fit.score, r.product["min_rate"]))
    return recommended, [r for r in ranked if not r.fit.recommended]


# ---------------------------------------------------------------- the page's data


def parse_amount(raw: str) -> tuple[Decimal | None, str | None]:
    """拟融资金额 as typed: (amount, problem); empty means no amount."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "请输入数字金额（万元）"
    if not value.is_finite() or value <= 0 or value > MAX_WANTED_AMOUNT:
        return None, f"拟融资金额须大于0且不超过{MAX_WANTED_AMOUNT}万元"
    return value, None


async def profile_of(enterprise_id: int, wanted_amount: Decimal | None) -> EnterpriseProfile | None:
    """The certified facts as matching reads them; None until the enterprise is certified."""
    facts = await certified_facts(enterprise_id)
    if facts is None:
        return None
    row = facts.row
    return EnterpriseProfile(
        division_code=row["division_code"],
        industry_code=row["industry_code"],
        established_on=row["established_on"],
        wanted_amount=wanted_amount,
    )


async def open_demand_amount(enterprise_id: int) -> Decimal | None:
    """The amount of the enterprise's latest open demand: what it is looking for, unless it types another."""
    row = await Demand.select(Demand.amount).where((Demand.enterprise == enterprise_id) & (Demand.status == "open")).order_by(
        Demand.id, ascending=False
    ).first()
    return row["amount"] if row else None


async def listed_products() -> list[dict]:
    """Listed products of active institutions, real offers before sample data, newest first."""
    return await Product.select(
        Product.id,
        Product.name,
        Product.product_type,
        Product.min_amount,
        Product.max_amount,
        Product.min_rate,
        Product.max_rate,
        Product.min_term_months,
        Product.max_term_months,
        Product.guarantee,
        Product.target,
        Product.region,
        Product.is_sample,
        Product.institution.name.as_alias("institution_name"),
    ).where((Product.status == "listed") & Product.institution.is_active.eq(True)).order_by(Product.is_sample).order_by(
        Product.updated_at, ascending=False
    ).order_by(Product.id)
