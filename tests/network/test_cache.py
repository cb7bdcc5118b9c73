"""The production cache backend (``network.cache.RedisCache``) against a real Redis, and the
atomic counter the submission limit counts with."""

import threading

import pytest
from django.core.cache.backends.locmem import LocMemCache

from intake.throttling import RequestSubmitThrottle
from network.cache import RedisCache, counter_increment
from tests.helpers import submission_from


@pytest.fixture
def redis_cache(redis_url):
    return RedisCache(redis_url, {"KEY_PREFIX": "t"})


def test_one_client_per_process_serves_every_call(redis_cache):
    redis_cache.set("a", 1)
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache.get("a") == 1 and redis_cache.add("a", 2) is False
    assert redis_cache.incr("a") == 2  # Django's own operations still work on the shared client


def test_the_counter_starts_at_one_and_lives_from_its_creation(redis_cache):
    assert [counter_increment(redis_cache, "window", 30) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("window")
    ttl = client.ttl(key)
    assert 0 < ttl <= 30
    client.expire(key, 5)
    counter_increment(redis_cache, "window", 30)
    assert client.ttl(key) <= 5  # an increment does not extend the window
    assert redis_cache.get("window") == 4  # the count reads back through the cache


def test_parallel_increments_lose_none(redis_url):
    counts = []

    def count(times):
        cache = RedisCache(redis_url, {})  # each thread with its own client and connection
        counts.extend(counter_increment(cache, "parallel", 60) for _ in range(times))

    threads = [threading.Thread(target=count, args=(50,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 401))  # every count handed out exactly once


def test_other_caches_count_with_add_and_incr():
    cache = LocMemCache("counter-test", {})
    assert [counter_increment(cache, "c", 30) for _ in range(3)] == [1, 2, 3]


def test_the_submission_limit_holds_on_redis(redis_cache, settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    outcomes = []
    for _ in range(5):
        throttle = RequestSubmitThrottle()
        throttle.cache = redis_cache
        outcomes.append(throttle.count_accepted(submission_from("198.51.100.7")))
    assert outcomes == [True, True, True, False, False]
    throttle = RequestSubmitThrottle()
    throttle.cache = redis_cache
    assert throttle.count_accepted(submission_from("198.51.100.8"))  # per address
