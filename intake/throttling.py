"""The limit on public submissions per client address, shared by the API and the form.

Both count in the same cache entries, so a client cannot double its allowance by switching
between the form and the API. Only accepted submissions count (``network.limits`` explains how
the count stays exact when submissions race): a person who corrects three mistakes has not
used up three places. A submission that filled the honeypot counts too, and is refused over
the limit like anyone's: a bot that keeps trying meets the same 429 a person would, so it
learns nothing from the limit either.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from network.client_ip import ClientAddressThrottleMixin
from network.limits import AddressLimit


class RequestSubmitThrottle(ClientAddressThrottleMixin, SimpleRateThrottle):
    """At most ``REQUEST_SUBMIT_RATE`` accepted submissions from one address per period of the
    rate, in fixed windows on the clock ("10/hour": ten between 14:00 and 15:00, ten more after).

    As a DRF throttle it only checks that there is room (a full window answers 429 with the
    window's end as Retry-After, before any work); the view counts a submission it accepted
    with ``count_accepted``, inside the submission's transaction.
    """

    scope = "request_submit"

    def get_rate(self):
        return settings.REQUEST_SUBMIT_RATE

    @property
    def limit(self) -> AddressLimit:
        return AddressLimit(self.scope, self.num_requests, self.duration, cache=self.cache)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.now = self.timer()
        return self.limit.has_room(request, now=self.now)

    def count_accepted(self, request) -> bool:
        """Count one accepted submission; False when it went over the limit (the caller rolls
        the submission back and answers 429)."""
        if self.rate is None:
            return True
        self.now = self.timer()
        return self.limit.take(request, now=self.now)

    def wait(self):
        """Seconds until the window ends (the 429's Retry-After)."""
        return self.limit.seconds_left(self.now)


def submission_allowed(request) -> bool:
    """For the form view: True while this address has room for one more submission. Counts
    nothing; ``submission_counted`` does, once the submission is accepted."""
    return RequestSubmitThrottle().allow_request(request, None)


def submission_counted(request) -> bool:
    """For the form view: count one accepted submission, False over the limit."""
    return RequestSubmitThrottle().count_accepted(request)


def submission_retry_after() -> int:
    """Seconds until the current window ends, for the form's 429 page (Retry-After)."""
    throttle = RequestSubmitThrottle()
    return throttle.limit.seconds_left(throttle.timer()) if throttle.rate else 0
