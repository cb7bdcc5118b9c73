"""Handbook API routes under /api/v1/handbook/ (views in handbook/api.py; meetings and
decisions in handbook/record_api.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from handbook import api, proposal_api, record_api

# A SimpleRouter: the API root view belongs to network's DefaultRouter.
router = SimpleRouter(trailing_slash=True)
router.register("pages", api.PageViewSet, basename="api-handbook-page")
router.register("meetings", record_api.MeetingViewSet, basename="api-handbook-meeting")
router.register("decisions", record_api.DecisionViewSet, basename="api-handbook-decision")
router.register("proposals", proposal_api.ProposalViewSet, basename="api-handbook-proposal")

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="api-handbook-search"),
    path("export/", api.ExportView.as_view(), name="api-handbook-export"),
    *router.urls,
]
