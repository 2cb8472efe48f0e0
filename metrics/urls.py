from django.urls import path

from metrics import views

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/responses.csv", views.ResponseExportView.as_view(), name="response-export"),
    path("dashboard/promoters/", views.PromotersView.as_view(), name="promoters"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/export.csv", views.CaseExportView.as_view(), name="case-export"),
    path("cases/<int:case_pk>/", views.CaseDetailView.as_view(), name="case-detail"),
]
