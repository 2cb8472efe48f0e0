"""Contact CSV import: good, bad and mixed files, with exact counts and line numbers."""

import codecs

import pytest
from django.urls import reverse

from accounts import importing
from accounts.importing import contact_import_run
from accounts.models import Contact, ContactImport, Customer, Role
from tests.factories import ContactFactory, CustomerFactory, MembershipFactory

HEADER = "external_id,name,email,phone,time_zone,customer_external_id,customer_name,department"


def run_import(workspace, text: str | bytes) -> ContactImport:
    content = text.encode() if isinstance(text, str) else text
    job = ContactImport.objects.create(workspace=workspace, filename="t.csv", content=content)
    contact_import_run(import_id=job.pk)
    job.refresh_from_db()
    return job


def errors_of(job: ContactImport) -> dict[int, str]:
    return dict(job.row_errors.values_list("line", "message"))


def test_good_file_creates_contacts_and_customers(workspace):
    job = run_import(
        workspace,
        "\n".join(
            [
                HEADER,
                "P1,Ann Lee,Ann@Example.com,(415) 555-0101,America/Los_Angeles,C1,Harbor Labs,"
                "Support",
                "P2,Bo Kim,bo@example.com,+82 10-2345-6789,Asia/Seoul,C1,Harbor Labs,IT",
                "P3,Cy Chen,,+886 912 345 678,Asia/Taipei,C2,Stone Works,",
            ]
        ),
    )
    assert (job.status, job.created_count, job.updated_count, job.failed_count) == (
        "succeeded",
        3,
        0,
        0,
    )
    assert job.total_rows == job.processed_rows == 3
    ann = Contact.objects.get(external_id="P1")
    assert ann.email == "ann@example.com"
    assert ann.phone == "+14155550101"  # national number read in the workspace's region (US)
    assert ann.attributes == {"department": "Support"}
    assert Contact.objects.get(external_id="P2").phone == "+821023456789"
    assert Contact.objects.get(external_id="P3").attributes == {}
    assert Customer.objects.filter(workspace=workspace).count() == 2
    assert ann.customer.name == "Harbor Labs"


def test_mixed_file_imports_valid_rows_and_reports_each_bad_one(workspace):
    job = run_import(
        workspace,
        "\n".join(
            [
                HEADER,
                "P1,Ann,ann@example.com,,,C1,Harbor,",  # line 2 ok
                "P2,Bad Phone,bp@example.com,12345,,C1,Harbor,",  # line 3 invalid phone
                "P3,Bad Mail,not-an-email,,,C1,Harbor,",  # line 4 invalid email
                "P4,Bad Zone,bz@example.com,,Mars/Olympus,C1,Harbor,",  # line 5 unknown time zone
                "P5,No Address,,,,C1,Harbor,",  # line 6 no email, no phone
                "P6,No Customer,nc@example.com,,,,,",  # line 7 no customer
                "P7,Dup,ANN@example.com,,,C1,Harbor,",  # line 8 duplicate of line 2
                "P8,Fine,fine@example.com,+14155550188,UTC,C2,Stone,",  # line 9 ok
            ]
        ),
    )
    assert (job.status, job.created_count, job.failed_count) == ("succeeded", 2, 6)
    errors = errors_of(job)
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "phone" in errors[3] and "12345" in errors[3]
    assert "email" in errors[4] and "not-an-email" in errors[4]
    assert "time zone" in errors[5] and "Mars/Olympus" in errors[5]
    assert "no email and no phone" in errors[6]
    assert "no customer" in errors[7]
    assert "duplicate" in errors[8] and "line 2" in errors[8]
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"P1", "P8"}
    assert not Customer.objects.filter(name="Harbor").exclude(external_id="C1").exists()


def test_a_row_with_several_problems_lists_them_all_and_writes_nothing(workspace):
    job = run_import(workspace, HEADER + "\nP1,X,bad@,123,Nowhere/City,,,\n")
    assert job.failed_count == 1
    message = errors_of(job)[2]
    for word in ("email", "phone", "time zone", "no customer"):
        assert word in message
    assert not Contact.objects.exists()
    assert not Customer.objects.exists()


