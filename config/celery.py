"""The Celery application: settings come from Django settings prefixed CELERY_."""

import os
from pathlib import Path

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pulse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

if settings.CELERY_BROKER_URL.startswith("filesystem://"):
    # The server-less development broker keeps its messages in this folder; the web process
    # may publish before any worker has started, so every process makes sure it exists.
    Path(settings.CELERY_BROKER_FOLDER).mkdir(parents=True, exist_ok=True)
