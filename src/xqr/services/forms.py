"""Reading typed form values: each reader records a Chinese message per bad field and returns None."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Mapping


def text(values: Mapping[str, str], name: str, label: str, errors: dict[str, str], *, max_length: int, required: bool = True) -> str:
    value = (values.get(name) or "").strip()
    if required and not value:
        errors[name] = f"请填写{label}"
    elif len(value) > max_length:
        errors[name] = f"{label}不能超过{max_length}个字"
    return value


def decimal(
    values: Mapping[str, str], name: str, label: str, errors: dict[str, str], *, minimum: Decimal, maximum: Decimal, places: int = 2, allow_zero: bool = False
) -> Decimal | None:
    raw = (values.get(name) or "").strip()
    if not raw:
        errors[name] = f"请填写{label}"
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors[name] = f"{label}须为数字"
        return None
    if value.as_tuple().exponent < -places:
        errors[name] = f"{label}最多保留{places}位小数"
        return None
    if value < minimum or value > maximum or (value == 0 and not allow_zero):
        errors[name] = f"{label}须在{minimum:f}到{maximum:f}之间" if allow_zero or minimum > 0 else f"{label}须大于0且不超过{maximum:f}"
        return None
    return value


def integer(values: Mapping[str, str], name: str, label: str, errors: dict[str, str], *, minimum: int, maximum: int) -> int | None:
    raw = (values.get(name) or "").strip()
    if not raw:
        errors[name] = f"请填写{label}"
        return None
    if not raw.isdigit():
        errors[name] = f"{label}须为正整数"
        return None
    value = int(raw)
    if not minimum <= value <= maximum:
        errors[name] = f"{label}须在{minimum}到{maximum}之间"
        return None
    return value


def day(values: Mapping[str, str], name: str, label: str, errors: dict[str, str]) -> date | None:
    raw = (values.get(name) or "").strip()
    if not raw:
        errors[name] = f"请填写{label}"
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label}格式应为 年-月-日，如 2026-12-01"
        return None