def test_line_numbers_count_multiline_cells(workspace):
    job = run_import(
        workspace, HEADER + '\nP1,"Ann\nLee",ann@example.com,,,C1,H,\nP2,B,bad,,,C1,H,\n'
    )
    assert errors_of(job) == {4: "email: “bad” is not a valid email address."}


def test_empty_file_is_refused_as_a_whole(workspace):
    job = run_import(workspace, b"")
    assert job.status == "failed"
    assert "empty" in job.error
    assert (job.created_count, job.failed_count) == (0, 0)


def test_header_without_rows_is_refused(workspace):
    job = run_import(workspace, HEADER + "\n")
    assert job.status == "failed"
    assert "no rows" in job.error


def test_wrong_encoding_is_refused_with_the_line_and_nothing_is_written(workspace):
    content = HEADER + "\nP1,Ann,ann@example.com,,,C1,H,\nP2,Zoë,z@example.com,,,C1,H,\n"
    job = run_import(workspace, content.encode("latin-1"))
    assert job.status == "failed"
    assert "UTF-8" in job.error and "line 3" in job.error
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: codecs.BOM_UTF8 + s.encode(),
        lambda s: s.encode("utf-16"),
    ],
    ids=["utf-8 with BOM", "utf-16 with BOM"],
)
def test_spreadsheet_encodings_with_a_bom_are_read(workspace, encode):
    job = run_import(workspace, encode(HEADER + "\nP1,이지은,jieun@example.kr,,Asia/Seoul,C1,H,\n"))
    assert (job.status, job.created_count) == ("succeeded", 1)
    assert Contact.objects.get().name == "이지은"


def test_semicolon_separated_files_are_read(workspace):
    job = run_import(workspace, "email;customer_name;Department\na@example.com;Harbor;Ops\n")
    assert (job.status, job.created_count) == ("succeeded", 1)
    assert Contact.objects.get().attributes == {"department": "Ops"}


def test_missing_required_columns_refuse_the_file(workspace):
    job = run_import(workspace, "name,department\nAnn,Ops\n")
    assert job.status == "failed"
    assert "customer" in job.error and "email or phone" in job.error


