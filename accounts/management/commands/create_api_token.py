from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Membership
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a member of a workspace and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--email", required=True, help="the member the token acts for")
        parser.add_argument("--name", default="CLI token")

    def handle(self, *args: object, **options: object) -> None:
        membership = Membership.objects.filter(
            workspace__slug=options["workspace"], user__email=str(options["email"]).lower()
        ).first()
        if membership is None:
            raise CommandError("That person is not a member of that workspace.")
        _, key = api_token_create(membership=membership, name=str(options["name"]))
        self.stdout.write(key)
