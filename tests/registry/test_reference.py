"""Reference tables: divisions, industries and the registry's vocabulary."""

import csv

from xqr.services import reference


def _file_rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_divisions_hold_every_row_of_the_file_with_its_level_and_parent():
    rows = _file_rows(reference.DIVISIONS_FILE)
    divisions = reference.divisions()
    assert len(divisions) == len(rows)
    for row in rows:
        division = divisions[row["code"]]
        assert (division.name, division.level, division.parent or "") == (row["name"], row["level"], row["parent_code"])


def test_division_names_carry_their_city_and_unknown_codes_have_none():
    rows = {row["code"]: row for row in _file_rows(reference.DIVISIONS_FILE)}
    county = next(row for row in rows.values() if row["level"] == "county")
    city = rows[county["parent_code"]]
    assert reference.division_name(county["code"]) == city["name"] + county["name"]
    assert reference.division_name(city["code"]) == city["name"]
    assert reference.division_name("110101") == ""
    assert reference.division_name(None) == ""


def test_cities_and_their_counties_follow_the_parent_links():
    rows = _file_rows(reference.DIVISIONS_FILE)
    assert [c.code for c in reference.cities()] == [r["code"] for r in rows if r["level"] == "prefecture"]
    for city in reference.cities():
        expected = [r["code"] for r in rows if r["level"] == "county" and r["parent_code"] == city.code]
        assert [c.code for c in reference.counties(city.code)] and [c.code for c in reference.counties(city.code)] == expected


def test_industries_are_sections_and_divisions_each_division_under_the_section_before_it():
    rows = _file_rows(reference.INDUSTRIES_FILE)
    industries = reference.industries()
    assert list(industries) == [row["code"] for row in rows]
    section = None
    for row in rows:
        if row["code"].isalpha():
            section = row["code"]
            assert industries[row["code"]].is_section
        else:
            assert industries[row["code"]].section == section
        assert reference.industry_name(row["code"]) == row["name"]
    assert len(reference.industry_sections()) == sum(1 for row in rows if row["code"].isalpha())


def test_industry_names_accept_lower_case_sections_and_finer_codes_and_refuse_unknown_ones():
    assert reference.industry_name("c") == reference.industries()["C"].name
    assert reference.industry_name("6511") == reference.industries()["65"].name
    assert reference.industry_name("99") == ""
    assert reference.industry_name("") == ""


def test_active_statuses_are_the_in_business_ones():
    assert {"存续", "在业"} <= reference.ACTIVE_STATUSES
    assert not {"注销", "吊销", "迁出", "吊销，未注销"} & reference.ACTIVE_STATUSES
    assert set(reference.ACTIVE_STATUSES) <= set(reference.REGISTRATION_STATUSES)


def test_enterprise_types_include_the_common_sme_forms():
    for kind in ("个人独资企业", "个体工商户", "农民专业合作社", "有限合伙企业"):
        assert kind in reference.ENTERPRISE_TYPES
    assert any(t.startswith("有限责任公司") for t in reference.ENTERPRISE_TYPES)
    assert any(t.startswith("股份有限公司") for t in reference.ENTERPRISE_TYPES)


def test_registry_text_uses_full_width_brackets_and_single_spaces():
    assert reference.normalize_registry_text(" 有限责任公司(自然人投资或控股)  ") == "有限责任公司（自然人投资或控股）"
    assert reference.normalize_registry_text("长沙  湘江") == "长沙 湘江"
