"""API edges of accounts: each view scopes to the request's workspace and calls a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.forms import Form
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api.permissions import current_membership
from accounts.api.serializers import (
    ContactImportCreateSerializer,
    ContactImportRowErrorSerializer,
    ContactImportSerializer,
    ContactSerializer,
    CustomerSerializer,
)
from accounts.forms import ContactFilterForm, CustomerFilterForm
from accounts.models import Contact, ContactImport, Customer, Membership, Workspace
from accounts.roles import Capability

T = TypeVar("T")


def call_service(function: Callable[..., T], **kwargs: Any) -> T:
    """Run a service; its Django ValidationError becomes a 400 with the same field errors."""
    try:
        return function(**kwargs)
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise serializers.ValidationError(detail) from None


def valid_filters(form: Form) -> dict[str, Any]:
    if not form.is_valid():
        raise serializers.ValidationError(form.errors.get_json_data(escape_html=True))
    return form.selector_kwargs()


class WorkspaceViewSet(viewsets.GenericViewSet):
    """Base of every API view set: knows the request's membership and workspace."""

    write_capability = Capability.EDIT_CONTACTS

    @property
    def membership(self) -> Membership:
        membership = current_membership(self.request)
        assert membership is not None  # HasWorkspaceCapability let the request in
        return membership

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["workspace"] = self.workspace
        return context


_segment_params = [
    OpenApiParameter("q", str, description="Search in names, emails, phones, external ids."),
    OpenApiParameter("industry", str),
    OpenApiParameter("region", str),
    OpenApiParameter("plan", str),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *_segment_params,
            OpenApiParameter("owner", int, description="Membership id of the owner."),
            OpenApiParameter("arr_min", OpenApiTypes.DECIMAL),
            OpenApiParameter("arr_max", OpenApiTypes.DECIMAL),
        ]
    )
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    WorkspaceViewSet,
):
    """Customers: the companies the workspace serves."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.none()
    lookup_url_kwarg = "customer_pk"
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Customer]:
        if self.action == "list":
            form = CustomerFilterForm(self.request.query_params, workspace=self.workspace)
            return selectors.customer_list(workspace=self.workspace, **valid_filters(form))
        return selectors.customer_list(workspace=self.workspace)

    def perform_create(self, serializer: CustomerSerializer) -> None:
        serializer.instance = call_service(
            services.customer_save, workspace=self.workspace, data=serializer.validated_data
        )

    def perform_update(self, serializer: CustomerSerializer) -> None:
        serializer.instance = call_service(
            services.customer_save,
            workspace=self.workspace,
            data=serializer.validated_data,
            customer=serializer.instance,
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *_segment_params,
            OpenApiParameter("customer", int, description="Customer id."),
            OpenApiParameter("include_erased", bool),
        ]
    )
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    WorkspaceViewSet,
):
    """Contacts: the people at customers whom surveys reach. Erase instead of delete."""

    serializer_class = ContactSerializer
    queryset = Contact.objects.none()
    lookup_url_kwarg = "contact_pk"
    lookup_value_regex = r"\d+"
    action_capabilities = {"erase": Capability.ERASE_CONTACTS}

    def get_queryset(self) -> QuerySet[Contact]:
        if self.action == "list":
            form = ContactFilterForm(self.request.query_params, workspace=self.workspace)
            return selectors.contact_list(workspace=self.workspace, **valid_filters(form))
        return selectors.contact_list(workspace=self.workspace, include_erased=True)

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = call_service(
            services.contact_save, workspace=self.workspace, data=serializer.validated_data
        )

    def perform_update(self, serializer: ContactSerializer) -> None:
        serializer.instance = call_service(
            services.contact_save,
            workspace=self.workspace,
            data=serializer.validated_data,
            contact=serializer.instance,
        )

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, contact_pk: str) -> Response:
        """Remove the contact's personal data; its anonymous answers still count in scores."""
        contact = services.contact_erase(contact=self.get_object())
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)


class ContactImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, WorkspaceViewSet
):
    """CSV imports of contacts: start one, then poll its progress and read its refused rows."""

    serializer_class = ContactImportSerializer
    queryset = ContactImport.objects.none()
    lookup_url_kwarg = "import_pk"
    lookup_value_regex = r"\d+"
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self) -> QuerySet[ContactImport]:
        return selectors.contact_import_list(workspace=self.workspace)

    @extend_schema(request=ContactImportCreateSerializer, responses={202: ContactImportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = ContactImportCreateSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        contact_import = call_service(
            services.contact_import_start,
            workspace=self.workspace,
            user=request.user,
            filename=file.name,
            content=call_service(services.upload_read, upload=file),
        )
        return Response(
            ContactImportSerializer(contact_import).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(responses=ContactImportRowErrorSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="errors", url_name="errors")
    def row_errors(self, request: Request, import_pk: str) -> Response:
        """The refused rows, by line number, with the reason and the row's values."""
        rows = self.get_object().row_errors.all()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ContactImportRowErrorSerializer(page, many=True).data)
