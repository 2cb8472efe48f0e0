"""`make bench`: run every benchmark under bench/ and print one table — benchmark, figure,
target, pass/fail — from the verdict lines each script prints
(`name: figure (target …) PASS|FAIL`). Exits 1 when a benchmark fails or breaks.

PostgreSQL and Redis are needed for the real figures (DATABASE_URL, REDIS_URL).
"""

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "import_contacts.py",
    "lint_accuracy.py",
    "plan_waves.py",
    "dispatch.py",
    "metrics.py",
    "answer_load.py",
]
VERDICT = re.compile(
    r"^(?P<name>[^:]+): (?P<figure>.+?) \((?P<target>target .+?)\) (?P<ok>PASS|FAIL)$"
)


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, check=False
        )
        print(run.stdout[-4000:], end="")
        found = [VERDICT.match(line.strip()) for line in run.stdout.splitlines()]
        found = [m for m in found if m]
        if run.returncode != 0 or not found:
            print(run.stderr[-2000:], file=sys.stderr)
            rows.append((script, f"broke (exit {run.returncode})", "", "FAIL"))
        for match in found:
            rows.append(
                (
                    match["name"],
                    match["figure"],
                    match["target"].removeprefix("target "),
                    match["ok"],
                )
            )
        print(f"   ({time.monotonic() - started:.0f} s)\n", flush=True)
    widths = [
        max(len(row[i]) for row in [("benchmark", "figure", "target", "result"), *rows])
        for i in range(4)
    ]
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    line = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    print(line.format("benchmark", "figure", "target", "result"))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line.format(*row))
    return 1 if any(row[3] != "PASS" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
