"""Redis down: the cache (network.cache.RedisCache) cannot be reached, and requests are still
taken. Every user of the cache answers as if it held nothing, and the outage is logged once.

The cache is a real ``RedisCache`` pointed at a port where nothing listens, so every call is
refused at once, as when Redis is stopped; the task queue, where a test needs it down too,
points there as well.
"""

import logging
import socket

import pytest
import redis
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf
from rest_framework.test import APIClient

from intake.models import Notification, Request
from matching import adapter
from network import cache as network_cache
from network import tasks as network_tasks
from network.roles import Role
from network.services import languages_ensure, user_grant_role
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory, UserFactory
from tests.helpers import REQUEST_FORM, settings_in_a_new_process, valid_request_body

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD_RESET = "/accounts/password-reset/"


def closed_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down_url():
    return f"redis://127.0.0.1:{closed_port()}/0"


@pytest.fixture
def cache_down(settings, monkeypatch, redis_down_url):
    """The production cache backend on a Redis that is not there; a fresh outage record, so
    this test sees the outage begin."""
    monkeypatch.setattr(network_cache, "_outages", {}, raising=False)
    settings.CACHES = {
        "default": {
            "BACKEND": "network.cache.RedisCache",
            "LOCATION": redis_down_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    languages_ensure()
    adapter.forget_index()
    yield
    adapter.forget_index()


@pytest.fixture
def cache_log(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


def outage_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "network.cache"]


def assert_one_outage_line_and_no_error(caplog):
    lines = outage_lines(caplog)
    assert len(lines) == 1, lines
    assert "cannot be reached" in lines[0] and "Trying again every" in lines[0]
    assert "127.0.0.1" in lines[0]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_cache_is_unreachable_in_these_tests(cache_down):
    assert cache.get("anything", "missing") == "missing"
    cache.set("anything", 1)
    assert cache.get("anything") is None  # nothing was kept


def test_submissions_by_api_and_form_are_taken(cache_down, cache_log):
    api = APIClient()
    answers = [
        api.post(
            "/api/v1/requests/", valid_request_body(title=f"Donor database {n}"), format="json"
        )
        for n in range(3)
    ]
    form = Client().post(reverse("request-help"), REQUEST_FORM)

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert (form.status_code, form["Location"]) == (302, reverse("request-thanks"))
    assert Request.objects.count() == 4
    assert_one_outage_line_and_no_error(cache_log)


def test_the_submission_limit_lets_everyone_through_while_the_counter_is_away(cache_down, settings):
    settings.REQUEST_SUBMIT_RATE = "1/hour"
    api = APIClient()
    answers = [
        api.post("/api/v1/requests/", valid_request_body(title=f"Website {n}"), format="json")
        for n in range(2)
    ]
    # Two over an allowance of one: with nothing to count in, refusing would refuse everyone.
    assert [answer.status_code for answer in answers] == [201, 201]


def test_the_token_endpoint_answers(cache_down, cache_log):
    user = UserFactory()
    user.set_password("correct horse battery")
    user.save(update_fields=["password"])

    response = APIClient().post(
        TOKEN, {"username": user.username, "password": "correct horse battery"}
    )

    assert response.status_code == 200 and response.json()["token"]
    assert_one_outage_line_and_no_error(cache_log)


def test_the_password_reset_page_sends_the_link(cache_down, cache_log):
    user = UserFactory(email="member@alliance.example.org")

    response = Client().post(PASSWORD_RESET, {"email": user.email})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert_one_outage_line_and_no_error(cache_log)


def test_a_match_call_answers(cache_down, cache_log, intake_coordinator):
    civicrm = SkillFactory(name="CiviCRM")
    member = ConsultantFactory(display_name="Member 01 · CRM")
    ConsultantSkillFactory(consultant=member, skill=civicrm, level=5)
    api = APIClient()
    api.force_authenticate(intake_coordinator)

    response = api.post(
        "/api/v1/match/", {"title": "Donor database", "skills": ["CiviCRM"]}, format="json"
    )

    assert response.status_code == 200
    assert [c["consultant"]["id"] for c in response.json()["candidates"]] == [member.pk]
    # The index lives in files on this machine, not in the cache: a match may not touch the
    # cache at all, and whatever does is one warning, never an error.
    assert len(outage_lines(cache_log)) <= 1
    assert [r.getMessage() for r in cache_log.records if r.levelno >= logging.ERROR] == []


def test_a_submission_is_taken_when_the_task_queue_is_down_too(
    cache_down, cache_log, monkeypatch, redis_down_url, django_capture_on_commit_callbacks
):
    """The broker is Redis in production: the enqueue after the commit fails, the rows stay
    queued for the retry sweep, and the failure is one warning, not a traceback."""
    user_grant_role(user=UserFactory(), role=Role.INTAKE_COORDINATOR)
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", redis_down_url)
    monkeypatch.setattr(network_tasks, "_brokers", {})

    with django_capture_on_commit_callbacks(execute=True):
        first = APIClient().post("/api/v1/requests/", valid_request_body(), format="json")
    with django_capture_on_commit_callbacks(execute=True):
        second = Client().post(reverse("request-help"), REQUEST_FORM)

    assert (first.status_code, second.status_code) == (201, 302)
    assert set(Notification.objects.values_list("status", flat=True)) == {"queued"}
    assert Notification.objects.count() == 4  # each: the client's and the coordinator's
    lines = outage_lines(cache_log)  # one for the cache, one for the queue
    assert len(lines) == 2, lines
    assert [line for line in lines if line.startswith("The task queue")] == [
        line for line in lines if "the retry sweep sends them" in line
    ]
    assert [r.getMessage() for r in cache_log.records if r.levelno >= logging.ERROR] == []


def test_an_outage_is_logged_when_it_begins_and_when_it_ends(redis_url, monkeypatch, caplog):
    """On a real Redis: a refused call opens the outage, the next call that reaches Redis after
    the pause closes it; calls in between do not log."""
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(network_cache, "_outages", {})
    monkeypatch.setattr(network_cache, "RETRY_PAUSE_SECONDS", 0)
    backend = network_cache.RedisCache(redis_url, {})
    outage = network_cache.cache_outage([redis_url])
    for _ in range(3):
        outage.failed(ConnectionRefusedError(111, "Connection refused"))

    backend.set("back", 1)

    assert backend.get("back") == 1
    lines = outage_lines(caplog)
    assert len(lines) == 2, lines
    assert "cannot be reached" in lines[0]
    assert "answers again" in lines[1] and "3 calls went without it" in lines[1]
    assert not outage.down


def test_while_paused_the_cache_is_not_called(cache_down, monkeypatch):
    calls = []
    monkeypatch.setattr(
        network_cache.DjangoRedisCacheClient,
        "get",
        lambda self, key, default: calls.append(key) or default,
    )
    outage = network_cache.cache_outage(cache._cache._servers)
    outage.failed(ConnectionRefusedError(111, "Connection refused"))

    assert [cache.get(f"key{n}", n) for n in range(5)] == [0, 1, 2, 3, 4]
    assert calls == []  # within the pause: answered without a connection attempt


def test_a_wrong_command_still_raises(redis_url, monkeypatch):
    monkeypatch.setattr(network_cache, "_outages", {}, raising=False)
    backend = network_cache.RedisCache(redis_url, {})
    backend.set("text", "not a number")

    with pytest.raises(redis.exceptions.ResponseError, match="not an integer"):
        backend.incr("text")  # a bug in the caller, not an outage: it is not swallowed
    assert not network_cache.cache_outage([redis_url]).down


def test_production_settings_bound_the_wait_for_redis():
    options = settings_in_a_new_process(
        "s.CACHES['default']['OPTIONS']",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="switchboard.example.org",
        REDIS_URL="redis://redis.internal:6379/0",
    )
    assert 0 < options["socket_connect_timeout"] <= 2
    assert 0 < options["socket_timeout"] <= 2
