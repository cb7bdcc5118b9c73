"""Bid pages: the bid board, starting a bid, the workspace (views in intake/bid_views.py)."""

from django.urls import path

from intake import bid_views

urlpatterns = [
    path("bids/<int:pk>/", bid_views.workspace, name="bid-workspace"),
]
