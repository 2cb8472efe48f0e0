from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from surveys import hooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("hooks/twilio/status", hooks.twilio_status, name="hook-twilio-status"),
    path("hooks/twilio/inbound", hooks.twilio_inbound, name="hook-twilio-inbound"),
    # The ESP's tracking webhook, e.g. /hooks/anymail/postmark/tracking/ (anymail checks the
    # basic-auth secret in ANYMAIL_WEBHOOK_SECRET).
    path("hooks/anymail/", include("anymail.urls")),
    path("", include("surveys.urls")),
    path("", include("metrics.urls")),
    path("", include("accounts.urls")),
]

handler404 = "accounts.errors.not_found"
handler500 = "accounts.errors.server_error"
