import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from surveys.rules import lint
from surveys.rules.document import DocumentError, parse_document


class Command(BaseCommand):
    help = (
        "Check a survey document (JSON) against the best-practice rules. Prints the findings "
        "as a JSON list; exits 1 when any finding is an error, 2 when the file is not a "
        "survey document, 0 otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="survey document (JSON), or - for standard input")

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            raw = json.loads(text)
            doc = parse_document(raw)
        except OSError as exc:
            self._fail(f"cannot read {name}: {exc.strerror}")
        except UnicodeDecodeError:
            self._fail(f"{name} is not UTF-8 text")
        except json.JSONDecodeError as exc:
            self._fail(f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        except DocumentError as exc:
            self._fail(
                "not a survey document: "
                + "; ".join(f"{path}: {message}" for path, message in exc.problems.items())
            )
        result = lint(doc)
        self.stdout.write(
            json.dumps([f.to_json() for f in result.findings], ensure_ascii=False, indent=2)
        )
        for note in result.notes:
            self.stderr.write(note)
        if result.errors:
            sys.exit(1)

    def _fail(self, message: str) -> None:
        self.stderr.write(f"lint_survey: {message}")
        sys.exit(2)
