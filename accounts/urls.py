from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("workspace/switch/", views.workspace_switch, name="workspace-switch"),
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/new/", views.CustomerEditView.as_view(), name="customer-create"),
    path(
        "customers/<int:customer_pk>/", views.CustomerDetailView.as_view(), name="customer-detail"
    ),
    path(
        "customers/<int:customer_pk>/edit/", views.CustomerEditView.as_view(), name="customer-edit"
    ),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", views.ContactEditView.as_view(), name="contact-create"),
    path("contacts/<int:contact_pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:contact_pk>/edit/", views.ContactEditView.as_view(), name="contact-edit"),
    path(
        "contacts/<int:contact_pk>/erase/", views.ContactEraseView.as_view(), name="contact-erase"
    ),
    path("contacts/import/", views.ContactImportView.as_view(), name="contact-import"),
    path(
        "contacts/import/<int:import_pk>/",
        views.ContactImportDetailView.as_view(),
        name="contact-import-detail",
    ),
    path(
        "contacts/import/<int:import_pk>/progress/",
        views.ContactImportProgressView.as_view(),
        name="contact-import-progress",
    ),
    path(
        "contacts/import/<int:import_pk>/errors.csv",
        views.ContactImportErrorsCsvView.as_view(),
        name="contact-import-errors",
    ),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/members/", views.MembersView.as_view(), name="members"),
    path(
        "settings/members/<int:membership_pk>/",
        views.MemberChangeView.as_view(),
        name="member-change",
    ),
    path("settings/tokens/", views.ApiTokensView.as_view(), name="api-tokens"),
    path(
        "settings/tokens/<int:token_pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
]
