"""Intake API routes under /api/v1/ (views in intake/api.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from intake import api, cover_views, match_api

# A SimpleRouter: the API root view belongs to network's DefaultRouter, included after this.
router = SimpleRouter(trailing_slash=True)
router.register("requests", api.RequestViewSet, basename="api-request")

urlpatterns = [
    path(
        "requests/status/<str:token>/",
        api.RequestStatusView.as_view(),
        name="api-request-status",
    ),
    path(
        "requests/<int:pk>/matches/",
        match_api.RequestMatchesView.as_view(),
        name="api-request-matches",
    ),
    path("free-service-days/", api.FreeServiceDaysView.as_view(), name="api-free-service-days"),
    path("engagements/cover/", cover_views.CoverListView.as_view(), name="api-engagement-covers"),
    path(
        "engagements/<int:pk>/cover/",
        cover_views.CoverView.as_view(),
        name="api-engagement-cover",
    ),
    *router.urls,
]
