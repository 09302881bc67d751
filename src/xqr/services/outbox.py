"""The outbox: SMS and e-mail written in the caller's transaction, delivered later by the delivery loop."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from jinja2 import Environment, FileSystemLoader, select_autoescape

from xqr.gateways.sms import SMS_CODE_PURPOSE
from xqr.tables.messaging import Message, Outbox

MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def enqueue_sms(phone: str, text: str, *, purpose: str = "", params: Sequence[str] = ()) -> int:
    """An SMS queued in the caller's transaction; `params` fill the provider's template for `purpose`."""
    row = Outbox(
        channel="sms",
        recipient=phone,
        body_text=text,
        purpose=purpose,
        params=json.dumps([str(value) for value in params], ensure_ascii=False),
        next_attempt_at=_now(),
        created_at=_now(),
    )
    await row.save()
    return row.id


async def enqueue_sms_code(phone: str, code: str, minutes: int) -> int:
    """A verification-code SMS; the production template takes the same two values, {1}=code {2}=minutes."""
    text = f"【湘企融】您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。"
    return await enqueue_sms(phone, text, purpose=SMS_CODE_PURPOSE, params=[code, str(minutes)])


def outlived(row: dict, now: datetime) -> bool:
    """Whether an outbox row is no use any more: a code SMS whose code has expired (its second parameter)."""
    if row["channel"] != "sms" or row["purpose"] != SMS_CODE_PURPOSE:
        return False
    minutes = int(json.loads(row["params"])[1])
    return row["created_at"] + timedelta(minutes=minutes) < now


async def enqueue_mail(address: str, subject: str, text: str, html: str = "", *, purpose: str = "") -> int:
    row = Outbox(
        channel="mail",
        recipient=address,
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=purpose,
        next_attempt_at=_now(),
        created_at=_now(),
    )
    await row.save()
    return row.id


@lru_cache(maxsize=1)
def _mail_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(MAIL_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        keep_trailing_newline=True,
    )


def render_mail(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body from mail/<template>.subject.txt, .txt and .html."""
    env = _mail_environment()
    subject = env.get_template(f"{template}.subject.txt").render(context).strip()
    text = env.get_template(f"{template}.txt").render(context)
    html = env.get_template(f"{template}.html").render(context)
    return subject, text, html


async def queue_mail(address: str, template: str, context: dict) -> int:
    """An e-mail from templates/mail/<template>.*, queued in the caller's transaction."""
    subject, text, html = render_mail(template, context)
    return await enqueue_mail(address, subject, text, html, purpose=template)


async def post_message(user_id: int, title: str, body: str = "", link: str = "") -> int:
    """An in-app message in 我的消息; written in the caller's transaction, so it is delivered by being saved."""
    row = Message(recipient=user_id, title=title, body=body, link=link, created_at=_now())
    await row.save()
    return row.id


async def recent_outbox(limit: int) -> list[dict]:
    return await Outbox.select().order_by(Outbox.id, ascending=False).limit(limit)
