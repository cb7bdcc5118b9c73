"""Handbook API routes under /api/v1/handbook/ (views in handbook/api.py)."""

urlpatterns: list = []
