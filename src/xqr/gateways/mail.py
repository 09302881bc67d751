"""Mail: the Mailer protocol, SMTP through aiosmtplib, and the outbox-only backend for development."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

import aiosmtplib

from xqr.gateways import SendFailed
from xqr.settings import Settings, SmtpSettings

logger = logging.getLogger("xqr.mail")

SMTP_TIMEOUT_SECONDS = 30
TLS_MODES = ("none", "starttls", "tls")


class MailSendFailed(SendFailed):
    pass


class Mailer(Protocol):
    async def send(self, to: str, subject: str, text: str, html: str = "", *, reference: str = "") -> str:
        """Hand one message over for delivery; returns a note for the outbox ("" when there is nothing to say).

        `reference` is our stable name for the message: the same on every attempt, it becomes the
        Message-ID, so a receiver can drop a repeat sent after a lost acknowledgement.
        Raises SendFailed (or a network error) when the message was not accepted.
        """


def build_message(sender: str, to: str, subject: str, text: str, html: str, message_id: str) -> EmailMessage:
    """A UTF-8 message: plain text, plus an HTML alternative when there is one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def sender_domain(sender: str) -> str:
    """The domain of the sender address, for Message-IDs."""
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[1] if "@" in address else "xqr.local"


class SmtpMailer:
    """Delivers through an SMTP server (XQR_SMTP_HOST)."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.tls not in TLS_MODES:
            raise ValueError(f"XQR_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {settings.tls!r}")
        self.settings = settings

    async def send(self, to: str, subject: str, text: str, html: str = "", *, reference: str = "") -> str:
        smtp = self.settings
        domain = sender_domain(smtp.sender)
        message_id = f"<xqr.{reference}@{domain}>" if reference else make_msgid(domain=domain)
        message = build_message(smtp.sender, to, subject, text, html, message_id)
        try:
            await aiosmtplib.send(
                message,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.user or None,
                password=smtp.password or None,
                use_tls=smtp.tls == "tls",
                # False rather than aiosmtplib's "when offered": "none" means plain text, on purpose.
                start_tls=smtp.tls == "starttls",
                timeout=SMTP_TIMEOUT_SECONDS,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            # A 5xx for every recipient will not change by waiting; a 4xx (mailbox busy) may.
            permanent = all(refusal.code >= 500 for refusal in error.recipients)
            raise MailSendFailed(f"收件人被拒绝：{error}", permanent=permanent) from error
        return ""


class OutboxOnlyMailer:
    """Development without an SMTP server: nothing leaves the machine, the message stays in /dev/outbox."""

    NOTE = "未配置 SMTP（XQR_SMTP_HOST 为空）：邮件只保存在发件箱，没有发出"

    async def send(self, to: str, subject: str, text: str, html: str = "", *, reference: str = "") -> str:
        logger.info("mail kept in the outbox (no SMTP host): to=%s subject=%s", to, subject)
        return self.NOTE


def make_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings.smtp) if settings.smtp.host else OutboxOnlyMailer()
