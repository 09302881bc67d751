"""Reference tables the product needs at run time: Hunan divisions, GB/T 4754 industries, registry vocabulary.

Loaded once per process from src/xqr/data/ (CSV files whose '#' lines are provenance notes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIVISIONS_FILE = DATA_DIR / "hunan_divisions.csv"
INDUSTRIES_FILE = DATA_DIR / "industry_gbt4754_2017.csv"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    #: province | prefecture | county (county covers 市辖区, 县, 自治县 and 县级市)
    level: str
    parent: str | None

    @property
    def full_name(self) -> str:
        """湖南省长沙市岳麓区: the name with its ancestors below the province."""
        names = [self.name]
        parent = self.parent
        while parent and (division := divisions()[parent]).level != "province":
            names.insert(0, division.name)
            parent = division.parent
        return "湖南省" + "".join(names) if self.level != "province" else self.name


@dataclass(frozen=True)
class Industry:
    #: a section letter (门类, A–T) or a 2-digit division (大类, 01–97)
    code: str
    name: str
    #: the division's section letter; None for a section
    section: str | None

    @property
    def is_section(self) -> bool:
        return self.section is None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@cache
def divisions() -> dict[str, Division]:
    """Every Hunan division by code, in the file's order (province, then each city and its counties)."""
    return {
        row["code"]: Division(row["code"], row["name"], row["level"], row["parent_code"] or None)
        for row in _read_csv(DIVISIONS_FILE)
    }


def division_name(code: str | None) -> str:
    """长沙市岳麓区 for 430104; '' for an unknown code (old codes stay valid on credit codes, see uscc.md)."""
    division = divisions().get(code or "")
    if division is None:
        return ""
    return division.name if division.level == "province" else division.full_name.removeprefix("湖南省")


def cities() -> list[Division]:
    """The 14 prefecture-level divisions (13 cities and 湘西土家族苗族自治州)."""
    return [d for d in divisions().values() if d.level == "prefecture"]


def counties(city_code: str) -> list[Division]:
    """The districts, counties and county-level cities of one city."""
    return [d for d in divisions().values() if d.level == "county" and d.parent == city_code]


@cache
def industries() -> dict[str, Industry]:
    """GB/T 4754-2017 sections and divisions by code, in the standard's order."""
    result: dict[str, Industry] = {}
    section: str | None = None
    for row in _read_csv(INDUSTRIES_FILE):
        code = row["code"]
        if code.isalpha():
            section = code
            result[code] = Industry(code, row["name"], None)
        else:
            result[code] = Industry(code, row["name"], section)
    return result


def industry_name(code: str | None) -> str:
    """制造业 for C, 软件和信息技术服务业 for 65; a longer code (651) is named by its 2-digit division."""
    table = industries()
    code = (code or "").strip().upper()
    industry = table.get(code) or (table.get(code[:2]) if code[:2].isdigit() else None)
    return industry.name if industry else ""


def industry_sections() -> list[Industry]:
    return [i for i in industries().values() if i.is_section]


def industry_divisions(section: str | None = None) -> list[Industry]:
    return [i for i in industries().values() if not i.is_section and (section is None or i.section == section)]


#: 企业类型 as printed on business licences (enterprise_vocab.md §1), the common ones for SMEs first.
ENTERPRISE_TYPES: tuple[str, ...] = (
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（自然人独资）",
    "有限责任公司（自然人投资或控股的法人独资）",
    "有限责任公司（非自然人投资或控股的法人独资）",
    "有限责任公司（国有独资）",
    "有限责任公司（国有控股）",
    "有限责任公司（外商投资、非独资）",
    "有限责任公司（外国法人独资）",
    "有限责任公司（港澳台投资、非独资）",
    "有限责任公司（港澳台法人独资）",
    "其他有限责任公司",
    "股份有限公司（非上市、自然人投资或控股）",
    "股份有限公司（非上市、国有控股）",
    "股份有限公司（上市、自然人投资或控股）",
    "其他股份有限公司（非上市）",
    "有限责任公司分公司（自然人投资或控股）",
    "个人独资企业",
    "普通合伙企业",
    "有限合伙企业",
    "全民所有制",
    "集体所有制",
    "股份合作制",
    "个体工商户",
    "农民专业合作社",
    "农民专业合作社联合社",
)

#: 登记状态 the disclosure system and data vendors use, each with its meaning (enterprise_vocab.md §2).
REGISTRATION_STATUSES: dict[str, str] = {
    "存续": "active",
    "在业": "active",
    "开业": "active",
    "在营（开业）": "active",
    "存续（在营、开业、在册）": "active",
    "迁入": "active",
    "吊销，未注销": "revoked",
    "吊销": "revoked",
    "注销": "cancelled",
    "撤销": "cancelled",
    "迁出": "moved_out",
    "停业": "suspended",
    "歇业": "suspended",
    "清算": "liquidating",
}

#: statuses of an enterprise that is legally in business: listed first in searches, eligible for loans
ACTIVE_STATUSES: frozenset[str] = frozenset(s for s, meaning in REGISTRATION_STATUSES.items() if meaning == "active")

_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）"})


def normalize_registry_text(value: str) -> str:
    """Registries mix half- and full-width brackets; the platform stores the full-width form."""
    return " ".join(value.split()).translate(_HALF_TO_FULL)
