"""Bid API routes under /api/v1/ (views in intake/bid_api.py)."""

urlpatterns: list = []
