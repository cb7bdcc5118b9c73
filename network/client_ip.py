"""The client's address, the one every per-address limit counts by, read correctly behind
reverse proxies.

Sign-in lockouts (django-axes), the API's throttles, the submission limit of the request form
and the API, the password-reset request limit and the membership application limit all ask
``client_ip_address``, so there is one answer to "who is this?" and one setting to get right.

Behind a proxy every request's REMOTE_ADDR is the proxy's own address: counting per that address
would put every client in one bucket (and let anyone lock a member out). Each trusted proxy
appends the address it saw to X-Forwarded-For, so with ``TRUSTED_PROXY_COUNT`` proxies in front
the client is the entry that many places from the right; anything further left was written by
the client and cannot be trusted. With no trusted proxy the header is ignored altogether: a
client that sends a new X-Forwarded-For with every request must not become a new client each
time (DRF's own ``get_ident`` reads the whole header unless ``NUM_PROXIES`` is set).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# A subscriber on IPv6 is usually given a whole /64 and can take a new address from it for every
# request; counting each address apart would give them 2**64 allowances.
IPV6_CLIENT_PREFIX = 64


def _as_client(address: str | None) -> str | None:
    """``address`` as a limit counts it, or None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)
    return str(ip)


def client_ip_address(request: HttpRequest) -> str | None:
    """The address that sent ``request``, skipping the configured number of trusted proxies.

    An IPv6 client is its /64 network (written as the network's first address, still a valid
    address for the sign-in lockout's records). When the proxies' entries are missing or are
    not addresses (a proxy that did not forward, a wrong ``TRUSTED_PROXY_COUNT``), the answer is
    the socket's address: every such client then shares the proxy's allowance, which is
    stricter, never looser, than counting each one.
    """
    socket_address = _as_client(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return _as_client(forwarded[-proxies]) or socket_address
    return socket_address


class ClientAddressThrottleMixin:
    """For every DRF throttle of the project: count by ``client_ip_address``.

    Put it first in the bases (``class T(ClientAddressThrottleMixin, AnonRateThrottle)``);
    ``tests/network/test_client_ip.py`` checks that every throttle on a route does.
    """

    def get_ident(self, request) -> str:
        return client_ip_address(request) or "unknown"
