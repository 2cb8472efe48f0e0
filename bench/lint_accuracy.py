"""Benchmark: precision and recall of every lint rule on the labelled corpus, and lint speed.

The corpus (tests/data/lint_corpus/, sources in SOURCES.md) has a development split, which
the rules were tuned on, and a held-out split, which they were not: the held-out figures are
the honest ones. Prints one table per split and the time to lint a 30-question survey.

    .venv/bin/python bench/lint_accuracy.py [--show-misses dev]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from surveys.rules import WORDING_RULES, lint, lint_json
from surveys.rules.document import parse_document

CORPUS = ROOT / "tests" / "data" / "lint_corpus"
OPTION_RULES = {
    "options-duplicate",
    "options-overlap",
    "options-gap",
    "options-not-exhaustive",
    "randomize-unordered",
    "ordered-shuffled",
}
TARGETS = {
    "double-barrelled": (0.90, 0.85),
    "leading": (0.90, 0.80),
    "options-overlap": (0.90, 0.80),
}
SCALE = {
    "points": 5,
    "labels": ["Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied"],
}


def read(name: str) -> list[dict]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def question_codes(item: dict) -> set[str]:
    doc = {
        "kind": "custom",
        "questions": [{"type": "rating", "text": item["text"], "scale": SCALE}],
    }
    return {f.code for f in lint_json(doc).findings} & WORDING_RULES


def option_codes(item: dict) -> set[str]:
    doc = {
        "kind": "custom",
        "questions": [
            {
                "type": "single_choice",
                "text": item["question"],
                "options": item["options"],
                "randomize": item["randomize"],
            }
        ],
    }
    return {f.code for f in lint_json(doc).findings} & OPTION_RULES


def score(items: list[dict], predict, rules: set[str], misses: list[str] | None):
    counts = {rule: Counter() for rule in rules}
    for item in items:
        expected, found = set(item["labels"]) & rules, predict(item)
        for rule in rules:
            key = (
                ("tp" if rule in found else "fn")
                if rule in expected
                else ("fp" if rule in found else "tn")
            )
            counts[rule][key] += 1
        if misses is not None and expected != found:
            text = item.get("text") or f"{item['question']} {item['options']}"
            misses.append(f"{item['id']}: expected {sorted(expected)} got {sorted(found)}: {text}")
    return counts


def table(title: str, counts: dict[str, Counter]) -> list[str]:
    rows = [
        f"\n{title}",
        f"{'rule':<24}{'n+':>5}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}  target",
    ]
    for rule in sorted(counts):
        c = counts[rule]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        target = ""
        if rule in TARGETS:
            p_min, r_min = TARGETS[rule]
            ok = precision >= p_min and recall >= r_min
            target = f"P>={p_min:.2f} R>={r_min:.2f} {'PASS' if ok else 'FAIL'}"
        rows.append(
            f"{rule:<24}{c['tp'] + c['fn']:>5}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}"
            f"{precision:>11.2f}{recall:>8.2f}  {target}"
        )
    return rows


def verdicts(title: str, counts: dict[str, Counter]) -> list[str]:
    """One line per rule with a target, in the form `make bench` collects."""
    lines = []
    for rule in sorted(set(counts) & set(TARGETS)):
        c = counts[rule]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        p_min, r_min = TARGETS[rule]
        ok = precision >= p_min and recall >= r_min
        lines.append(
            f"lint {rule} ({title}): P {precision:.2f} R {recall:.2f} "
            f"(target P>={p_min:.2f} R>={r_min:.2f}) {'PASS' if ok else 'FAIL'}"
        )
    return lines


def lint_speed() -> float:
    doc = parse_document(
        {
            "kind": "custom",
            "questions": [
                {
                    "type": "rating" if n % 3 else "single_choice",
                    "text": f"How satisfied are you with the speed and reliability of area {n}?",
                    **({"scale": SCALE} if n % 3 else {"options": ["1-5", "5-10", "11+", "Other"]}),
                }
                for n in range(30)
            ],
        }
    )
    lint(doc)  # warm up the compiled patterns
    times = []
    for _ in range(50):
        started = time.perf_counter()
        lint(doc)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", choices=["dev", "heldout"])
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    splits = {
        "dev": [p.name for p in sorted(CORPUS.glob("questions_dev*.jsonl"))],
        "heldout": ["questions_heldout.jsonl"],
    }
    everything: dict[str, Counter] = {}
    for split, question_files in splits.items():
        misses: list[str] | None = [] if args.show_misses == split else None
        questions = [item for name in question_files for item in read(name)]
        options = read(f"option_sets_{split}.jsonl")
        counts = score(questions, question_codes, set(WORDING_RULES), misses)
        counts.update(score(options, option_codes, OPTION_RULES, misses))
        label = "tuned on" if split == "dev" else "not seen while tuning"
        print(
            "\n".join(
                table(
                    f"{split} split ({len(questions)} questions, {len(options)} option "
                    f"sets; {label})",
                    counts,
                )
            )
        )
        if misses:
            print("\nmisses:\n" + "\n".join(misses))
        if split == "heldout":
            heldout = counts
        for rule, counter in counts.items():
            everything.setdefault(rule, Counter()).update(counter)
    print("\n".join(table("whole corpus (dev + held-out)", everything)))
    print()
    print("\n".join(verdicts("whole corpus", everything)))
    print("\n".join(verdicts("held-out", heldout)))
    ms = lint_speed()
    print(
        f"\nlint_speed: 30-question survey linted in {ms:.1f} ms, median of 50 (target < 50 ms) "
        f"{'PASS' if ms < 50 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
