import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.importing import contact_import_run
from accounts.models import ContactImport, Workspace


class Command(BaseCommand):
    help = "Import a contacts CSV into a workspace now, in this process, and print the report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, or - for standard input")
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: object, **options: object) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {options['workspace']!r}.")
        name = str(options["file"])
        try:
            content = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
        job = ContactImport.objects.create(
            workspace=workspace,
            filename=Path(name).name if name != "-" else "stdin.csv",
            content=content,
        )
        job = contact_import_run(import_id=job.pk) or job
        errors = list(job.row_errors.values("line", "message"))
        report = {
            "import": job.pk,
            "status": job.status,
            "error": job.error,
            "created": job.created_count,
            "updated": job.updated_count,
            "refused": job.failed_count,
            "rows": errors,
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            if job.error:
                self.stderr.write(f"File refused: {job.error}")
            self.stdout.write(
                f"created {job.created_count}, updated {job.updated_count}, "
                f"refused {job.failed_count}"
            )
            for row in errors:
                self.stdout.write(f"  line {row['line']}: {row['message']}")
        if job.status == ContactImport.Status.FAILED:
            raise CommandError("The file was refused; nothing was imported.")
