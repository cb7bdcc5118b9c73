"""The Redis cache backend the production settings use, and an atomic counter on any cache.

Django's ``RedisCache`` builds a new ``redis.Redis`` client object for every cache call (each
one fills a table of about 170 response callbacks) and answers ``incr`` with two round trips
(``EXISTS`` then ``INCRBY``). Here each process keeps one client per connection pool, which
redis-py makes safe to share between threads and after a fork (the pool reconnects in a new
process), and a windowed counter costs one round trip.

The cache is only a cache: nothing Switchboard keeps in it is needed to take a request. When
Redis cannot be reached (stopped, restarting, out of memory, hung), every call answers as a
cache that holds nothing and keeps nothing: reads miss, writes are dropped, the submission
limit's counter lets the caller through, DRF's throttles and the password-reset limits start
from zero, and the matching index is built in the process. One warning when the outage begins
and one when Redis answers again, not a traceback per request; and for ``RETRY_PAUSE_SECONDS``
after each failure the process does not call Redis at all, so a Redis that hangs costs one
socket timeout per pause, not one per call.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

import redis
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

logger = logging.getLogger(__name__)

# What Redis raises when it is away rather than when the caller is wrong: refused or lost
# connections and timeouts (a server still loading its data is a ConnectionError), and the
# refusals of a server that is up but cannot serve: out of memory, a read-only replica after a
# failover, a cluster without its primary. A wrong command (WRONGTYPE, a syntax error) still
# raises: that is a bug to see, not an outage.
REDIS_FAULTS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.ClusterDownError,
)
# Seconds after a failure during which a process answers without calling the service: Redis
# back from a restart is used again within this long, and a Redis that hangs costs one socket
# timeout per process this often.
RETRY_PAUSE_SECONDS = 10.0


class Outage:
    """Whether a service this process depends on (the cache, the task queue) is away.

    ``call`` runs an operation on the service, or answers ``fallback`` without running it while
    the last failure is fresh. The first failure of an outage logs a warning that names what the
    site does without the service; the first success after it logs how long it lasted.
    """

    def __init__(self, service: str, without_it: str):
        self.service = service
        self.without_it = without_it
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._missed = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def call(self, operation, *args, fallback, **kwargs):
        """``operation(*args, **kwargs)``, or ``fallback`` when the service is away."""
        if self._skipping():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except REDIS_FAULTS as error:
            self.failed(error)
            return fallback
        self.answered()
        return result

    def _skipping(self) -> bool:
        if self._down_since is None:  # the common case, without the lock
            return False
        with self._lock:
            now = time.monotonic()
            if self._down_since is None or now >= self._retry_at:
                # This caller tries the service; others keep skipping until it has its answer.
                self._retry_at = now + RETRY_PAUSE_SECONDS
                return False
            self._missed += 1
            return True

    def failed(self, error: Exception) -> None:
        """Record a failed call; the first of an outage is logged."""
        with self._lock:
            self._missed += 1
            self._retry_at = time.monotonic() + RETRY_PAUSE_SECONDS
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning(
            "%s cannot be reached (%s: %s); %s. Trying again every %g s.",
            self.service,
            type(error).__name__,
            error,
            self.without_it,
            RETRY_PAUSE_SECONDS,
        )

    def answered(self) -> None:
        """Record a successful call; the first after an outage is logged."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            lasted = time.monotonic() - self._down_since
            missed, self._down_since, self._missed = self._missed, None, 0
        # A warning like the one that opened the outage, so the pair shows at any log level.
        logger.warning(
            "%s answers again after %.0f s; %d calls went without it.",
            self.service,
            lasted,
            missed,
        )


_outages: dict[str, Outage] = {}


def service_outage(service: str, without_it: str) -> Outage:
    """This process's record of ``service`` (one per process, so an outage is logged once
    whichever thread or object meets it); ``without_it`` says what the site does meanwhile."""
    outage = _outages.get(service)
    if outage is None:
        outage = _outages.setdefault(service, Outage(service, without_it))
    return outage


def cache_outage(servers) -> Outage:
    """The outage record of the Redis cache on ``servers``."""
    return service_outage(
        f"The Redis cache at {', '.join(_where(url) for url in servers)}",
        "reads miss, writes are dropped and rate limits count nothing until it is back",
    )


def _where(url: str) -> str:
    """Host and port (or socket path) of a Redis URL: never the password it may carry."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else parts.path


# Answered by ``incr`` when the cache could not be asked; never stored.
_UNANSWERED = object()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers, *args, **kwargs):
        super().__init__(servers, *args, **kwargs)
        self._clients = {}
        self._outage = cache_outage(servers)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client

    # Each operation answers, without Redis, what a cache that holds nothing would answer.

    def add(self, key, value, timeout):
        return self._outage.call(super().add, key, value, timeout, fallback=False)

    def get(self, key, default):
        return self._outage.call(super().get, key, default, fallback=default)

    def set(self, key, value, timeout):
        self._outage.call(super().set, key, value, timeout, fallback=None)

    def touch(self, key, timeout):
        return self._outage.call(super().touch, key, timeout, fallback=False)

    def delete(self, key):
        return self._outage.call(super().delete, key, fallback=False)

    def get_many(self, keys):
        return self._outage.call(super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._outage.call(super().has_key, key, fallback=False)

    def incr(self, key, delta):
        count = self._outage.call(super().incr, key, delta, fallback=_UNANSWERED)
        if count is _UNANSWERED:
            # Django's answer for a missing key, which every caller of incr() handles.
            raise ValueError(f"Key {key!r} not found (the cache cannot be reached).")
        return count

    def set_many(self, data, timeout):
        self._outage.call(super().set_many, data, timeout, fallback=None)

    def delete_many(self, keys):
        self._outage.call(super().delete_many, keys, fallback=None)

    def clear(self):
        return self._outage.call(super().clear, fallback=False)

    def counter_increment(self, key: str, timeout: int) -> int:
        """Create the counter at 0 with ``timeout`` seconds to live if it is missing, add one
        and return the new count: one ``MULTI`` (``SET NX EX`` and ``INCR``), one round trip.
        0 when Redis cannot be reached: nothing was counted."""
        return self._outage.call(self._counter_increment, key, timeout, fallback=0)

    def _counter_increment(self, key: str, timeout: int) -> int:
        pipeline = self.get_client(key, write=True).pipeline(transaction=True)
        pipeline.set(key, 0, ex=max(int(timeout), 1), nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def counter_increment(self, key: str, timeout: float) -> int:
        return self._cache.counter_increment(self.make_and_validate_key(key), timeout)


def counter_increment(cache: BaseCache, key: str, timeout: float) -> int:
    """Add one to the counter ``key`` and return the count; a missing counter starts at 0 and
    lives ``timeout`` seconds from its creation (later increments do not extend it).

    Atomic on Redis (one transaction) and on the local-memory cache (its lock); on another
    backend, ``add`` then ``incr``, which is atomic where that backend's ``incr`` is. When the
    cache cannot be reached the answer is 0: nothing was counted, so a limit lets the caller
    through rather than refusing everyone while the cache is away.
    """
    if isinstance(cache, RedisCache):
        return cache.counter_increment(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted in between (a full cache), or the cache is away
        cache.set(key, 1, timeout=timeout)
        return 1
