"""Per-address limits on public submissions, shared by the API and the form.

Both count in the same cache entries, so a client cannot double its allowance by switching
between the form and the API.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class RequestSubmitThrottle(SimpleRateThrottle):
    scope = "request_submit"

    def get_rate(self):
        return settings.REQUEST_SUBMIT_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def submission_allowed(request) -> bool:
    """For the form view: counts one submission attempt from this address, False over the limit.

    DRF's throttle reads only ``request.META`` here, so a plain Django request works.
    """
    return RequestSubmitThrottle().allow_request(request, None)
