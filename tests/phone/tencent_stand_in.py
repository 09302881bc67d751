"""A local HTTP endpoint standing in for the Tencent Cloud API (faceid), recording what it was asked."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    action: str
    headers: dict[str, str]
    body: dict


@dataclass
class TencentStandIn:
    #: the "Response" object to send back per X-TC-Action (without RequestId)
    replies: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    #: EidTokens handed out by GetEidToken, one per call, with this one-time start URL
    tokens: list[str] = field(default_factory=list)
    start_url: str = "https://eid.example/h5?token=one-time"
    port: int = 0

    def calls_of(self, action: str) -> list[Call]:
        return [call for call in self.calls if call.action == action]

    def serve(self) -> ThreadingHTTPServer:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                action = self.headers.get("X-TC-Action", "")
                stand_in.calls.append(Call(action, dict(self.headers.items()), body))
                if action == "GetEidToken" and stand_in.tokens:
                    reply = {"EidToken": stand_in.tokens.pop(0), "Url": stand_in.start_url}
                else:
                    reply = stand_in.replies.get(action, {"Error": {"Code": "InvalidAction", "Message": action}})
                reply = {**reply, "RequestId": "req-1"}
                payload = json.dumps({"Response": reply}).encode()
                self.send_response(200)
                # Exactly this: with a charset the SDK does not notice errors (tencent_cloud_apis.md §1.3).
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
