"""Pages answer a service's refusal the way the API does, when a view lets one through.

Page views catch the refusals they can explain next to a form (a field error under the field, a
conflict above the form they re-render). One that escapes a page view reaches this middleware
instead of becoming a 500: a ``Conflict`` is a 409 page saying the thing changed and to reload,
a ``ValidationError`` a 400 page with its messages. ``PermissionDenied`` and ``Http404`` are
Django's own. Under /api/ DRF's exception handler (``network.api_errors``) answers instead.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from network.api_errors import is_api_request
from network.errors import Conflict


class ServiceRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_api_request(request):
            return None
        if isinstance(exception, Conflict):
            context = {"title": _("This changed while you were looking"), "messages_": [exception]}
            return render(request, "refusal.html", context, status=409)
        if isinstance(exception, ValidationError):
            context = {"title": _("That could not be saved"), "messages_": exception.messages}
            return render(request, "refusal.html", context, status=400)
        return None
