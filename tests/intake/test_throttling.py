"""The public submission limit: fixed windows on the clock, counted atomically per address, and
only for accepted submissions."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from intake.throttling import RequestSubmitThrottle, submission_allowed, submission_counted
from tests.helpers import submission_from, valid_request_body

HOUR_START = datetime.datetime(2026, 4, 14, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def submitted(title: str):
    """The answer to ``POST /api/v1/requests/`` of a valid request called ``title``."""
    return APIClient().post("/api/v1/requests/", valid_request_body(title=title), format="json")


class RacingCache:
    """The cache as a throttle sees it when another submission from the same address is
    counted between this one's first look at the count and its write: the other count runs
    in full on the first read or add, then this one goes on."""

    def __init__(self, race):
        self._race = race

    def __getattr__(self, name):
        method = getattr(cache, name)
        if name in {"get", "add"} and self._race is not None:
            race, self._race = self._race, None

            def first_look(*args, **kwargs):
                result = method(*args, **kwargs)
                race()
                return result

            return first_look
        return method


def test_two_submissions_racing_for_the_last_place_do_not_both_get_it(settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    with time_machine.travel(HOUR_START + datetime.timedelta(minutes=5), tick=False):
        assert submission_counted(submission_from()) and submission_counted(submission_from())
        outcomes = []
        throttle = RequestSubmitThrottle()
        throttle.cache = RacingCache(
            lambda: outcomes.append(RequestSubmitThrottle().count_accepted(submission_from()))
        )
        outcomes.append(throttle.count_accepted(submission_from()))

    assert sorted(outcomes) == [False, True]  # exactly one took the third place


def test_the_check_before_a_submission_counts_nothing(settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    with time_machine.travel(HOUR_START, tick=False):
        assert all(submission_allowed(submission_from()) for _ in range(5))
        assert submission_counted(submission_from()) and submission_counted(submission_from())
        assert not submission_allowed(submission_from())
        assert submission_allowed(submission_from("192.0.2.11"))  # per address


def test_the_allowance_is_per_clock_window_and_the_429_says_when_it_returns(db, settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    with time_machine.travel(HOUR_START + datetime.timedelta(minutes=10), tick=False) as clock:
        assert submitted("First").status_code == 201
        assert submitted("Second").status_code == 201
        refused = submitted("Third")
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(50 * 60)  # at 15:00

        clock.move_to(HOUR_START + datetime.timedelta(minutes=59, seconds=59))
        assert submitted("Still this hour").status_code == 429
        clock.move_to(HOUR_START + datetime.timedelta(hours=1, seconds=1))
        assert submitted("Next hour").status_code == 201


def test_a_count_costs_the_same_however_large_the_allowance(settings):
    settings.REQUEST_SUBMIT_RATE = "1000000/hour"
    with time_machine.travel(HOUR_START, tick=False):
        for _ in range(500):
            assert submission_counted(submission_from())
        # One number per address and window, not a list of every submission's time.
        window = int(HOUR_START.timestamp()) // 3600
        assert cache.get(f"limit:request_submit:192.0.2.10:{window}") == 500
