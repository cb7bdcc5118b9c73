"""Bid pages (placeholder until the pages land)."""

from django.http import HttpResponse


def workspace(request, pk):
    return HttpResponse(f"Bid {pk}")
