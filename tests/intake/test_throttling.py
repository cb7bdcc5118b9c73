"""The public submission limit: fixed windows on the clock, counted atomically per address, and
only for accepted submissions."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory

from intake.throttling import RequestSubmitThrottle, submission_allowed, submission_counted
from tests.intake.test_api_submit import submit, valid_body

HOUR_START = datetime.datetime(2026, 4, 14, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def from_address(address: str = "192.0.2.10"):
    return RequestFactory().post("/requests/new/", REMOTE_ADDR=address)


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
        assert submission_counted(from_address()) and submission_counted(from_address())
        outcomes = []
        throttle = RequestSubmitThrottle()
        throttle.cache = RacingCache(
            lambda: outcomes.append(RequestSubmitThrottle().count_accepted(from_address()))
        )
        outcomes.append(throttle.count_accepted(from_address()))

    assert sorted(outcomes) == [False, True]  # exactly one took the third place


def test_the_check_before_a_submission_counts_nothing(settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    with time_machine.travel(HOUR_START, tick=False):
        assert all(submission_allowed(from_address()) for _ in range(5))
        assert submission_counted(from_address()) and submission_counted(from_address())
        assert not submission_allowed(from_address())
        assert submission_allowed(from_address("192.0.2.11"))  # per address


def test_the_allowance_is_per_clock_window_and_the_429_says_when_it_returns(db, settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    with time_machine.travel(HOUR_START + datetime.timedelta(minutes=10), tick=False) as clock:
        assert submit(valid_body(title="First")).status_code == 201
        assert submit(valid_body(title="Second")).status_code == 201
        refused = submit(valid_body(title="Third"))
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(50 * 60)  # at 15:00

        clock.move_to(HOUR_START + datetime.timedelta(minutes=59, seconds=59))
        assert submit(valid_body(title="Still this hour")).status_code == 429
        clock.move_to(HOUR_START + datetime.timedelta(hours=1, seconds=1))
        assert submit(valid_body(title="Next hour")).status_code == 201


def test_a_count_costs_the_same_however_large_the_allowance(settings):
    settings.REQUEST_SUBMIT_RATE = "1000000/hour"
    with time_machine.travel(HOUR_START, tick=False):
        for _ in range(500):
            assert submission_counted(from_address())
        # One number per address and window, not a list of every submission's time.
        window = int(HOUR_START.timestamp()) // 3600
        assert cache.get(f"limit:request_submit:192.0.2.10:{window}") == 500
