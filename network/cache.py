"""The Redis cache backend the production settings use, and an atomic counter on any cache.

Django's ``RedisCache`` builds a new ``redis.Redis`` client object for every cache call (each
one fills a table of about 170 response callbacks) and answers ``incr`` with two round trips
(``EXISTS`` then ``INCRBY``). Here each process keeps one client per connection pool, which
redis-py makes safe to share between threads and after a fork (the pool reconnects in a new
process), and a windowed counter costs one round trip.
"""

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client

    def counter_increment(self, key: str, timeout: int) -> int:
        """Create the counter at 0 with ``timeout`` seconds to live if it is missing, add one
        and return the new count: one ``MULTI`` (``SET NX EX`` and ``INCR``), one round trip."""
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
    backend, ``add`` then ``incr``, which is atomic where that backend's ``incr`` is.
    """
    if isinstance(cache, RedisCache):
        return cache.counter_increment(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted in between (a full cache): start the count again
        cache.set(key, 1, timeout=timeout)
        return 1
