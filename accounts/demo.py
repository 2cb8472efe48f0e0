"""A deterministic demo workspace: the same customers, contacts and logins on every machine.

The contacts go in through the real CSV import, so the demo also shows an import in the
import history.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass

import phonenumbers

from accounts import services
from accounts.importing import contact_import_run
from accounts.models import ContactImport, Role, User, Workspace

DEMO_SLUG = "demo"
INDUSTRIES = [
    "Software",
    "Healthcare",
    "Retail",
    "Financial services",
    "Manufacturing",
    "Education",
    "Logistics",
]
# region -> (countries with their time zone and locale)
REGIONS = {
    "North America": [
        ("US", "America/New_York", "en"),
        ("US", "America/Los_Angeles", "en"),
        ("CA", "America/Toronto", "en"),
    ],
    "Europe": [
        ("GB", "Europe/London", "en"),
        ("DE", "Europe/Berlin", "en"),
        ("FR", "Europe/Paris", "en"),
    ],
    "Asia Pacific": [
        ("KR", "Asia/Seoul", "ko"),
        ("TW", "Asia/Taipei", "zh-Hant"),
        ("AU", "Australia/Sydney", "en"),
    ],
    "Latin America": [("BR", "America/Sao_Paulo", "en"), ("MX", "America/Mexico_City", "en")],
}
PLANS = [
    ("Starter", 0.35, 6_000),
    ("Team", 0.3, 24_000),
    ("Business", 0.25, 90_000),
    ("Enterprise", 0.1, 400_000),
]
DEPARTMENTS = ["Support", "Engineering", "Finance", "Operations", "Sales", "IT"]
FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Isla",
    "Jack",
    "Mina",
    "Jisoo",
    "Wei",
    "Mei",
    "Lucas",
    "Sofia",
    "Noah",
    "Olivia",
    "Ravi",
    "Yuna",
]
LAST = [
    "Smith",
    "Kim",
    "Lee",
    "Chen",
    "Garcia",
    "Müller",
    "Martin",
    "Brown",
    "Park",
    "Wang",
    "Silva",
    "Lopez",
    "Taylor",
    "Nguyen",
    "Wilson",
    "Choi",
    "Lin",
    "Dubois",
]
COMPANY_A = [
    "Blue",
    "North",
    "Bright",
    "Stone",
    "Swift",
    "Green",
    "Silver",
    "Red",
    "Clear",
    "Open",
    "True",
    "Prime",
]
COMPANY_B = [
    "Harbor",
    "Labs",
    "Works",
    "Systems",
    "Health",
    "Logistics",
    "Foods",
    "Capital",
    "Learning",
    "Motors",
    "Cloud",
    "Retail",
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


LOGINS = [
    DemoLogin("admin@pulse.demo", "pulse-demo-admin", Role.ADMIN),
    DemoLogin("manager@pulse.demo", "pulse-demo-manager", Role.MANAGER),
    DemoLogin("agent@pulse.demo", "pulse-demo-agent", Role.AGENT),
    DemoLogin("viewer@pulse.demo", "pulse-demo-viewer", Role.VIEWER),
]


def _phone(rng: random.Random, country: str) -> str:
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    for _ in range(50):
        digits = national[:-4] + f"{rng.randrange(10_000):04d}"
        number = phonenumbers.parse("+" + str(example.country_code) + digits)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def demo_csv(seed: int = 2026, customers: int = 300, contacts: int = 1000) -> str:
    """The demo contacts as a CSV, identical for the same arguments."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "external_id",
            "name",
            "email",
            "phone",
            "time_zone",
            "locale",
            "department",
            "customer_external_id",
            "customer_name",
            "industry",
            "region",
            "plan",
            "arr",
            "owner_email",
        ]
    )
    per_customer = [contacts // customers] * customers
    for index in rng.sample(range(customers), contacts - sum(per_customer)):
        per_customer[index] += 1
    used_phones: set[str] = set()
    contact_no = 0
    region_names = list(REGIONS)
    for number in range(customers):
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {number + 1:03d}"
        domain = name.lower().replace(" ", "") + ".example"
        region = (
            region_names[number % len(region_names)] if number < 8 else rng.choice(region_names)
        )
        industry = INDUSTRIES[number % len(INDUSTRIES)] if number < 14 else rng.choice(INDUSTRIES)
        plan, _, base_arr = rng.choices(PLANS, weights=[p[1] for p in PLANS])[0]
        arr = round(base_arr * rng.uniform(0.5, 1.8), -2)
        owner = "manager@pulse.demo" if number % 3 else "agent@pulse.demo"
        for _ in range(per_customer[number]):
            contact_no += 1
            country, tz, locale = rng.choice(REGIONS[region])
            first, last = rng.choice(FIRST), rng.choice(LAST)
            has_email = rng.random() > 0.05
            phone = ""
            if rng.random() > 0.12:
                phone = _phone(rng, country)
                while phone in used_phones:
                    phone = _phone(rng, country)
                used_phones.add(phone)
            if not has_email and not phone:
                has_email = True
            local = unicodedata.normalize("NFKD", f"{first}.{last}.{contact_no}")
            local = local.encode("ascii", "ignore").decode().lower()
            email = f"{local}@{domain}" if has_email else ""
            writer.writerow(
                [
                    f"P-{contact_no:05d}",
                    f"{first} {last}",
                    email,
                    phone,
                    tz,
                    locale,
                    rng.choice(DEPARTMENTS),
                    f"ACME-{number + 1:04d}",
                    name,
                    industry,
                    region,
                    plan,
                    f"{arr:.0f}",
                    owner,
                ]
            )
    return out.getvalue()


def seed_demo() -> tuple[Workspace, bool]:
    """Create the demo workspace and its people; returns it and whether it was new."""
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is not None:
        return workspace, False
    users = {}
    for login in LOGINS:
        user = User.objects.filter(email=login.email).first() or User.objects.create_user(
            login.email,
            login.password,
            full_name=login.email.split("@")[0].title() + " Demo",
            is_staff=login.role == Role.ADMIN,
            is_superuser=login.role == Role.ADMIN,
        )
        users[login.role] = user
    workspace = services.workspace_create(
        name="Acme Cloud (demo)",
        slug=DEMO_SLUG,
        owner=users[Role.ADMIN],
        default_region="US",
        time_zone="America/New_York",
    )
    for login in LOGINS[1:]:
        services.membership_set(workspace=workspace, user=users[login.role], role=login.role)
    contact_import = ContactImport.objects.create(
        workspace=workspace,
        created_by=users[Role.ADMIN],
        filename="demo-contacts.csv",
        content=demo_csv().encode(),
    )
    contact_import_run(import_id=contact_import.pk)
    _seed_surveys(workspace, users[Role.MANAGER])
    from metrics.demo import seed_feedback

    seed_feedback(workspace=workspace, manager=users[Role.MANAGER], agent=users[Role.AGENT])
    return workspace, True


def _seed_surveys(workspace: Workspace, manager: User) -> None:
    """A published NPS survey with a few test links, so the answer page is one click away."""
    from accounts.models import Contact
    from surveys.services import (
        invitation_create_test,
        survey_create_from_template,
        survey_publish,
    )

    survey = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=manager, kind="nps"),
        user=manager,
    )
    survey_create_from_template(workspace=workspace, user=manager, kind="csat", locale="ko")
    for contact in Contact.objects.filter(workspace=workspace).order_by("pk")[:3]:
        invitation_create_test(survey=survey, contact=contact)
