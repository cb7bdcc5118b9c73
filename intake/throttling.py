"""Per-address limits on public submissions, shared by the API and the form.

Both count in the same cache entries, so a client cannot double its allowance by switching
between the form and the API.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from network.cache import counter_increment


class RequestSubmitThrottle(SimpleRateThrottle):
    """At most ``REQUEST_SUBMIT_RATE`` submissions from one address per period of the rate,
    in fixed windows on the clock ("10/hour": ten between 14:00 and 15:00, ten more after).

    One counter per address and window, raised by an atomic increment
    (``network.cache.counter_increment``: one ``MULTI`` in Redis, a lock in the local-memory
    cache): submissions from one address that arrive together cannot
    all take the last place, and a check costs the same whatever the allowance. DRF's own
    throttle reads the window's list of timestamps, extends it and writes it back, so two
    overlapping requests both see the old list and both get in.
    """

    scope = "request_submit"

    def get_rate(self):
        return settings.REQUEST_SUBMIT_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{self.get_cache_key(request, view)}:{window}"
        # The counter outlives its window by a minute, so it cannot expire between the two calls.
        timeout = self.window_ends_at - self.now + 60
        return counter_increment(self.cache, key, timeout) <= self.num_requests

    def wait(self):
        """Seconds until the window ends (the 429's Retry-After)."""
        return max(self.window_ends_at - self.now, 0)


def submission_allowed(request) -> bool:
    """For the form view: counts one submission attempt from this address, False over the limit.

    DRF's throttle reads only ``request.META`` here, so a plain Django request works.
    """
    return RequestSubmitThrottle().allow_request(request, None)
