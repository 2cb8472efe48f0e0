"""Benchmark: score 1,000,000 responses on PostgreSQL — the overall NPS plus one breakdown
(by industry) — through the same selectors the dashboard and the API use; and, in the same
run, the bare SQL aggregates they stand for, as the ceiling. Then stream the response export
of all 1,000,000 rows and report its rate and the process's memory growth.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/metrics.py
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_databases, teardown_databases

TARGET_SECONDS = 1.0
INDUSTRIES = ["Education", "Finance", "Health", "Logistics", "Manufacturing", "Retail", "Software"]


def generate(responses: int, contacts: int) -> int:
    """Workspace, survey, customers, contacts, invitations and responses, by SQL."""
    from accounts.models import Workspace
    from surveys.services import survey_create_from_template, survey_publish

    workspace = Workspace.objects.create(name="Bench", slug="bench", default_region="US")
    survey = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=None, kind="nps"), user=None
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_customer (workspace_id, external_id, name, industry, region,
                plan, arr, attributes, created_at, updated_at)
            SELECT %s, 'C' || i, 'Customer ' || i, (%s::text[])[1 + i %% 7], 'Region ' || i %% 4,
                'Team', 1000 * (i %% 400), '{}', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [workspace.pk, INDUSTRIES, contacts // 5],
        )
        # One statement each, in a fresh database: the ids of each table are consecutive.
        cursor.execute(
            "SELECT min(id) FROM accounts_customer WHERE workspace_id = %s", [workspace.pk]
        )
        first_customer = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO accounts_contact (workspace_id, customer_id, external_id, name, email,
                phone, time_zone, locale, attributes, created_at, updated_at)
            SELECT %s, %s + i %% %s, 'P' || i, 'Person ' || i, 'p' || i || '@example.com', '',
                '', '', '{}', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [workspace.pk, first_customer, contacts // 5, contacts],
        )
        cursor.execute(
            "SELECT min(id) FROM accounts_contact WHERE workspace_id = %s", [workspace.pk]
        )
        first_contact = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO surveys_invitation (workspace_id, survey_id, contact_id, token, status,
                channel, delivery, failure_reason, provider_message_id, is_test, created_at,
                reminders_sent, awaiting_sms_comment)
            SELECT %s, %s, %s + g %% %s, md5(g::text), 'answered', 'sms', 'sent', '', '', false,
                now() - (g %% 365) * interval '1 day', 0, false
            FROM generate_series(0, %s - 1) AS g
            """,
            [workspace.pk, survey.pk, first_contact, contacts, responses],
        )
        cursor.execute(
            """
            INSERT INTO surveys_response (workspace_id, invitation_id, survey_id, contact_id,
                score, comment, answers, option_order, submitted_at, source, quality_flags,
                is_test)
            SELECT workspace_id, id, survey_id, contact_id, (abs(hashtext(token)) %% 11),
                '', '{}', '{}', created_at, 'web', '[]', false
            FROM surveys_invitation WHERE workspace_id = %s
            """,
            [workspace.pk],
        )
        cursor.execute("ANALYZE")
    return workspace.pk


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("needs PostgreSQL: set DATABASE_URL")

    from accounts.models import Workspace
    from metrics.selectors import response_scope, score_breakdown, score_summary

    old = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        workspace_id = generate(args.responses, args.contacts)
        print(f"generated {args.responses:,} responses in {time.perf_counter() - started:.0f} s")
        workspace = Workspace.objects.get(pk=workspace_id)

        def selectors_run() -> None:
            responses = response_scope(workspace=workspace)
            score = score_summary(responses=responses, kind="nps")
            assert score is not None and score.n == args.responses, score
            rows = score_breakdown(responses=responses, kind="nps", by="industry")
            assert sum(r["score"].n for r in rows) == args.responses

        def bare_run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*), count(*) FILTER (WHERE score >= 9), "
                    "count(*) FILTER (WHERE score BETWEEN 7 AND 8), "
                    "count(*) FILTER (WHERE score <= 6) FROM surveys_response "
                    "WHERE workspace_id = %s AND score IS NOT NULL",
                    [workspace_id],
                )
                cursor.fetchall()
                cursor.execute(
                    "SELECT c.industry, count(*), count(*) FILTER (WHERE r.score >= 9), "
                    "count(*) FILTER (WHERE r.score BETWEEN 7 AND 8), "
                    "count(*) FILTER (WHERE r.score <= 6) FROM surveys_response r "
                    "JOIN accounts_contact p ON p.id = r.contact_id "
                    "JOIN accounts_customer c ON c.id = p.customer_id "
                    "WHERE r.workspace_id = %s AND r.score IS NOT NULL GROUP BY c.industry",
                    [workspace_id],
                )
                cursor.fetchall()

        selectors_run()  # warm the cache once, then the median of five runs each
        ours = best_of(5, selectors_run)
        bare = best_of(5, bare_run)
        print(
            f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL "
            f"{connection.cursor().connection.info.server_version}"
        )
        print(f"bare SQL (overall + by industry): {bare * 1000:.0f} ms")
        verdict = "PASS" if ours < TARGET_SECONDS else "FAIL"
        print(
            f"metrics: overall NPS + breakdown of {args.responses:,} responses in "
            f"{ours * 1000:.0f} ms = {ours / bare:.2f} x bare SQL "
            f"(target < {TARGET_SECONDS:.0f} s) {verdict}"
        )
        if not args.no_export:
            export(workspace, args.responses)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def export(workspace, expected: int) -> None:
    from django.test import RequestFactory

    from accounts.models import Membership, Role, User
    from metrics.views import ResponseExportView

    user = User.objects.create_user("bench@example.com", "x")
    membership = Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    request = RequestFactory().get("/dashboard/responses.csv")
    request.user, request.membership = user, membership
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = ResponseExportView.as_view()(request)
    lines = size = 0
    for chunk in response.streaming_content:
        lines += 1
        size += len(chunk)
    elapsed = time.perf_counter() - started
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert lines == expected + 1, lines
    print(
        f"export: {expected:,} rows ({size / 1e6:.0f} MB of CSV) streamed in {elapsed:.1f} s "
        f"= {expected / elapsed:,.0f} rows/s; peak memory grew {grew:.0f} MB"
    )


if __name__ == "__main__":
    main()
