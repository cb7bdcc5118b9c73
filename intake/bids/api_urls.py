"""Bid API routes under /api/v1/ (views in ``intake.bids.api``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from intake.bids import api, team_api

# A SimpleRouter: the API root view belongs to network's DefaultRouter.
router = SimpleRouter(trailing_slash=True)
router.register("bids", api.BidViewSet, basename="api-bid")
router.register("bid-board", api.BidBoardViewSet, basename="api-bid-board")

urlpatterns = [
    path(
        "requests/<int:pk>/teams/",
        team_api.RequestTeamsView.as_view(),
        name="api-request-teams",
    ),
    *router.urls,
]
