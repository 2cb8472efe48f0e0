"""Shared test data for the surveys tests."""

import datetime

from accounts.models import Contact, Customer

# The minimal survey document of issue 3 (docs/survey-format.md): clean under every rule.
MINIMAL = {
    "kind": "custom",
    "locale": "en",
    "questions": [
        {
            "type": "single_choice",
            "text": "Which plan are you on?",
            "randomize": True,
            "options": ["Starter", "Team", {"label": "Other", "anchored": True}],
        },
        {
            "type": "rating",
            "text": "How satisfied are you with onboarding?",
            "scale": {
                "points": 5,
                "labels": [
                    "Very dissatisfied",
                    "Dissatisfied",
                    "Neutral",
                    "Satisfied",
                    "Very satisfied",
                ],
            },
        },
    ],
}

# Tests about sending, not timing, run at any hour: quiet hours off (start == end).
NO_QUIET_HOURS = {"quiet_start": datetime.time(0, 0), "quiet_end": datetime.time(0, 0)}


def make_contacts(workspace, count, industries=("Retail", "Software", "Health")):
    customers = [
        Customer.objects.create(workspace=workspace, name=f"Co {i}", industry=industry)
        for i, industry in enumerate(industries)
    ]
    Contact.objects.bulk_create(
        [
            Contact(
                workspace=workspace,
                customer=customers[i % len(customers)],
                email=f"p{i}@example.com",
                phone=f"+1202555{i:04d}",
            )
            for i in range(count)
        ]
    )