def test_binary_file_is_refused(workspace):
    job = run_import(workspace, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert job.status == "failed"


def test_upsert_matches_by_external_id_then_email_then_phone(workspace):
    customer = CustomerFactory(workspace=workspace, external_id="C1")
    by_ext = ContactFactory(customer=customer, external_id="P1", email="old1@example.com")
    by_email = ContactFactory(customer=customer, external_id="", email="two@example.com")
    by_phone = ContactFactory(customer=customer, external_id="", email="", phone="+14155550133")
    job = run_import(
        workspace,
        "\n".join(
            [
                "external_id,name,email,phone,customer_external_id",
                "P1,Renamed One,new1@example.com,,C1",
                ",Renamed Two,two@example.com,,C1",
                "P3,Renamed Three,,+1 415 555 0133,C1",
            ]
        ),
    )
    assert (job.created_count, job.updated_count, job.failed_count) == (0, 3, 0)
    by_ext.refresh_from_db()
    by_email.refresh_from_db()
    by_phone.refresh_from_db()
    assert (by_ext.name, by_ext.email) == ("Renamed One", "new1@example.com")
    assert by_email.name == "Renamed Two"
    assert (by_phone.name, by_phone.external_id) == ("Renamed Three", "P3")


def test_empty_cells_keep_existing_values_and_attributes_merge(workspace):
    customer = CustomerFactory(workspace=workspace, external_id="C1")
    contact = ContactFactory(
        customer=customer, external_id="P1", name="Kept", attributes={"tier": "gold"}
    )
    run_import(
        workspace,
        f"external_id,name,email,customer_external_id,department\nP1,,{contact.email},C1,Ops\n",
    )
    contact.refresh_from_db()
    assert contact.name == "Kept"
    assert contact.attributes == {"tier": "gold", "department": "Ops"}


def test_keys_of_two_different_contacts_refuse_the_row(workspace):
    customer = CustomerFactory(workspace=workspace, external_id="C1")
    ContactFactory(customer=customer, external_id="P1", email="one@example.com")
    ContactFactory(customer=customer, external_id="P2", email="two@example.com")
    job = run_import(workspace, "external_id,email,customer_external_id\nP1,two@example.com,C1\n")
    assert job.failed_count == 1
    assert "belongs to another contact" in errors_of(job)[2]
    assert Contact.objects.get(external_id="P1").email == "one@example.com"


def test_reimporting_the_same_file_updates_and_creates_nothing(workspace):
    text = HEADER + "\nP1,Ann,ann@example.com,,,C1,H,\nP2,Bo,bo@example.com,,,C1,H,\n"
    first, second = run_import(workspace, text), run_import(workspace, text)
    assert (first.created_count, first.updated_count) == (2, 0)
    assert (second.created_count, second.updated_count) == (0, 2)
    assert Contact.objects.count() == 2


def test_unknown_customer_id_without_name_is_reported(workspace):
    job = run_import(workspace, "email,customer_external_id\na@example.com,NOPE\n")
    assert "NOPE does not exist" in errors_of(job)[2]


def test_owner_email_must_be_a_member(workspace):
    owner = MembershipFactory(workspace=workspace, role=Role.MANAGER)
    job = run_import(
        workspace,
        "email,customer_name,owner_email\n"
        f"a@example.com,Harbor,{owner.user.email}\n"
        "b@example.com,Stone,stranger@example.com\n",
    )
    assert (job.created_count, job.failed_count) == (1, 1)
    assert Customer.objects.get(name="Harbor").owner == owner
    assert "stranger@example.com is not a member" in errors_of(job)[3]


def test_running_an_import_twice_does_not_apply_it_twice(workspace):
    job = run_import(workspace, HEADER + "\nP1,Ann,ann@example.com,,,C1,H,\n")
    assert contact_import_run(import_id=job.pk) is None  # already finished: a no-op
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.processed_rows) == (1, 0, 1)


def test_a_crashed_import_resumes_after_its_last_committed_chunk(workspace, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [f"P{i},N{i},p{i}@example.com,,,C1,H," for i in range(5)] + [
        "P9,Dup,p0@example.com,,,C1,H,"
    ]
    job = ContactImport.objects.create(
        workspace=workspace, filename="t.csv", content="\n".join([HEADER, *rows]).encode()
    )

    real_write = importing._write_chunk
    calls = []

    def crash_on_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("worker killed")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(importing, "_write_chunk", crash_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        contact_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.created_count) == ("running", 1, 2)

    monkeypatch.setattr(importing, "_write_chunk", real_write)
    assert contact_import_run(import_id=job.pk) is None  # its lease has not run out yet
    ContactImport.objects.filter(pk=job.pk).update(lease_expires_at="2000-01-01T00:00Z")
    contact_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.failed_count, job.processed_rows) == (
        "succeeded",
        5,
        1,
        6,
    )
    assert "line 2" in errors_of(job)[7]  # duplicates seen before the crash are still known
    assert Contact.objects.count() == 5


def test_ten_megabyte_file_imports_every_row(workspace):
    filler = "x" * 120
    lines = [HEADER + ",notes"]
    size = len(lines[0])
    while size < 10 * 1024 * 1024:
        index = len(lines) - 1
        lines.append(
            f"P{index},Person {index},p{index}@example.com,,,C{index % 50},Co {index % 50},"
            f"Dept,{filler}"
        )
        size += len(lines[-1]) + 1
    index = len(lines) - 1
    content = "\n".join(lines).encode()
    assert len(content) >= 10 * 1024 * 1024
    job = run_import(workspace, content)
    assert (job.status, job.created_count, job.failed_count) == ("succeeded", index, 0)
    assert Contact.objects.filter(workspace=workspace).count() == index
    assert Customer.objects.filter(workspace=workspace).count() == 50


