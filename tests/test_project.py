"""The project as a whole: settings from the environment, the compose stack, the demo."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from accounts.demo import LOGINS, demo_csv, seed_demo
from accounts.models import Contact, Customer, Membership

ROOT = Path(__file__).resolve().parent.parent


def _django_setup(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_secret_key():
    result = _django_setup(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_starts_with_secret_key_and_reads_database_url():
    result = _django_setup(
        DEBUG="false", SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@db.example:5432/pulse"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_a_malformed_boolean_is_a_clear_error():
    result = _django_setup(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **clean,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "pulse.example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_production_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert "config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["env_file"] == ".env", name
        assert services[name]["environment"]["DEBUG"] == "false"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_env_example_documents_every_setting_the_settings_module_reads():
    import re

    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get("/healthz/")
    assert (response.status_code, response.content) == (200, b"ok")


def test_demo_data_is_deterministic():
    assert demo_csv() == demo_csv()


@pytest.mark.django_db
def test_seed_demo_makes_a_lively_workspace_and_is_idempotent():
    workspace, created = seed_demo()
    assert created
    customers = Customer.objects.filter(workspace=workspace)
    assert customers.count() == 300
    assert customers.values("industry").distinct().count() >= 6
    assert customers.values("region").distinct().count() >= 4
    assert Contact.objects.filter(workspace=workspace).count() == 1000
    assert Membership.objects.filter(workspace=workspace).count() == len(LOGINS)
    again, created_again = seed_demo()
    assert (again.pk, created_again) == (workspace.pk, False)
    assert Contact.objects.filter(workspace=workspace).count() == 1000
    manager = next(login for login in LOGINS if login.role == "manager")
    client = Client()
    response = client.post(
        reverse("login"), {"username": manager.email, "password": manager.password}
    )
    assert response.status_code == 302
    assert "300" in client.get(reverse("home")).content.decode()
