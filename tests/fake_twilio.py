"""A stand-in for Twilio's Messages API on loopback, for the real `twilio` SDK to talk to.

It accepts ``POST …/Messages.json`` (create) and ``GET …/Messages.json?To=`` (list), records
what it accepted with the account it came from and when, and can be told to refuse numbers,
answer the next N calls with 429, or fail a random share of calls with 429/500.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCOUNT = re.compile(r"/Accounts/([^/]+)/Messages\.json")


class FakeTwilio:
    def __init__(self, *, failure_rate: float = 0.0, seed: int = 7) -> None:
        self.sent: list[dict[str, str]] = []  # accepted messages, with "sid", "account", "at"
        self.requests = 0
        self.failures = 0
        self.refuse: dict[str, int] = {}  # phone -> Twilio error code
        self.busy_next = 0  # answer the next N create requests with 429
        self.failure_rate = failure_rate  # share of create requests answered 429 or 500
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self) -> Counter[str]:
        """How many accepted messages each number got."""
        with self._lock:
            return Counter(m["To"] for m in self.sent)

    def _create(self, form: dict[str, str], account: str) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            if self.busy_next:
                self.busy_next -= 1
                self.failures += 1
                return 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
            if self.failure_rate and self._random.random() < self.failure_rate:
                self.failures += 1
                status = self._random.choice([429, 500])
                return status, {"code": 20000 + status, "message": "try later", "status": status}
            if form.get("To") in self.refuse:
                code = self.refuse[form["To"]]
                return 400, {"code": code, "message": "refused", "status": 400}
            sid = "SM" + uuid.uuid4().hex
            self.sent.append({**form, "sid": sid, "account": account, "at": time.monotonic()})
        return 201, _resource(sid, form.get("To", ""), form.get("Body", ""), account)

    def _list(self, to: str, account: str) -> tuple[int, dict]:
        with self._lock:
            found = [m for m in reversed(self.sent) if not to or m["To"] == to]
        messages = [_resource(m["sid"], m["To"], m.get("Body", ""), account) for m in found]
        return 200, {
            "messages": messages[:50],
            "page": 0,
            "page_size": 50,
            "uri": f"/2010-04-01/Accounts/{account}/Messages.json",
            "first_page_uri": f"/2010-04-01/Accounts/{account}/Messages.json",
            "next_page_uri": None,
            "previous_page_uri": None,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                self._reply(*fake._create(form, _account(self.path)))

            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                self._reply(*fake._list(query.get("To", ""), _account(self.path)))

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _account(path: str) -> str:
    match = ACCOUNT.search(path)
    return match.group(1) if match else ""


def _resource(sid: str, to: str, body: str, account: str) -> dict[str, str]:
    return {"sid": sid, "status": "queued", "to": to, "body": body, "account_sid": account}
