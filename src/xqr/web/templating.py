"""Jinja globals and filters every template may use."""

from __future__ import annotations

from datetime import datetime, timezone, timedelta
from decimal import Decimal

from jinja2 import Environment

from xqr.settings import Settings
from xqr.web.nav import menu_for

CHINA_TIME = timezone(timedelta(hours=8))


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Beijing time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA_TIME).strftime(fmt)


def amount(value: Decimal | float | int | None) -> str:
    """万元 amounts without trailing zeros: 300, 12.5."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def configure_environment(env: Environment, settings: Settings) -> None:
    env.globals.update(settings=settings, menu_for=menu_for, site_name="湘企融")
    env.filters.update(local_time=local_time, amount=amount)
