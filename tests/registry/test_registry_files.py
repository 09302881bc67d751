"""xqr registry generate and import: synthetic enterprises, CSV and JSON Lines, rejections, idempotent re-import."""

import csv
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from xqr.cli import main
from xqr.services.identity_codes import credit_code_problem, organization_code_check_character
from xqr.services.reference import divisions, industry_name
from xqr.services.registry import get_registry
from xqr.services.registry_generate import authority_name, generate_entries
from xqr.services.registry_import import entry_record, import_file, write_entries
from xqr.tables.registry import RegistryEnterprise


def test_the_same_seed_gives_the_same_enterprises_and_another_seed_others():
    assert list(generate_entries(300, seed=5)) == list(generate_entries(300, seed=5))
    assert {e.credit_code for e in generate_entries(300, seed=5)}.isdisjoint(e.credit_code for e in generate_entries(300, seed=6))


def test_generated_enterprises_are_valid_hunan_registrations():
    entries = list(generate_entries(3000, seed=11))
    assert len({e.credit_code for e in entries}) == len(entries)
    for e in entries:
        assert credit_code_problem(e.credit_code) is None, e.credit_code
        assert e.credit_code[16] == organization_code_check_character(e.credit_code[8:16])
        assert e.credit_code[2:8] == e.division_code and e.division_code in divisions()
        assert e.authority == authority_name(e.division_code)
        assert industry_name(e.industry_code)
        assert e.name and e.address.startswith("湖南省") and e.legal_representative
    category = {"个体工商户": "92", "农民专业合作社": "93"}
    assert all(e.credit_code[:2] == category.get(e.enterprise_type, "91") for e in entries)


def test_generated_enterprises_spread_over_types_statuses_places_and_years():
    entries = list(generate_entries(3000, seed=11))
    assert len(Counter(e.enterprise_type for e in entries)) >= 10
    assert len(Counter(e.status for e in entries)) >= 6
    assert len(Counter(e.industry_code for e in entries)) >= 30
    assert len({e.division_code[:4] for e in entries}) == 14
    assert len({e.established_on.year for e in entries}) >= 25
    assert len({e.registered_capital for e in entries}) >= 10
    assert sum(e.is_active for e in entries) > len(entries) / 2 > sum(not e.is_active for e in entries)


def test_district_authorities_carry_the_city_name_and_counties_their_own():
    assert authority_name("430104") == "长沙市岳麓区市场监督管理局"
    assert authority_name("430121") == "长沙县市场监督管理局"
    assert authority_name("430100") == "长沙市市场监督管理局"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
async def test_a_generated_file_imports_completely_and_a_second_import_changes_nothing(db, tmp_path, suffix):
    entries = list(generate_entries(250, seed=3))
    path = tmp_path / f"registry{suffix}"
    assert write_entries(entries, path) == 250

    first = await import_file(path, batch_size=100)
    assert (first.counts.inserted, first.counts.updated, first.counts.unchanged, first.rejected_count) == (250, 0, 0, 0)
    before = {row["credit_code"]: row["updated_at"] for row in await RegistryEnterprise.select(RegistryEnterprise.credit_code, RegistryEnterprise.updated_at)}

    second = await import_file(path, batch_size=100)
    assert (second.counts.inserted, second.counts.updated, second.counts.unchanged) == (0, 0, 250)
    after = {row["credit_code"]: row["updated_at"] for row in await RegistryEnterprise.select(RegistryEnterprise.credit_code, RegistryEnterprise.updated_at)}
    assert after == before
    for entry in entries[:20]:
        assert replace(await get_registry().lookup(entry.credit_code), updated_at=None) == entry


async def test_a_changed_row_is_updated_and_only_that_row(db, tmp_path):
    entries = list(generate_entries(30, seed=4))
    path = tmp_path / "registry.csv"
    write_entries(entries, path)
    await import_file(path)
    changed = replace(entries[7], status="注销", address="湖南省长沙市天心区新地址 1 号")
    write_entries(entries[:7] + [changed] + entries[8:], path)

    report = await import_file(path)

    assert (report.counts.inserted, report.counts.updated, report.counts.unchanged) == (0, 1, 29)
    found = await get_registry().lookup(changed.credit_code)
    assert (found.status, found.address) == ("注销", "湖南省长沙市天心区新地址 1 号")


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


