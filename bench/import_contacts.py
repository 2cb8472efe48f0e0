"""Benchmark: import 100,000 generated contact rows through the real import path.

Runs on the database DATABASE_URL names (PostgreSQL for the figure that counts), in a
throw-away test database. Prints rows/s against the target of 2,000 rows/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/import_contacts.py
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_databases, teardown_databases

TARGET_ROWS_PER_SECOND = 2000


def generate(rows: int) -> bytes:
    lines = [
        "external_id,name,email,phone,time_zone,locale,department,customer_external_id,"
        "customer_name,industry,region,plan,arr"
    ]
    for i in range(rows):
        customer = i // 4
        lines.append(
            f"P{i:07d},Person {i},person{i}@example.com,+1202{5550000 + i:07d},"
            f"America/New_York,en,Support,C{customer:06d},Company {customer},Software,"
            f"North America,Team,{12000 + customer % 500}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from accounts.importing import contact_import_run
    from accounts.models import Contact, ContactImport, Workspace

    old = setup_databases(verbosity=0, interactive=False)
    try:
        workspace = Workspace.objects.create(name="Bench", slug="bench", default_region="US")
        content = generate(args.rows)
        job = ContactImport.objects.create(
            workspace=workspace, filename="bench.csv", content=content
        )
        started = time.perf_counter()
        contact_import_run(import_id=job.pk)
        elapsed = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        created = Contact.objects.filter(workspace=workspace).count()
        assert created == args.rows - job.failed_count, (created, job.failed_count)
        rate = args.rows / elapsed
        print(
            f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, database {connection.vendor}"
        )
        print(
            f"imported {args.rows} rows ({len(content) / 1e6:.1f} MB): created {created}, "
            f"refused {job.failed_count}, in {elapsed:.1f} s"
        )
        print(
            f"import_contacts: {rate:,.0f} rows/s (target >= {TARGET_ROWS_PER_SECOND:,}) "
            f"{'PASS' if rate >= TARGET_ROWS_PER_SECOND else 'FAIL'}"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
