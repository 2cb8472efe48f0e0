"""`make run`'s runner starts web, worker and beat on embedded defaults, and they work together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_runner_serves_the_app_and_its_worker_imports_through_the_folder_broker(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'pulse.sqlite3'}",
        DEBUG="true",
        PULSE_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        WORKER_CONCURRENCY="1",
    )
    _manage(env, "migrate", "--noinput")
    assert "manager@pulse.demo" in _manage(env, "seed_demo")
    runner = subprocess.Popen(
        [str(ROOT / "scripts" / "run-dev")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the web app did not start within 60 s"
                time.sleep(0.5)
        queued = _manage(
            env,
            "shell",
            "-c",
            (
                "from accounts.models import Workspace; from accounts.services import "
                "contact_import_start; ws = Workspace.objects.get(slug='demo'); "
                "job = contact_import_start(workspace=ws, user=None, filename='x.csv', "
                "content=b'email,customer_name\\nnew.person@example.com,Brand New Co\\n'); "
                "print(job.pk)"
            ),
        )
        job_id = int(queued.strip().splitlines()[-1])
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline and status != "succeeded":
            status = _manage(
                env,
                "shell",
                "-c",
                (
                    f"from accounts.models import ContactImport; "
                    f"print(ContactImport.objects.get(pk={job_id}).status)"
                ),
            ).split()[-1]
            time.sleep(0.5)
        assert status == "succeeded", "the worker did not run the import"
    finally:
        os.killpg(runner.pid, signal.SIGINT)
        try:
            runner.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            raise
    assert runner.returncode is not None
    # Ctrl-C stopped all of it: the web port is closed and no process of the group is left.
    deadline = time.monotonic() + 20
    while True:
        try:
            os.killpg(runner.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a process of the runner outlived Ctrl-C"
        time.sleep(0.2)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
