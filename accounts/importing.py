"""Contact CSV import: read, validate every row, upsert in chunks, report refused rows.

The file is read twice: a first pass checks that it is a well-formed CSV and counts its rows
(for the progress bar) before anything is written; the second validates and writes one chunk
per transaction. Each chunk commits together with the import's progress, claimed by a
conditional update on ``chunks_done``, so a chunk is applied exactly once even if the task is
delivered twice or a worker dies and another resumes the import.

Rules, in the order a row meets them:
- headers are matched to fields by name (see ``HEADER_ALIASES``); unknown headers become
  contact attributes; a file without a customer column or without an email or phone column is
  refused as a whole;
- a row needs a customer (external id or name), and an email or a phone; email, phone, time zone,
  locale and ARR must be valid; every problem of the row is reported at once;
- a row is matched to an existing contact by external id, else email, else phone; a key that
  belongs to a different contact, or a second row for the same contact, refuses the row;
- empty cells leave the existing value alone; attributes are merged;
- the customer is found by external id, else by name, and created when missing.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import normalize
from accounts.models import (
    Contact,
    ContactImport,
    ContactImportRowError,
    Customer,
    Membership,
    Workspace,
)

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000
LEASE = timedelta(minutes=5)

HEADER_ALIASES: dict[str, set[str]] = {
    "external_id": {"external_id", "id", "contact_id", "contact_external_id"},
    "name": {"name", "full_name", "contact_name"},
    "first_name": {"first_name", "firstname", "given_name"},
    "last_name": {"last_name", "lastname", "surname", "family_name"},
    "email": {"email", "e_mail", "email_address", "mail"},
    "phone": {"phone", "phone_number", "mobile", "mobile_phone", "cell", "cell_phone", "sms"},
    "time_zone": {"time_zone", "timezone", "tz"},
    "locale": {"locale", "language", "lang"},
    "customer_external_id": {
        "customer_external_id",
        "customer_id",
        "account_id",
        "company_id",
        "account_external_id",
    },
    "customer_name": {
        "customer_name",
        "customer",
        "company",
        "company_name",
        "account",
        "account_name",
    },
    "industry": {"industry", "sector"},
    "region": {"region", "territory"},
    "plan": {"plan", "tier"},
    "arr": {"arr", "annual_revenue", "annual_recurring_revenue"},
    "owner_email": {"owner_email", "owner", "account_owner", "csm", "csm_email"},
}
_FIELD_FOR_HEADER = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
CUSTOMER_COLUMNS = ("industry", "region", "plan", "arr")
# Column lengths of the model fields the values go to.
MAX_LENGTHS = {
    "external_id": 120,
    "name": 200,
    "email": 254,
    "locale": 16,
    "customer_external_id": 120,
    "customer_name": 200,
    "industry": 80,
    "region": 80,
    "plan": 80,
}
# Columns Pulse writes into its own error report; they are ignored when the report is
# corrected and uploaded again.
REPORT_PREFIX = "pulse_"
CONTACT_KEYS = ("external_id", "email", "phone")
_KEY_LABELS = {"external_id": "external id", "email": "email", "phone": "phone"}


class FileRefused(Exception):
    """The file as a whole cannot be imported; nothing of it is written."""


@dataclass
class Columns:
    """How the file's columns map to fields: ``fields[i]`` or attribute name ``attributes[i]``."""

    headers: list[str]
    fields: dict[int, str] = field(default_factory=dict)
    attributes: dict[int, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.fields.values()


@dataclass
class Row:
    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def normalize_header(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


def map_columns(headers: list[str]) -> Columns:
    columns = Columns(headers=headers)
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalize_header(header)
        if not key:
            raise FileRefused(f"Column {index + 1} has no header; name it or remove it.")
        if key in seen:
            raise FileRefused(
                f"Columns {seen[key] + 1} and {index + 1} have the same header “{header.strip()}”."
            )
        seen[key] = index
        if key.startswith(REPORT_PREFIX):
            continue
        if key in _FIELD_FOR_HEADER:
            target = _FIELD_FOR_HEADER[key]
            if target in columns.fields.values():
                raise FileRefused(f"Two columns mean “{target}”; keep one of them.")
            columns.fields[index] = target
        else:
            columns.attributes[index] = key
    missing = []
    if not (columns.has("customer_external_id") or columns.has("customer_name")):
        missing.append("a customer column (customer_external_id or customer_name)")
    if not (columns.has("email") or columns.has("phone")):
        missing.append("an email or phone column")
    if missing:
        raise FileRefused(
            "The file needs " + " and ".join(missing) + ". Found: " + ", ".join(headers) + "."
        )
    return columns


def decode(content: bytes) -> str:
    if not content.strip():
        raise FileRefused("The file is empty.")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("The file says it is UTF-16 but is not.") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused(
            f"The file is not UTF-8 text (line {line} has bytes that are not UTF-8). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from None
    if "\x00" in text:
        raise FileRefused("The file contains binary data; upload a CSV file.")
    return text


class _Semicolon(csv.excel):
    delimiter = ";"


class _Tab(csv.excel):
    delimiter = "\t"


class _Pipe(csv.excel):
    delimiter = "|"


def _dialect(text: str) -> type[csv.Dialect]:
    """The delimiter the header uses most (comma on a tie). csv.Sniffer is quadratic in the
    line length, so a hostile first line could stall a worker; counting is linear."""
    end = text.find("\n")
    header = text[: end if end != -1 else 8192][:8192]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return {",": csv.excel, ";": _Semicolon, "\t": _Tab, "|": _Pipe}[best]


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every non-blank record after the header."""
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    next(reader, None)
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def read_header(text: str) -> Columns:
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        headers = next(reader, None)
    except csv.Error as exc:
        raise FileRefused(f"Line 1 is not valid CSV: {exc}.") from None
    if not headers or not any(h.strip() for h in headers):
        raise FileRefused("The first line must name the columns (e.g. email,phone,customer_name).")
    return map_columns(headers)


def count_records(text: str, columns: Columns) -> int:
    count = 0
    try:
        for _line, _cells in _records(text):
            count += 1
    except csv.Error as exc:
        raise FileRefused(f"Line {count + 2} is not valid CSV: {exc}.") from None
    if count == 0:
        raise FileRefused("The file has a header but no rows.")
    return count


# --- Row validation (pure, no database) ----------------------------------------------------


def _undefuse(cell: str) -> str:
    """Pulse's error report writes ``'=…`` so spreadsheets do not run it; read it back."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def parse_row(line: int, cells: list[str], columns: Columns, region: str) -> Row:
    headers = columns.headers
    row = Row(
        line=line,
        raw={headers[i] if i < len(headers) else f"column {i + 1}": c for i, c in enumerate(cells)},
    )
    if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
        row.errors.append(f"has {len(cells)} cells but the header has {len(headers)} columns")
    cells = [_undefuse(cell) for cell in cells]
    text: dict[str, str] = {}
    for index, name in columns.fields.items():
        text[name] = cells[index].strip() if index < len(cells) else ""
    for index, name in columns.attributes.items():
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            row.attributes[name] = value

    values = row.values
    for name in (
        "external_id",
        "customer_external_id",
        "customer_name",
        "industry",
        "region",
        "plan",
    ):
        if text.get(name):
            values[name] = text[name]
    name = text.get("name") or " ".join(
        p for p in (text.get("first_name"), text.get("last_name")) if p
    )
    if name:
        values["name"] = name
    checks = (
        ("email", lambda v: normalize.normalize_email(v)),
        ("phone", lambda v: normalize.normalize_phone(v, region=region)),
        ("time_zone", normalize.normalize_time_zone),
        ("locale", normalize.normalize_locale),
        ("arr", normalize.normalize_arr),
        ("owner_email", lambda v: normalize.normalize_email(v)),
    )
    for key, check in checks:
        if text.get(key):
            try:
                values[key] = check(text[key])
            except ValidationError as exc:
                row.errors.append(f"{key.replace('_', ' ')}: {' '.join(exc.messages)}")
    if not (values.get("customer_external_id") or values.get("customer_name")):
        row.errors.append("no customer (customer_external_id or customer_name)")
    if not (text.get("email") or text.get("phone")):
        row.errors.append("no email and no phone")
    for key, limit in MAX_LENGTHS.items():
        value = values.get(key)
        if isinstance(value, str) and len(value) > limit:
            row.errors.append(f"{key.replace('_', ' ')} is longer than {limit} characters")
    return row


# --- Writing one chunk ----------------------------------------------------------------------


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    errors: list[ContactImportRowError] = field(default_factory=list)


class FileState:
    """What earlier rows of the same file claimed: keys and contacts, by first line."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], int] = {}

    def duplicate_of(self, row: Row) -> str | None:
        for key in CONTACT_KEYS:
            value = row.values.get(key)
            if value and (key, value) in self.keys:
                return f"same {_KEY_LABELS[key]} as line {self.keys[(key, value)]}"
        return None

    def claim(self, row: Row) -> None:
        for key in CONTACT_KEYS:
            value = row.values.get(key)
            if value:
                self.keys.setdefault((key, value), row.line)


def check_file_duplicates(rows: list[Row], state: FileState) -> None:
    for row in rows:
        if row.errors:
            continue
        duplicate = state.duplicate_of(row)
        if duplicate:
            row.errors.append(f"duplicate row: {duplicate}")
        else:
            state.claim(row)


class ChunkWriter:
    """Resolves customers and contacts for one chunk of valid rows and writes them."""

    def __init__(self, workspace: Workspace, contact_import: ContactImport) -> None:
        self.workspace = workspace
        self.contact_import = contact_import
        self.owners = {
            m.user.email.lower(): m
            for m in Membership.objects.filter(workspace=workspace).select_related("user")
        }

    def write(self, rows: list[Row]) -> ChunkResult:
        result = ChunkResult()
        valid = [row for row in rows if not row.errors]
        for row in valid:
            owner_email = row.values.get("owner_email")
            if owner_email and owner_email not in self.owners:
                row.errors.append(f"owner {owner_email} is not a member of this workspace")
        valid = [row for row in valid if not row.errors]
        customers = self._customers_for(valid)
        for row in valid:
            if _customer_key(row) not in customers:
                row.errors.append(
                    f"customer {row.values.get('customer_external_id')} does not exist; "
                    "add a customer_name column to create it"
                )
        valid = [row for row in valid if not row.errors]
        to_create, to_update = self._contacts_for(valid, customers)
        Contact.objects.bulk_create(to_create)
        if to_update:
            Contact.objects.bulk_update(
                to_update,
                [
                    "customer",
                    "external_id",
                    "name",
                    "email",
                    "phone",
                    "time_zone",
                    "locale",
                    "attributes",
                    "updated_at",
                ],
            )
        result.created, result.updated = len(to_create), len(to_update)
        result.errors = [
            ContactImportRowError(
                contact_import=self.contact_import,
                line=row.line,
                message="; ".join(row.errors),
                values=row.raw,
            )
            for row in rows
            if row.errors
        ]
        ContactImportRowError.objects.bulk_create(result.errors)
        return result

    def _customers_for(self, rows: list[Row]) -> dict[tuple[str, str], Customer]:
        ext_ids = {
            row.values["customer_external_id"]
            for row in rows
            if "customer_external_id" in row.values
        }
        names = {
            row.values["customer_name"] for row in rows if "customer_external_id" not in row.values
        }
        found: dict[tuple[str, str], Customer] = {}
        base = Customer.objects.filter(workspace=self.workspace)
        for customer in base.filter(external_id__in=ext_ids):
            found[("external_id", customer.external_id)] = customer
        for customer in base.filter(name__in=names).order_by("-id"):
            found[("name", customer.name)] = customer  # the oldest one wins on equal names
        new: dict[tuple[str, str], Customer] = {}
        changed: dict[int, Customer] = {}
        for row in rows:
            key = _customer_key(row)
            customer = found.get(key) or new.get(key)
            if customer is None:
                if "customer_name" not in row.values:
                    continue
                customer = Customer(
                    workspace=self.workspace,
                    external_id=row.values.get("customer_external_id", ""),
                    name=row.values["customer_name"],
                )
                new[key] = customer
            updates = {c: row.values[c] for c in CUSTOMER_COLUMNS if c in row.values}
            if "owner_email" in row.values:
                updates["owner"] = self.owners[row.values["owner_email"]]
            if "customer_name" in row.values and key[0] == "external_id":
                updates["name"] = row.values["customer_name"]
            for name, value in updates.items():
                if getattr(customer, name) != value:
                    setattr(customer, name, value)
                    if customer.pk:
                        changed[customer.pk] = customer
        Customer.objects.bulk_create(list(new.values()))
        if changed:
            Customer.objects.bulk_update(
                list(changed.values()), ["name", "industry", "region", "plan", "arr", "owner"]
            )
        return {**found, **new}

    def _contacts_for(
        self, rows: list[Row], customers: dict[tuple[str, str], Customer]
    ) -> tuple[list[Contact], list[Contact]]:
        wanted: dict[str, set[str]] = {key: set() for key in CONTACT_KEYS}
        for row in rows:
            for key in CONTACT_KEYS:
                if row.values.get(key):
                    wanted[key].add(row.values[key])
        lookup = Q()
        for key, values in wanted.items():
            if values:
                lookup |= Q(**{f"{key}__in": values})
        index: dict[tuple[str, str], Contact] = {}
        if lookup:
            for contact in Contact.objects.filter(lookup, workspace=self.workspace):
                for key in CONTACT_KEYS:
                    if getattr(contact, key):
                        index[(key, getattr(contact, key))] = contact

        to_create: list[Contact] = []
        to_update: dict[int, Contact] = {}
        updated_by: dict[int, int] = {}
        now = timezone.now()
        for row in rows:
            matches = {
                key: index.get((key, row.values[key]))
                for key in CONTACT_KEYS
                if row.values.get(key)
            }
            target = next((c for c in matches.values() if c is not None), None)
            conflicts = [
                f"{_KEY_LABELS[key]} {row.values[key]} belongs to another contact"
                + (f" (external id {other.external_id})" if other.external_id else "")
                for key, other in matches.items()
                if other is not None and other is not target
            ]
            if (
                target
                and target.external_id
                and row.values.get("external_id") not in (None, target.external_id)
            ):
                conflicts.append(
                    f"matches the contact with external id {target.external_id}, "
                    f"not {row.values['external_id']}"
                )
            if target and target.pk in updated_by:
                conflicts.append(f"updates the same contact as line {updated_by[target.pk]}")
            if conflicts:
                row.errors.extend(conflicts)
                continue
            contact = target or Contact(workspace=self.workspace, created_at=now)
            contact.customer = customers[_customer_key(row)]
            for key in ("external_id", "name", "email", "phone", "time_zone", "locale"):
                if row.values.get(key):
                    setattr(contact, key, row.values[key])
            contact.attributes = {**(contact.attributes or {}), **row.attributes}
            contact.updated_at = now
            if target is None:
                to_create.append(contact)
            else:
                to_update[contact.pk] = contact
                updated_by[contact.pk] = row.line
        return to_create, list(to_update.values())


def _customer_key(row: Row) -> tuple[str, str]:
    if "customer_external_id" in row.values:
        return ("external_id", row.values["customer_external_id"])
    return ("name", row.values.get("customer_name", ""))


# --- The import as a whole ------------------------------------------------------------------


def _chunks(text: str, columns: Columns, region: str) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for line, cells in _records(text):
        chunk.append(parse_row(line, cells, columns, region))
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def contact_import_claim(*, import_id: int) -> ContactImport | None:
    """Take the import for this worker: a waiting one, or a running one whose worker is gone."""
    now = timezone.now()
    claimed = (
        ContactImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ContactImport.Status.PENDING)
            | Q(status=ContactImport.Status.RUNNING, lease_expires_at__lt=now)
        )
        .update(
            status=ContactImport.Status.RUNNING,
            lease_expires_at=now + LEASE,
            started_at=Coalesce(F("started_at"), now),
        )
    )
    if claimed != 1:
        return None
    return ContactImport.objects.select_related("workspace").get(pk=import_id)


class LeaseLost(Exception):
    """Another worker took the import over; this one stops without writing."""


def contact_import_run(*, import_id: int) -> ContactImport | None:
    """Run (or resume) one import. Does nothing when another worker holds it or it is done.

    Safe to run twice: chunks already committed are skipped, and each chunk commits only if
    the import's ``chunks_done`` still equals its index.
    """
    job = contact_import_claim(import_id=import_id)
    if job is None:
        return None
    workspace = job.workspace
    region = workspace.default_region
    try:
        text = decode(bytes(job.content))
        columns = read_header(text)
        total = count_records(text, columns)
    except FileRefused as refused:
        ContactImport.objects.filter(pk=job.pk).update(
            status=ContactImport.Status.FAILED,
            error=str(refused),
            finished_at=timezone.now(),
            total_rows=0,
            content=b"",
        )
        return ContactImport.objects.get(pk=job.pk)
    ContactImport.objects.filter(pk=job.pk).update(total_rows=total, headers=columns.headers)

    state = FileState()
    writer = ChunkWriter(workspace, job)
    try:
        for index, rows in enumerate(_chunks(text, columns, region)):
            check_file_duplicates(rows, state)
            if index < job.chunks_done:
                continue
            _write_chunk(job, writer, index, rows)
    except LeaseLost:
        logger.info("contact import %s was taken over by another worker", job.pk)
        return None
    except Exception:
        # A bug or a database outage: stop here rather than retrying forever. Chunks before
        # this one are committed and counted; nothing of this chunk was written.
        logger.exception("contact import %s failed", job.pk)
        ContactImport.objects.filter(pk=job.pk).update(
            status=ContactImport.Status.FAILED,
            finished_at=timezone.now(),
            content=b"",
            error="Pulse hit an unexpected error and stopped this import. Rows counted above "
            "were imported; upload the file again to finish (imported rows will be updated).",
        )
        return ContactImport.objects.get(pk=job.pk)
    ContactImport.objects.filter(pk=job.pk, status=ContactImport.Status.RUNNING).update(
        status=ContactImport.Status.SUCCEEDED,
        finished_at=timezone.now(),
        lease_expires_at=None,
        content=b"",  # the personal data in the file is not kept once it is imported
    )
    return ContactImport.objects.get(pk=job.pk)


def _write_chunk(job: ContactImport, writer: ChunkWriter, index: int, rows: list[Row]) -> None:
    # Another writer (API, a second import) may take an email or phone between our read and
    # our insert; the unique constraints then stop the chunk and it is simply tried again.
    snapshot = [(row.errors.copy(), row) for row in rows]
    for attempt in range(3):
        for errors, row in snapshot:
            row.errors = errors.copy()
        try:
            with transaction.atomic():
                result = writer.write(rows)
                advanced = ContactImport.objects.filter(pk=job.pk, chunks_done=index).update(
                    chunks_done=index + 1,
                    processed_rows=F("processed_rows") + len(rows),
                    created_count=F("created_count") + result.created,
                    updated_count=F("updated_count") + result.updated,
                    failed_count=F("failed_count") + len(result.errors),
                    lease_expires_at=timezone.now() + LEASE,
                )
                if advanced != 1:
                    raise LeaseLost
            return
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("contact import %s chunk %s collided; retrying", job.pk, index)
