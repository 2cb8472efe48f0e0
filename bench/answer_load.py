"""Benchmark: customers answering at once. gunicorn with the production settings on
PostgreSQL; 50 concurrent clients on loopback each open an invitation link (GET, which sets
the CSRF cookie) and submit an answer (POST), for 10,000 distinct invitations. Prints
requests/s and p50/p99 latency of the answer POSTs and page GETs, and — in the same run, on
the same server — the same load against the health check (a minimal Django response with one
database query) as the ceiling. Then counts the responses in the database: none lost, none
twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/answer_load.py
"""

import argparse
import http.client
import os
import platform
import queue
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import redis
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

TARGET_P99_MS = 150
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(invitations: int) -> tuple[list[str], str, str]:
    """A workspace, a published NPS survey and one invitation per contact; returns the
    tokens and the ids of the primary and comment questions."""
    from accounts.models import Contact, Customer, Workspace
    from surveys.models import Invitation
    from surveys.services import survey_create_from_template, survey_publish

    workspace = Workspace.objects.create(name="Load", slug="load", default_region="US")
    survey = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=None, kind="nps"), user=None
    )
    customer = Customer.objects.create(workspace=workspace, name="Co", industry="Retail")
    contacts = Contact.objects.bulk_create(
        Contact(workspace=workspace, customer=customer, email=f"load{i}@example.com")
        for i in range(invitations)
    )
    created = Invitation.objects.bulk_create(
        Invitation(workspace=workspace, survey=survey, contact=c, channel="sms", delivery="sent")
        for c in contacts
    )
    primary = survey.questions.get(primary=True)
    comment = survey.questions.filter(type="text").first()
    return [i.token for i in created], str(primary.pk), str(comment.pk) if comment else ""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Load:
    """``clients`` threads, each with one keep-alive connection, working through ``jobs``."""

    def __init__(self, port: int, clients: int) -> None:
        self.port = port
        self.clients = clients
        self.latencies: dict[str, list[float]] = {"get": [], "post": [], "health": []}
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def run(self, jobs: list, work) -> float:
        todo: queue.Queue = queue.Queue()
        for job in jobs:
            todo.put(job)

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    break
                try:
                    work(conn, job)
                except Exception as error:
                    with self.lock:
                        self.errors.append(f"{type(error).__name__}: {error}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    def timed(self, kind: str, conn, method: str, path: str, **kwargs):
        started = time.perf_counter()
        conn.request(method, path, **kwargs)
        response = conn.getresponse()
        body = response.read()
        with self.lock:
            self.latencies[kind].append((time.perf_counter() - started) * 1000)
        return response, body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("needs PostgreSQL: set DATABASE_URL")

    from tests.conftest import worker_database_url

    broker = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"
    redis.Redis.from_url(broker).flushdb()
    old = setup_databases(verbosity=0, interactive=False)
    server = None
    try:
        tokens, primary, comment = prepare(args.invitations)
        connection.close()
        port = free_port()
        # Production serves hashed static files from STATIC_ROOT, as the Dockerfile builds it.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "false", "SECRET_KEY": "collectstatic-only"},
            check=True,
        )
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "DATABASE_URL": worker_database_url(),
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": broker,
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

        load = Load(port, args.clients)

        def health(conn, _job) -> None:
            response, _ = load.timed("health", conn, "GET", "/healthz/")
            assert response.status == 200, response.status

        def answer(conn, token: str) -> None:
            response, body = load.timed("get", conn, "GET", f"/r/{token}")
            assert response.status == 200, f"GET {response.status}"
            cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
            csrf = CSRF.search(body.decode()).group(1)
            score = int.from_bytes(token.encode()[:4], "big") % 11  # spread over 0–10
            form = {"csrfmiddlewaretoken": csrf, f"q{primary}": str(score)}
            if comment:
                form[f"q{comment}"] = "Quick and easy."
            response, _ = load.timed(
                "post",
                conn,
                "POST",
                f"/r/{token}",
                body=urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                },
            )
            assert response.status == 302, f"POST {response.status}"

        load.run(list(range(500)), health)  # warm up every worker and connection
        load.latencies["health"].clear()
        ceiling_time = load.run(list(range(args.invitations)), health)
        answer_time = load.run(tokens, answer)

        from surveys.models import Response

        recorded = Response.objects.filter(invitation__token__in=tokens)
        count = recorded.count()
        distinct = recorded.values("invitation").distinct().count()
        lost, doubled = len(tokens) - distinct, count - distinct
        posts, gets, health_ms = (load.latencies[k] for k in ("post", "get", "health"))
        if not posts:
            raise SystemExit(f"no answer went through: {load.errors[:3]}")
        answer_rps = (len(posts) + len(gets)) / answer_time
        ceiling_rps = len(health_ms) / ceiling_time
        p99 = percentile(posts, 0.99)
        print(
            f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; gunicorn {args.workers} workers x "
            f"{args.threads} threads (production settings), PostgreSQL, {args.clients} clients"
        )
        print(
            f"ceiling (health check, one query): {ceiling_rps:,.0f} requests/s, "
            f"p50 {statistics.median(health_ms):.0f} ms, p99 {percentile(health_ms, 0.99):.0f} ms"
        )
        print(
            f"answer page: {len(tokens):,} customers (GET + POST) in {answer_time:.1f} s = "
            f"{answer_rps:,.0f} requests/s ({answer_rps / ceiling_rps:.2f} x ceiling); "
            f"GET p50 {statistics.median(gets):.0f} ms p99 {percentile(gets, 0.99):.0f} ms; "
            f"POST p50 {statistics.median(posts):.0f} ms p99 {p99:.0f} ms"
        )
        print(
            f"errors: {len(load.errors)}; responses in the database: {count:,} "
            f"(lost {lost}, doubled {doubled})"
        )
        verdict = (
            "PASS"
            if p99 < TARGET_P99_MS and not lost and not doubled and not load.errors
            else "FAIL"
        )
        print(
            f"answer_load: POST p99 {p99:.0f} ms (target < {TARGET_P99_MS} ms, none lost or "
            f"doubled) {verdict}"
        )
        for error in load.errors[:5]:
            print("  error:", error)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        redis.Redis.from_url(broker).flushdb()
        connection.close()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
