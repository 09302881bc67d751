"""Hunan's divisions (GB/T 2260) and the industry sections (GB/T 4754-2017), from src/xqr/data."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@lru_cache(maxsize=1)
def divisions() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in _rows("hunan_divisions.csv")}


@lru_cache(maxsize=1)
def prefectures() -> list[tuple[str, str]]:
    """(4-digit prefix, name) of Hunan's 14 prefecture-level divisions, for region filters."""
    return [(code[:4], row["name"]) for code, row in divisions().items() if row["level"] == "prefecture"]


def region_name(code: str) -> str:
    """长沙市岳麓区 for 430104; the prefecture alone when the county is unknown; "" outside Hunan."""
    rows = divisions()
    prefecture = rows.get(code[:4] + "00", {}).get("name", "")
    county = rows.get(code, {})
    if county.get("level") == "county":
        return prefecture + county["name"]
    return prefecture


def region_of_credit_code(credit_code: str) -> str:
    """Positions 3-8 of a 统一社会信用代码 are the registering authority's division code (GB 32100)."""
    code = credit_code[2:8]
    return code if code[:4] + "00" in divisions() else ""


@lru_cache(maxsize=1)
def industry_sections() -> list[tuple[str, str]]:
    """(letter, name) of the 20 sections (门类) A-T."""
    return [(row["code"], row["name"]) for row in _rows("industry_gbt4754_2017.csv") if row["code"].isalpha()]


def industry_name(letter: str) -> str:
    return dict(industry_sections()).get(letter, "")
