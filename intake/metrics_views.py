"""The coordinators' metrics page (requests by status, time to contact and engagement...)."""

from django.http import HttpResponse


def metrics_page(request):
    return HttpResponse(status=501)
