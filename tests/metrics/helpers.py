"""Responses made quickly in the database, for the metrics tests."""

import datetime as dt

from accounts.models import Contact, Customer
from surveys.models import Invitation, Response
from surveys.services import survey_create_from_template, survey_publish
from tests.factories import WorkspaceFactory


def answered(scores, *, workspace=None, industries=None, months=None, arr=None):
    """A workspace whose contacts answered: ``scores`` maps kind → list of primary scores.
    ``industries(i)``, ``months(i)`` and ``arr(i)`` set the i-th respondent's segment, the
    month (2026) they answered in, and their customer's ARR."""
    workspace = workspace or WorkspaceFactory()
    number = 0
    for kind, values in scores.items():
        survey = survey_publish(
            survey=survey_create_from_template(workspace=workspace, user=None, kind=kind),
            user=None,
        )
        for i, score in enumerate(values):
            customer = Customer.objects.create(
                workspace=workspace,
                name=f"Co {kind} {i}",
                industry=industries(i) if industries else "Retail",
                arr=arr(i) if arr else None,
            )
            contact = Contact.objects.create(
                workspace=workspace, customer=customer, email=f"{kind}{i}-{number}@example.com"
            )
            number += 1
            invitation = Invitation.objects.create(
                workspace=workspace, survey=survey, contact=contact, status="answered"
            )
            month = months(i) if months else 1
            Response.objects.create(
                workspace=workspace,
                invitation=invitation,
                survey=survey,
                contact=contact,
                score=score,
                submitted_at=dt.datetime(2026, month, 15, 12, tzinfo=dt.UTC),
            )
    return workspace
