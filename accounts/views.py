"""Browser edges of accounts. Reads go through selectors, writes through services."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts import selectors, services, throttle
from accounts.exports import BOM, csv_safe
from accounts.forms import (
    ApiTokenForm,
    ContactFilterForm,
    ContactForm,
    ContactImportForm,
    CustomerFilterForm,
    CustomerForm,
    MemberAddForm,
    MemberRoleForm,
    WorkspaceSettingsForm,
)
from accounts.mixins import WorkspaceMixin
from accounts.models import Contact, ContactImport, Customer
from accounts.roles import Capability

PAGE_SIZE = 50


def _get_or_404(selector: Any, **kwargs: Any) -> Any:
    try:
        return selector(**kwargs)
    except (Customer.DoesNotExist, Contact.DoesNotExist, ContactImport.DoesNotExist):
        raise Http404("Not found in this workspace.") from None


def _segment_filters(workspace: Any, request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"name": name, "options": options, "selected": request.GET.get(name, "")}
        for name, options in selectors.segment_values(workspace=workspace).items()
    ]


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    workspace_id = request.POST.get("workspace", "")
    membership = (
        selectors.memberships_of(user=request.user).filter(workspace_id=workspace_id).first()
        if workspace_id.isdecimal()
        else None
    )
    if membership is None:
        raise Http404("You are not a member of that workspace.")
    request.session[selectors.SESSION_WORKSPACE_KEY] = membership.workspace_id
    messages.success(request, f"Now working in {membership.workspace.name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return redirect(target)


class HomeView(WorkspaceMixin, TemplateView):
    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contacts = selectors.contact_list(workspace=self.workspace)
        return super().get_context_data(
            customer_count=selectors.customer_list(workspace=self.workspace).count(),
            contact_count=contacts.count(),
            reachable=selectors.reachable_counts(workspace=self.workspace),
            recent_imports=selectors.contact_import_list(workspace=self.workspace)[:5],
            **kwargs,
        )


# --- Customers -----------------------------------------------------------------------------


class CustomerListView(WorkspaceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = CustomerFilterForm(request.GET, workspace=self.workspace)
        customers = (
            selectors.customer_list(workspace=self.workspace, **form.selector_kwargs())
            if form.is_valid()
            else Customer.objects.none()
        )
        page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "accounts/customer_list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "filters": _segment_filters(self.workspace, request),
            },
        )


class CustomerDetailView(WorkspaceMixin, View):
    def get(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = _get_or_404(selectors.customer_get, workspace=self.workspace, pk=customer_pk)
        contacts = selectors.contact_list(workspace=self.workspace, customer=customer)
        page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request, "accounts/customer_detail.html", {"customer": customer, "page": page}
        )


class CustomerEditView(WorkspaceMixin, View):
    read_capability = Capability.EDIT_CONTACTS
    write_capability = Capability.EDIT_CONTACTS

    def _customer(self, customer_pk: int | None) -> Customer | None:
        if customer_pk is None:
            return None
        return _get_or_404(selectors.customer_get, workspace=self.workspace, pk=customer_pk)

    def get(self, request: HttpRequest, customer_pk: int | None = None) -> HttpResponse:
        customer = self._customer(customer_pk)
        form = CustomerForm(instance=customer, workspace=self.workspace)
        return render(request, "accounts/form.html", self._context(form, customer))

    def post(self, request: HttpRequest, customer_pk: int | None = None) -> HttpResponse:
        customer = self._customer(customer_pk)
        form = CustomerForm(request.POST, instance=customer, workspace=self.workspace)
        if form.is_valid():
            try:
                customer = services.customer_save(
                    workspace=self.workspace, data=form.cleaned_data, customer=customer
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Saved {customer.name}.")
                return redirect("customer-detail", customer_pk=customer.pk)
        return render(request, "accounts/form.html", self._context(form, customer), status=400)

    def _context(self, form: Form, customer: Customer | None) -> dict[str, Any]:
        title = f"Edit {customer.name}" if customer else "New customer"
        back = (
            reverse("customer-detail", kwargs={"customer_pk": customer.pk})
            if customer
            else reverse("customer-list")
        )
        return {"form": form, "title": title, "back": back}


# --- Contacts ------------------------------------------------------------------------------


class ContactListView(WorkspaceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = ContactFilterForm(request.GET, workspace=self.workspace)
        contacts = (
            selectors.contact_list(workspace=self.workspace, **form.selector_kwargs())
            if form.is_valid()
            else Contact.objects.none()
        )
        page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "accounts/contact_list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "filters": _segment_filters(self.workspace, request),
            },
        )


class ContactDetailView(WorkspaceMixin, View):
    def get(self, request: HttpRequest, contact_pk: int) -> HttpResponse:
        contact = _get_or_404(selectors.contact_get, workspace=self.workspace, pk=contact_pk)
        return render(request, "accounts/contact_detail.html", {"contact": contact})


class ContactEditView(WorkspaceMixin, View):
    read_capability = Capability.EDIT_CONTACTS
    write_capability = Capability.EDIT_CONTACTS

    def _contact(self, contact_pk: int | None) -> Contact | None:
        if contact_pk is None:
            return None
        contact = _get_or_404(selectors.contact_get, workspace=self.workspace, pk=contact_pk)
        if contact.is_erased:
            raise Http404("This contact was erased.")
        return contact

    def get(self, request: HttpRequest, contact_pk: int | None = None) -> HttpResponse:
        contact = self._contact(contact_pk)
        initial = {}
        if contact is None and request.GET.get("customer", "").isdecimal():
            initial["customer"] = request.GET["customer"]
        form = ContactForm(instance=contact, initial=initial, workspace=self.workspace)
        return render(request, "accounts/form.html", self._context(form, contact))

    def post(self, request: HttpRequest, contact_pk: int | None = None) -> HttpResponse:
        contact = self._contact(contact_pk)
        form = ContactForm(request.POST, instance=contact, workspace=self.workspace)
        if form.is_valid():
            try:
                contact = services.contact_save(
                    workspace=self.workspace, data=form.cleaned_data, contact=contact
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Saved {contact}.")
                return redirect("contact-detail", contact_pk=contact.pk)
        return render(request, "accounts/form.html", self._context(form, contact), status=400)

    def _context(self, form: Form, contact: Contact | None) -> dict[str, Any]:
        title = f"Edit {contact}" if contact else "New contact"
        back = (
            reverse("contact-detail", kwargs={"contact_pk": contact.pk})
            if contact
            else reverse("contact-list")
        )
        return {"form": form, "title": title, "back": back}


class ContactEraseView(WorkspaceMixin, View):
    read_capability = Capability.ERASE_CONTACTS
    write_capability = Capability.ERASE_CONTACTS

    def get(self, request: HttpRequest, contact_pk: int) -> HttpResponse:
        contact = _get_or_404(selectors.contact_get, workspace=self.workspace, pk=contact_pk)
        return render(request, "accounts/contact_erase.html", {"contact": contact})

    def post(self, request: HttpRequest, contact_pk: int) -> HttpResponse:
        contact = _get_or_404(selectors.contact_get, workspace=self.workspace, pk=contact_pk)
        services.contact_erase(contact=contact)
        messages.success(request, "The contact's personal data was erased.")
        return redirect("contact-detail", contact_pk=contact.pk)


# --- Contact imports -----------------------------------------------------------------------


class ContactImportView(WorkspaceMixin, View):
    read_capability = Capability.EDIT_CONTACTS
    write_capability = Capability.EDIT_CONTACTS

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ContactImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ContactImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                contact_import = services.contact_import_start(
                    workspace=self.workspace,
                    user=request.user,
                    filename=upload.name,
                    content=services.upload_read(upload),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("contact-import-detail", import_pk=contact_import.pk)
        return self._render(request, form, status=400)

    def _render(self, request: HttpRequest, form: Form, status: int = 200) -> HttpResponse:
        imports = selectors.contact_import_list(workspace=self.workspace)[:20]
        return render(
            request,
            "accounts/contact_import.html",
            {"form": form, "imports": imports},
            status=status,
        )


class ContactImportDetailView(WorkspaceMixin, View):
    def get(self, request: HttpRequest, import_pk: int) -> HttpResponse:
        contact_import = _get_or_404(
            selectors.contact_import_get, workspace=self.workspace, pk=import_pk
        )
        return render(
            request,
            "accounts/contact_import_detail.html",
            {
                "job": contact_import,
                "row_errors": contact_import.row_errors.all()[:100],
            },
        )


class ContactImportProgressView(WorkspaceMixin, View):
    def get(self, request: HttpRequest, import_pk: int) -> HttpResponse:
        job = _get_or_404(selectors.contact_import_get, workspace=self.workspace, pk=import_pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "finished": job.is_finished,
                "percent": job.percent,
                "error": job.error,
                "total_rows": job.total_rows,
                "processed_rows": job.processed_rows,
                "created": job.created_count,
                "updated": job.updated_count,
                "failed": job.failed_count,
            }
        )


class ContactImportErrorsCsvView(WorkspaceMixin, View):
    """The refused rows as they were uploaded, after their line and reason.

    Fix the rows and upload the file again: the ``pulse_`` columns are ignored by the import.
    """

    def get(self, request: HttpRequest, import_pk: int) -> HttpResponse:
        job = _get_or_404(selectors.contact_import_get, workspace=self.workspace, pk=import_pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stem = job.filename.rsplit(".", 1)[0] or "contacts"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{stem}-refused-rows.csv"
        )
        response.write(BOM)
        writer = csv.writer(response)
        headers = [h for h in job.headers if not h.strip().lower().startswith("pulse_")]
        writer.writerow(["pulse_line", "pulse_error", *map(csv_safe, headers)])
        for row_error in job.row_errors.iterator():
            cells = [str(row_error.line), row_error.message]
            cells += [row_error.values.get(header, "") for header in headers]
            writer.writerow([csv_safe(cell) for cell in cells])
        return response


# --- Settings, members and API tokens ------------------------------------------------------


class SettingsView(WorkspaceMixin, View):
    read_capability = Capability.MANAGE_SETTINGS
    write_capability = Capability.MANAGE_SETTINGS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = WorkspaceSettingsForm(instance=self.workspace)
        return render(
            request,
            "accounts/form.html",
            {"form": form, "title": "Workspace settings", "back": reverse("home")},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WorkspaceSettingsForm(request.POST, instance=self.workspace)
        if form.is_valid():
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("settings")
        return render(
            request,
            "accounts/form.html",
            {"form": form, "title": "Workspace settings", "back": reverse("home")},
            status=400,
        )


class MembersView(WorkspaceMixin, View):
    read_capability = Capability.MANAGE_MEMBERS
    write_capability = Capability.MANAGE_MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, MemberAddForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MemberAddForm(request.POST)
        if form.is_valid():
            user = selectors.user_by_email(email=form.cleaned_data["email"])
            if user is None:
                form.add_error("email", "No Pulse user has this email; ask them to sign up.")
            else:
                try:
                    services.membership_set(
                        workspace=self.workspace, user=user, role=form.cleaned_data["role"]
                    )
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    messages.success(request, f"{user.email} is now a member.")
                    return redirect("members")
        return self._render(request, form, status=400)

    def _render(self, request: HttpRequest, form: Form, status: int = 200) -> HttpResponse:
        members = selectors.member_list(workspace=self.workspace)
        return render(
            request,
            "accounts/members.html",
            {"form": form, "members": members, "role_form": MemberRoleForm()},
            status=status,
        )


class MemberChangeView(WorkspaceMixin, View):
    read_capability = Capability.MANAGE_MEMBERS
    write_capability = Capability.MANAGE_MEMBERS

    def post(self, request: HttpRequest, membership_pk: int) -> HttpResponse:
        member = selectors.member_get(workspace=self.workspace, pk=membership_pk)
        if member is None:
            raise Http404("No such member in this workspace.")
        try:
            if request.POST.get("remove"):
                services.membership_remove(membership=member)
                messages.success(request, f"Removed {member.user.email}.")
            else:
                form = MemberRoleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Choose a role.")
                services.membership_role_change(membership=member, role=form.cleaned_data["role"])
                messages.success(
                    request, f"{member.user.email} is now {member.get_role_display()}."
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("members")


class ApiTokensView(WorkspaceMixin, View):
    write_capability = Capability.VIEW  # any member may make tokens that act with their role

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ApiTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            token, key = services.api_token_create(
                membership=self.membership, name=form.cleaned_data["name"]
            )
            return self._render(request, ApiTokenForm(), new_key=key, new_token=token)
        return self._render(request, form, status=400)

    def _render(
        self, request: HttpRequest, form: Form, status: int = 200, **extra: Any
    ) -> HttpResponse:
        tokens = selectors.api_token_list(membership=self.membership)
        return render(
            request,
            "accounts/tokens.html",
            {"form": form, "tokens": tokens, **extra},
            status=status,
        )


class ApiTokenRevokeView(WorkspaceMixin, View):
    write_capability = Capability.VIEW

    def post(self, request: HttpRequest, token_pk: int) -> HttpResponse:
        if not services.api_token_revoke(membership=self.membership, token_pk=token_pk):
            raise Http404("No such token.")
        messages.success(request, "Token revoked.")
        return redirect("api-tokens")


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, with failed attempts limited per address and per account."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ip = throttle.client_ip(request)
        account = request.POST.get("username", "").strip().lower()[:254]
        if throttle.exceeded(throttle.LOGIN_PER_IP, ip) or throttle.exceeded(
            throttle.LOGIN_PER_ACCOUNT, account
        ):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many sign-in attempts. Wait a few minutes and try again.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:  # a failed attempt
            throttle.hit(throttle.LOGIN_PER_IP, ip)
            throttle.hit(throttle.LOGIN_PER_ACCOUNT, account)
        return response
