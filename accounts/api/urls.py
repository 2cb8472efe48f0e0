from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views
from metrics.api.views import CaseViewSet, MetricsViewSet, ResponseViewSet
from surveys.api.views import CampaignViewSet, SurveyViewSet

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("contact-imports", views.ContactImportViewSet, basename="api-contact-import")
router.register("surveys", SurveyViewSet, basename="api-survey")
router.register("campaigns", CampaignViewSet, basename="api-campaign")
router.register("metrics", MetricsViewSet, basename="api-metrics")
router.register("responses", ResponseViewSet, basename="api-response")
router.register("cases", CaseViewSet, basename="api-case")

urlpatterns = [
    # The lint endpoint is documented without a trailing slash; accept both.
    path(
        "surveys/lint",
        SurveyViewSet.as_view({"post": "lint"}, schema=None),
        name="api-survey-lint-bare",
    ),
    *router.urls,
]
