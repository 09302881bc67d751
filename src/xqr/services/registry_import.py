"""Registry files (CSV or JSON Lines, by extension): reading them into the registry, and writing them.

Import streams: rows are checked one by one and saved in batches, so a million-row file needs the
memory of one batch. A row that breaks a rule is not stored; the report gives its line and why.
Saving skips rows whose facts did not change, so re-importing a file changes nothing.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from xqr.services.identity_codes import credit_code_problem, normalize_credit_code
from xqr.services.reference import divisions, industry_name, normalize_registry_text
from xqr.services.registry import FACT_FIELDS, RegistryEntry, SaveCounts, save_entries

#: the file's columns, as `xqr registry generate` writes them
FILE_COLUMNS: tuple[str, ...] = FACT_FIELDS
#: the same columns under the labels of registry exports (营业执照 / 公示系统 wording)
COLUMN_ALIASES: dict[str, str] = {
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "登记状态": "status",
    "经营状态": "status",
    "注册区域": "division_code",
    "注册地址": "address",
    "住所": "address",
    "企业类型": "enterprise_type",
    "类型": "enterprise_type",
    "成立日期": "established_on",
    "注册资本(万元)": "registered_capital",
    "注册资本（万元）": "registered_capital",
    "登记机关": "authority",
    "行业分类": "industry_code",
    "法定代表人": "legal_representative",
    "法人代表": "legal_representative",
    "经营范围": "business_scope",
    "营业范围": "business_scope",
}
MAX_LENGTHS = {
    "name": 200,
    "status": 20,
    "address": 300,
    "enterprise_type": 60,
    "authority": 100,
    "legal_representative": 60,
}
LABELS = {
    "name": "企业名称",
    "status": "登记状态",
    "address": "注册地址",
    "enterprise_type": "企业类型",
    "authority": "登记机关",
    "legal_representative": "法定代表人",
}
BATCH_SIZE = 1000
#: rejections kept for the report; beyond this only the count grows (a wrong file must not fill memory)
MAX_REPORTED_REJECTIONS = 1000


class UnsupportedFile(ValueError):
    pass


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportReport:
    counts: SaveCounts = field(default_factory=SaveCounts)
    rejected: list[Rejection] = field(default_factory=list)
    rejected_count: int = 0

    @property
    def rows_read(self) -> int:
        return self.counts.inserted + self.counts.updated + self.counts.unchanged + self.rejected_count

    def reject(self, line: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED_REJECTIONS:
            self.rejected.append(Rejection(line, reason))


class RowProblem(ValueError):
    pass


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    raise UnsupportedFile(f"不支持的文件类型 {suffix or '（无扩展名）'}：请使用 .csv 或 .jsonl")


# ---------------------------------------------------------------- reading


def _renamed(record: dict) -> dict:
    return {COLUMN_ALIASES.get(key, key): value for key, value in record.items() if key is not None}


def _csv_records(handle: TextIO) -> Iterator[tuple[int, dict | None]]:
    reader = csv.DictReader(handle)
    reader.fieldnames  # reads the header, so that line_num counts it
    while True:
        line = reader.line_num + 1  # a quoted value may span lines: report where the row starts
        try:
            record = next(reader)
        except StopIteration:
            return
        yield line, _renamed(record)


def _jsonl_records(handle: TextIO) -> Iterator[tuple[int, dict | None]]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            record = None
        yield line, _renamed(record) if isinstance(record, dict) else None


def _records(handle: TextIO, kind: str) -> Iterator[tuple[int, dict | None]]:
    """(line number, record) pairs; record None when a JSON line is not an object."""
    return _csv_records(handle) if kind == "csv" else _jsonl_records(handle)


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    return "" if value is None else normalize_registry_text(str(value))


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value: str) -> date | None:
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if parsed > date.today():
            raise RowProblem(f"成立日期 {value} 晚于今天")
        return parsed
    raise RowProblem(f"成立日期 {value} 不是有效的日期（应为 YYYY-MM-DD）")


_CAPITAL = re.compile(r"(\d+(?:\.\d+)?)\s*(?:万元|万元人民币|万人民币|万)?")


def parse_capital(value: str) -> Decimal | None:
    if not value:
        return None
    match = _CAPITAL.fullmatch(value.replace(",", ""))
    if not match:
        raise RowProblem(f"注册资本 {value} 不是有效的金额（万元）")
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise RowProblem(f"注册资本 {value} 不是有效的金额（万元）") from None
    if amount >= Decimal("1e12"):
        raise RowProblem(f"注册资本 {value} 超出范围")
    return amount


def entry_from_record(record: dict) -> RegistryEntry:
    """A checked entry, or RowProblem saying what is wrong (the first problem found)."""
    code = normalize_credit_code(_text(record, "credit_code"))
    if problem := credit_code_problem(code):
        raise RowProblem(f"{problem}（{code or '空'}）")
    name = _text(record, "name")
    if not name:
        raise RowProblem("缺少企业名称")
    status = _text(record, "status")
    if not status:
        raise RowProblem("缺少登记状态")
    for column, limit in MAX_LENGTHS.items():
        if len(_text(record, column)) > limit:
            raise RowProblem(f"{LABELS[column]}超过 {limit} 个字")
    # Registry exports often leave 注册区域 out: the code carries the registering authority's division.
    division = _text(record, "division_code") or code[2:8]
    if division not in divisions():
        raise RowProblem(f"注册区域 {division} 不是湖南省的行政区划代码")
    industry = _text(record, "industry_code").upper()
    if industry and not industry_name(industry):
        raise RowProblem(f"行业分类 {industry} 不是 GB/T 4754-2017 的代码")
    return RegistryEntry(
        credit_code=code,
        name=name,
        status=status,
        division_code=division,
        address=_text(record, "address"),
        enterprise_type=_text(record, "enterprise_type"),
        established_on=parse_date(_text(record, "established_on")),
        registered_capital=parse_capital(_text(record, "registered_capital")),
        authority=_text(record, "authority"),
        industry_code=industry,
        legal_representative=_text(record, "legal_representative"),
        business_scope=str(record.get("business_scope") or "").strip(),
    )


Progress = Callable[[int, int], None]


async def import_file(path: Path, *, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> ImportReport:
    """Upsert every good row of a CSV or JSON Lines file by credit code; report the others.

    `progress(bytes_read, total_bytes)` is called after each batch.
    """
    kind = file_format(path)
    total = path.stat().st_size
    report = ImportReport()
    batch: list[RegistryEntry] = []
    with path.open(encoding="utf-8-sig", newline="" if kind == "csv" else None) as handle:

        async def flush() -> None:
            report.counts.add(await save_entries(batch))
            batch.clear()
            if progress:
                progress(min(handle.buffer.tell(), total), total)

        for line, record in _records(handle, kind):
            if record is None:
                report.reject(line, "不是有效的 JSON 对象")
                continue
            try:
                batch.append(entry_from_record(record))
            except RowProblem as problem:
                report.reject(line, str(problem))
                continue
            if len(batch) >= batch_size:
                await flush()
        await flush()
    if progress:
        progress(total, total)
    return report


# ---------------------------------------------------------------- writing


def entry_record(entry: RegistryEntry) -> dict[str, str]:
    """An entry as a file row: every column as text, blanks for unknown values."""
    record = {}
    for column in FILE_COLUMNS:
        value = getattr(entry, column)
        record[column] = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return record


def write_entries(entries: Iterable[RegistryEntry], path: Path) -> int:
    """Write entries as CSV (with a header) or JSON Lines, by the file's extension; returns the count."""
    kind = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="" if kind == "csv" else None) as handle:
        writer = csv.DictWriter(handle, fieldnames=FILE_COLUMNS) if kind == "csv" else None
        if writer:
            writer.writeheader()
        for entry in entries:
            record = entry_record(entry)
            if writer:
                writer.writerow(record)
            else:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written
