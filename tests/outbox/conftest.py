"""Stand-ins for the outside world on loopback: an SMTP server (aiosmtpd) and the Tencent Cloud SMS API."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import AsyncIterator, Iterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from xqr.settings import SmtpSettings
from xqr.tables.messaging import Outbox


async def outbox_row(outbox_id: int) -> dict:
    return await Outbox.select().where(Outbox.id == outbox_id).first()


class Inbox:
    """An aiosmtpd handler keeping what it received; refuses the addresses in `refuse` with a 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.per_message_id: Counter[str] = Counter()
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append(message)
        self.per_message_id[message["Message-ID"]] += 1
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a loopback port that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = 0
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self.inbox), "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def settings(self) -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.port, tls="none", sender="湘企融 <noreply@xqr.test>")


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


class TencentStub:
    """Answers POST / like the Tencent Cloud API does; keeps each request's headers and JSON body."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        #: the Response object of the next answers
        self.response: dict = {}
        self.content_type = "application/json"
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
                answer = json.dumps({"Response": {**stub.response, "RequestId": f"req-{len(stub.requests)}"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", stub.content_type)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer_ok(self) -> None:
        self.response = {
            "SendStatusSet": [
                {"SerialNo": "2028:3380000000000000", "PhoneNumber": "+8613800000000", "Fee": 1,
                 "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}
            ]
        }

    def answer_status(self, code: str, message: str) -> None:
        self.response = {
            "SendStatusSet": [
                {"SerialNo": "", "PhoneNumber": "+8613800000000", "Fee": 0,
                 "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN"}
            ]
        }

    def answer_error(self, code: str, message: str) -> None:
        self.response = {"Error": {"Code": code, "Message": message}}


@pytest.fixture
def tencent_stub() -> Iterator[TencentStub]:
    stub = TencentStub()
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()
