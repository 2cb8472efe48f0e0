"""A stand-in for Twilio's Messages API on loopback, for the real `twilio` SDK to talk to."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []  # accepted messages
        self.requests = 0
        self.refuse: dict[str, int] = {}  # phone -> Twilio error code
        self.busy_next = 0  # answer the next N requests with 429
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    fake.requests += 1
                    if fake.busy_next:
                        fake.busy_next -= 1
                        return self._reply(
                            429, {"code": 20429, "message": "Too Many Requests", "status": 429}
                        )
                    if form.get("To") in fake.refuse:
                        code = fake.refuse[form["To"]]
                        return self._reply(400, {"code": code, "message": "refused", "status": 400})
                    sid = "SM" + uuid.uuid4().hex
                    fake.sent.append({**form, "sid": sid})
                return self._reply(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "body": form.get("Body"),
                        "account_sid": "AC123",
                    },
                )

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