async def test_bad_rows_are_reported_by_line_and_reason_and_not_stored(db, tmp_path):
    good, bad_check, no_name, bad_division, bad_date, bad_capital, bad_industry = generate_entries(7, seed=8)
    wrong_char = "0" if bad_check.credit_code[-1] != "0" else "1"
    records = [entry_record(e) for e in (good, bad_check, no_name, bad_division, bad_date, bad_capital, bad_industry)]
    records[1]["credit_code"] = bad_check.credit_code[:-1] + wrong_char
    records[2]["name"] = "  "
    records[3]["division_code"] = "110101"
    records[4]["established_on"] = "2020-13-45"
    records[5]["registered_capital"] = "五百万"
    records[6]["industry_code"] = "99"
    path = tmp_path / "bad.csv"
    _write_csv(path, list(records[0]), [list(r.values()) for r in records])

    report = await import_file(path)

    assert report.counts.inserted == 1
    reasons = {rejection.line: rejection.reason for rejection in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]  # line 1 is the header, line 2 the good row
    assert "校验位" in reasons[3]
    assert "企业名称" in reasons[4]
    assert "注册区域" in reasons[5] and "110101" in reasons[5]
    assert "成立日期" in reasons[6]
    assert "注册资本" in reasons[7]
    assert "行业分类" in reasons[8]
    assert await RegistryEnterprise.count() == 1
    assert await get_registry().lookup(good.credit_code) is not None
    for rejected in (no_name, bad_division, bad_date, bad_capital, bad_industry):
        assert await get_registry().lookup(rejected.credit_code) is None


async def test_registry_export_headers_in_chinese_are_understood(db, tmp_path):
    entry = next(generate_entries(1, seed=9))
    record = entry_record(entry)
    header = ["统一社会信用代码", "企业名称", "登记状态", "注册地址", "企业类型", "成立日期", "注册资本(万元)", "登记机关", "行业分类", "法定代表人", "经营范围"]
    keys = ["credit_code", "name", "status", "address", "enterprise_type", "established_on", "registered_capital", "authority", "industry_code", "legal_representative", "business_scope"]
    path = tmp_path / "export.csv"
    half_width = {k: record[k].replace("（", "(").replace("）", ")") for k in ("name", "enterprise_type")}
    _write_csv(path, header, [[half_width.get(k, record[k]) for k in keys]])

    report = await import_file(path)

    assert report.counts.inserted == 1
    found = await get_registry().lookup(entry.credit_code)
    # 注册区域 came from the code; the name's and type's brackets were normalised to full width
    assert replace(found, updated_at=None) == entry


async def test_json_lines_that_are_not_objects_are_rejected_by_line(db, tmp_path):
    first, second = generate_entries(2, seed=10)
    path = tmp_path / "registry.jsonl"
    path.write_text(
        json.dumps(entry_record(first), ensure_ascii=False) + "\n\n{not json\n[1, 2]\n" + json.dumps(entry_record(second), ensure_ascii=False) + "\n",
        encoding="utf-8",
    )

    report = await import_file(path)

    assert report.counts.inserted == 2
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "不是有效的 JSON 对象"), (4, "不是有效的 JSON 对象")]


def test_the_commands_generate_then_import_with_progress_and_a_rejection_report(db, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    assert main(["registry", "generate", "--count", "40", "--out", str(path), "--seed", "12"]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",存续,", ",,", 1) if ",存续," in lines[5] else ",".join([""] + lines[5].split(",")[1:])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert main(["registry", "import", str(path)]) == 1

    out, err = capsys.readouterr()
    assert "新增 39" in out and "拒绝 1" in out
    assert "100.0%" in err
    assert "第 6 行" in err
    assert main(["registry", "import", str(tmp_path / "registry.txt")]) == 2