def test_a_file_over_the_limit_gets_a_400_and_is_not_stored(manager, api_as, settings):
    settings.CONTACT_IMPORT_MAX_BYTES = 1024
    upload = _upload(b"email,customer_name\n" + b"a@example.com,H\n" * 200)
    response = api_as(manager).post(reverse("api-contact-import-list"), {"file": upload})
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert not ContactImport.objects.exists()


def test_the_upload_form_refuses_a_non_csv_file(manager, browser_as):
    response = browser_as(manager).post(
        reverse("contact-import"), {"file": _upload(b"%PDF-1.4", name="report.pdf")}
    )
    assert response.status_code == 400
    assert "csv" in response.content.decode().lower()
    assert not ContactImport.objects.exists()


def test_the_error_report_lists_refused_rows_and_can_be_uploaded_again(
    manager, browser_as, workspace
):
    job = run_import(
        workspace, HEADER + "\nP1,Ann,=HYPERLINK(1),,,C1,H,\nP2,Bo,bo@example.com,,,C1,H,\n"
    )
    response = browser_as(manager).get(
        reverse("contact-import-errors", kwargs={"import_pk": job.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "pulse_line,pulse_error," + HEADER
    assert len(lines) == 2
    assert lines[1].startswith("2,email: “=HYPERLINK(1)” is not a valid email address.,P1,Ann,")
    assert ",'=HYPERLINK(1)," in lines[1]  # a formula cell is defused

    fixed = "\n".join(lines).replace("'=HYPERLINK(1)", "ann@example.com").encode()
    again = run_import(workspace, fixed)
    assert (again.status, again.created_count, again.failed_count) == ("succeeded", 1, 0)
    assert Contact.objects.get(external_id="P1").attributes == {}


def test_values_longer_than_their_column_are_refused(workspace):
    job = run_import(workspace, "email,customer_name,plan\na@example.com,H," + "x" * 81 + "\n")
    assert "plan is longer than 80" in errors_of(job)[2]
    assert not Customer.objects.exists()


def _upload(content: bytes, name: str = "contacts.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- Through the real queue ----------------------------------------------------------------


def _wait_until_finished(job_id: int, timeout: float = 60) -> ContactImport:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ContactImport.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {job_id} did not finish within {timeout} s: {job.status}")


def test_api_import_runs_on_the_celery_worker(celery_worker, manager, api_as):
    api = api_as(manager)
    text = HEADER + "\nP1,Ann,ann@example.com,,,C1,H,\nP2,Bo,bad-email,,,C1,H,\n"
    response = api.post(reverse("api-contact-import-list"), {"file": _upload(text.encode())})
    assert response.status_code == 202, response.content
    job = _wait_until_finished(response.json()["id"])
    assert (job.status, job.created_count, job.failed_count) == ("succeeded", 1, 1)
    detail = api.get(reverse("api-contact-import-detail", kwargs={"import_pk": job.pk})).json()
    assert detail["percent"] == 100
    errors = api.get(detail["errors_url"]).json()
    assert errors["results"] == [
        {
            "line": 3,
            "message": "email: “bad-email” is not a valid email address.",
            "values": {
                "external_id": "P2",
                "name": "Bo",
                "email": "bad-email",
                "phone": "",
                "time_zone": "",
                "customer_external_id": "C1",
                "customer_name": "H",
                "department": "",
            },
        }
    ]


def test_browser_import_shows_progress_until_done(celery_worker, manager, browser_as):
    client = browser_as(manager)
    text = HEADER + "".join(f"\nP{i},N{i},p{i}@example.com,,,C1,H," for i in range(2500))
    response = client.post(reverse("contact-import"), {"file": _upload(text.encode())})
    assert response.status_code == 302
    detail_url = response["Location"]
    assert "<progress" in client.get(detail_url).content.decode()
    job_id = int(detail_url.rstrip("/").split("/")[-1])
    _wait_until_finished(job_id)
    progress = client.get(reverse("contact-import-progress", kwargs={"import_pk": job_id})).json()
    assert progress == {
        "status": "succeeded",
        "status_label": "Finished",
        "finished": True,
        "percent": 100,
        "error": "",
        "total_rows": 2500,
        "processed_rows": 2500,
        "created": 2500,
        "updated": 0,
        "failed": 0,
    }
