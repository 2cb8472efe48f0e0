"""Guards for problems found in review: each test names the behaviour it protects."""

from django.urls import reverse
from django.utils import timezone

from accounts.importing import contact_import_run
from accounts.models import Contact, ContactImport, Role
from accounts.services import contact_erase
from surveys.models import Question, Response, Survey
from surveys.services import (
    invitation_create_test,
    response_submit,
    survey_create_from_template,
    survey_new_version,
    survey_publish,
)
from tests.conftest import signed_in
from tests.factories import MembershipFactory, WorkspaceFactory


def test_a_very_long_header_line_is_read_in_linear_time(workspace):
    header = "email,customer_name," + "x" * 100_000
    job = ContactImport.objects.create(
        workspace=workspace,
        filename="wide.csv",
        content=f"{header}\na@example.com,Harbor,1\n".encode(),
    )
    contact_import_run(import_id=job.pk)  # csv.Sniffer took minutes on such a line
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("succeeded", 1)


def test_the_stored_file_is_dropped_once_imported(workspace):
    job = ContactImport.objects.create(
        workspace=workspace, filename="c.csv", content=b"email,customer_name\na@example.com,H\n"
    )
    contact_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert bytes(job.content) == b""


def test_adding_the_last_admin_again_as_viewer_is_refused(member, browser_as):
    admin = member(Role.ADMIN)
    response = browser_as(admin).post(
        reverse("members"), {"email": admin.user.email, "role": "viewer"}
    )
    assert response.status_code == 400
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_admin_forms_offer_only_the_workspaces_own_related_rows(client, workspace, manager):
    foreign = survey_create_from_template(workspace=WorkspaceFactory(), user=None, kind="nps")
    foreign_question = foreign.questions.first()
    staff = MembershipFactory(workspace=workspace, role=Role.MANAGER, user__is_staff=True)
    signed_in(client, staff)
    own = survey_create_from_template(workspace=workspace, user=None, kind="csat")
    page = client.get(reverse("admin:surveys_option_add")).content.decode()
    assert f'value="{foreign_question.pk}"' not in page
    assert f'value="{own.questions.first().pk}"' in page


def test_published_surveys_cannot_be_changed_in_the_admin(client, workspace, published):
    survey = published("nps")
    staff = MembershipFactory(workspace=workspace, role=Role.ADMIN, user__is_staff=True)
    signed_in(client, staff)
    question = survey.questions.first()
    url = reverse("admin:surveys_question_change", args=[question.pk])
    response = client.post(
        url,
        {"survey": survey.pk, "position": 0, "type": "text", "text": "Changed after publishing"},
    )
    question.refresh_from_db()
    assert question.text != "Changed after publishing"
    assert response.status_code in {200, 403}
    delete = reverse("admin:surveys_survey_delete", args=[survey.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_the_api_cannot_undo_an_opt_out(contact, manager, api_as):
    contact.sms_opted_out_at = timezone.now()
    contact.save()
    api_as(manager).patch(
        reverse("api-contact-detail", kwargs={"contact_pk": contact.pk}),
        {"sms_opted_out_at": None},
        format="json",
    )
    contact.refresh_from_db()
    assert contact.sms_opted_out_at is not None


def test_erasure_removes_comments_and_refused_rows_that_name_the_person(
    workspace, contact, published
):
    invitation = invitation_create_test(survey=published("nps"), contact=contact)
    primary, why = invitation.survey.questions.all()
    response_submit(
        invitation=invitation,
        answers={str(primary.pk): "4", str(why.pk): f"Call me on {contact.phone}"},
    )
    job = ContactImport.objects.create(workspace=workspace, filename="x.csv", content=b"")
    job.row_errors.create(line=2, message="bad", values={"email": contact.email})
    job.row_errors.create(line=3, message="bad", values={"email": "someone@else.example"})
    contact_erase(contact=Contact.objects.get(pk=contact.pk))
    stored = Response.objects.get()
    assert (stored.score, stored.comment) == (4, "")
    assert str(why.pk) not in stored.answers
    assert list(job.row_errors.values_list("line", flat=True)) == [3]


def test_negative_arr_is_reported_on_arr(manager, api_as):
    response = api_as(manager).post(
        reverse("api-customer-list"), {"name": "X", "arr": "-5"}, format="json"
    )
    assert response.status_code == 400
    assert "arr" in response.json()


def test_odd_digits_in_ids_get_a_clean_answer_not_a_500(manager, browser_as, workspace):
    client = browser_as(manager)
    assert client.post(reverse("workspace-switch"), {"workspace": "²"}).status_code == 404
    draft = survey_create_from_template(workspace=workspace, user=None, kind="nps")
    response = client.post(
        reverse("survey-edit", kwargs={"survey_pk": draft.pk}),
        {"questions-TOTAL": "²", "action": "delete:²"},
    )
    assert response.status_code in {302, 400}


def test_a_draft_cannot_be_archived(manager, browser_as, workspace):
    draft = survey_create_from_template(workspace=workspace, user=None, kind="nps")
    browser_as(manager).post(
        reverse("survey-detail", kwargs={"survey_pk": draft.pk}), {"action": "archive"}
    )
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT


def test_new_version_twice_gives_the_same_draft(published):
    survey = published("ces")
    assert survey_new_version(survey=survey, user=None) == survey_new_version(
        survey=survey, user=None
    )


def test_publish_checks_the_draft_as_stored_now(workspace):
    draft = survey_create_from_template(workspace=workspace, user=None, kind="nps")
    Question.objects.filter(survey=draft, position=1).update(
        text="What is the reason for your score and how can we improve?"
    )
    import pytest

    from surveys.services import PublishBlocked

    with pytest.raises(PublishBlocked):
        survey_publish(survey=draft, user=None)


def test_refused_rows_report_can_be_reimported_without_stray_apostrophes(workspace):
    content = "external_id,email,customer_name,department\nP1,a@example.com,H,'-Ops\n"
    job = ContactImport.objects.create(
        workspace=workspace, filename="r.csv", content=content.encode()
    )
    contact_import_run(import_id=job.pk)
    assert Contact.objects.get(external_id="P1").attributes == {"department": "-Ops"}


def test_report_filename_keeps_non_latin_names(manager, browser_as, workspace):
    job = ContactImport.objects.create(
        workspace=workspace, filename="연락처.csv", content=b"", status="failed"
    )
    response = browser_as(manager).get(
        reverse("contact-import-errors", kwargs={"import_pk": job.pk})
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
