"""Intake API routes under /api/v1/ (views in intake/api.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from intake import api, match_api

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
    *router.urls,
]
