"""The client's address for sign-in throttling, read correctly behind reverse proxies.

Behind a proxy every request's REMOTE_ADDR is the proxy's own address: counting failed sign-ins
per username *and* that address would let anyone lock a member out. Each trusted proxy appends
the address it saw to X-Forwarded-For, so with ``TRUSTED_PROXY_COUNT`` proxies in front the
client is the entry that many places from the right; anything further left was written by the
client and cannot be trusted.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The address that sent ``request``, skipping the configured number of trusted proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
