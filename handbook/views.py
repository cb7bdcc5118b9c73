"""Handbook pages (placeholders until the pages land)."""

from django.http import HttpResponse


def page_detail(request, slug):
    return HttpResponse(slug)


def meeting_detail(request, pk):
    return HttpResponse(str(pk))


def decision_detail(request, pk):
    return HttpResponse(str(pk))
