from django.urls import path

from surveys import views

urlpatterns = [
    path("surveys/", views.SurveyListView.as_view(), name="survey-list"),
    path("surveys/<int:survey_pk>/", views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:survey_pk>/edit/", views.SurveyBuilderView.as_view(), name="survey-edit"),
    path("surveys/<int:survey_pk>/lint/", views.SurveyLintView.as_view(), name="survey-lint"),
    path(
        "surveys/<int:survey_pk>/publish/", views.SurveyPublishView.as_view(), name="survey-publish"
    ),
    path(
        "surveys/<int:survey_pk>/preview/", views.SurveyPreviewView.as_view(), name="survey-preview"
    ),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path(
        "campaigns/<int:campaign_pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"
    ),
    path(
        "campaigns/<int:campaign_pk>/progress/",
        views.CampaignProgressView.as_view(),
        name="campaign-progress",
    ),
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path("r/<str:token>", views.answer, name="answer"),
]
