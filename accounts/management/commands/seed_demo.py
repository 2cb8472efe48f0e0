from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import LOGINS, seed_demo
from accounts.models import Contact, Customer
from surveys.models import Invitation


class Command(BaseCommand):
    help = "Create the demo workspace (idempotent) and print its logins."

    def handle(self, *args: object, **options: object) -> None:
        workspace, created = seed_demo()
        verb = "Created" if created else "Kept the existing"
        customers = Customer.objects.filter(workspace=workspace).count()
        contacts = Contact.objects.filter(workspace=workspace).count()
        self.stdout.write(
            f"{verb} demo workspace “{workspace.name}”: {customers} customers, {contacts} contacts."
        )
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in as:")
        for login in LOGINS:
            self.stdout.write(f"  {login.role:<8} {login.email:<22} password: {login.password}")
        invitation = Invitation.objects.filter(workspace=workspace, response=None).first()
        if invitation is not None:
            self.stdout.write(f"A customer's survey link: {settings.SITE_URL}/r/{invitation.token}")
