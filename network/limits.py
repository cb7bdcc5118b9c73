"""Per-address limits on what anonymous visitors may create: at most so many accepted actions
from one client address in each fixed window on the clock ("10 an hour": ten between 14:00 and
15:00, ten more after).

Only what is accepted counts. A view asks ``has_room`` before doing any work (a read), then,
once the action has passed every check and its rows are written but not yet committed, calls
``take`` inside the same transaction. ``take`` is one atomic increment
(``network.cache.counter_increment``), so when two actions from one address race for the last
place both may pass ``has_room``, but only one of them gets a count within the allowance; the
other one's view raises ``LimitReached`` inside its transaction, which rolls its rows back,
and answers 429. A read-then-write counter would let both in; counting before validation would
charge a person for every mistake they correct.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache as default_cache
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from network.cache import counter_increment
from network.client_ip import client_ip_address


class LimitReached(Exception):
    """The action would go over its limit; raised inside its transaction to roll it back."""


@dataclass(frozen=True)
class AddressLimit:
    """At most ``allowance`` accepted actions named ``scope`` per client address per
    ``seconds``-long window on the clock, counted in ``cache`` (the default cache if None)."""

    scope: str
    allowance: int
    seconds: int
    cache: BaseCache | None = None

    @property
    def _cache(self) -> BaseCache:
        return default_cache if self.cache is None else self.cache

    def _key(self, request: HttpRequest, now: float) -> str:
        window = int(now // self.seconds)
        return f"limit:{self.scope}:{client_ip_address(request) or 'unknown'}:{window}"

    def has_room(self, request: HttpRequest, *, now: float | None = None) -> bool:
        """True while fewer than ``allowance`` actions from this address were counted in the
        current window. Counts nothing."""
        now = time.time() if now is None else now
        return (self._cache.get(self._key(request, now)) or 0) < self.allowance

    def take(self, request: HttpRequest, *, now: float | None = None) -> bool:
        """Count one accepted action from this address; False when that goes over the
        allowance, and the caller then undoes the action. (Its count stays: it can only make a
        window that is already full read as full.)"""
        now = time.time() if now is None else now
        # The counter outlives its window by a minute, so it cannot expire between a view's
        # has_room and its take.
        timeout = self.seconds_left(now) + 60
        return counter_increment(self._cache, self._key(request, now), timeout) <= self.allowance

    def seconds_left(self, now: float | None = None) -> int:
        """Whole seconds until the current window ends (a 429's Retry-After)."""
        now = time.time() if now is None else now
        window_ends_at = (int(now // self.seconds) + 1) * self.seconds
        return max(math.ceil(window_ends_at - now), 0)
