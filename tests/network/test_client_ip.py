"""The client's address (``network.client_ip.client_ip_address``) and the limits that count by
it: a client that writes a new X-Forwarded-For with every request is still one client."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.views import APIView

from intake.throttling import RequestSubmitThrottle
from network import client_ip
from network.client_ip import client_ip_address
from network.models import User
from tests.factories import UserFactory
from tests.helpers import url_routes

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
PASSWORD_RESET = "/accounts/password-reset/"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Every limit here counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def forged(n: int) -> dict:
    """A header a client wrote itself, different every time."""
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n % 250}, 198.51.100.{n // 250}"}


# --- Deciding the address -------------------------------------------------------------------


def test_without_trusted_proxies_a_forged_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    addresses = {
        client_ip_address(rf.get("/", REMOTE_ADDR="192.0.2.7", **forged(n))) for n in range(5)
    }
    assert addresses == {"192.0.2.7"}


def test_behind_one_proxy_the_right_most_entry_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8, 203.0.113.9"
    )
    assert client_ip_address(request) == "203.0.113.9"
    # Whatever the client wrote to the left, it stays the same client.
    assert {
        client_ip_address(
            rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{forgery}203.0.113.9")
        )
        for forgery in ("", "1.1.1.1, ", "9.9.9.9,8.8.8.8, ", "not-an-address, ")
    } == {"203.0.113.9"}


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.2"
    )
    assert client_ip_address(request) == "203.0.113.9"


def test_missing_or_broken_proxy_entries_fall_back_to_the_socket(rf, settings):
    """Stricter, never looser: such clients share the proxy's allowance."""
    settings.TRUSTED_PROXY_COUNT = 2
    for header in ("", "203.0.113.9", "garbage, 10.0.0.2", "203.0.113.9:4711, 10.0.0.2"):
        request = rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=header)
        assert client_ip_address(request) == "10.0.0.3", header


def test_an_ipv6_client_is_its_slash_64(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    addresses = {
        client_ip_address(rf.get("/", REMOTE_ADDR=f"2001:db8:1:2:{n:x}::{n:x}"))
        for n in range(1, 6)
    }
    assert addresses == {"2001:db8:1:2::"}
    assert client_ip_address(rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")) == "2001:db8:1:3::"
    assert client_ip_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.7")) == "192.0.2.7"


# --- Every DRF throttle counts by it --------------------------------------------------------


def api_view_classes():
    for route, pattern in url_routes():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            yield route, view_class


def test_every_api_throttle_counts_by_the_client_address():
    throttles = {RequestSubmitThrottle}  # the submission's, chosen in get_throttles
    for _route, view_class in api_view_classes():
        throttles.update(view_class.throttle_classes)
    assert len(throttles) >= 2
    for throttle in throttles:
        assert issubclass(throttle, client_ip.ClientAddressThrottleMixin), throttle


def test_drf_reads_the_same_number_of_proxies(settings):
    # A throttle that ever skipped the mixin would still not read the whole header.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


@pytest.mark.django_db
def test_forged_headers_do_not_get_past_the_token_endpoints_throttle(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient(REMOTE_ADDR="192.0.2.44")
    # A different username each time, so only the throttle (ten a minute) can stop it.
    answers = [
        client.post(TOKEN, {"username": f"guess{n}", "password": "x"}, **forged(n)).status_code
        for n in range(11)
    ]
    assert answers == [400] * 10 + [429]
    # Another client is not held back.
    other = APIClient(REMOTE_ADDR="192.0.2.45")
    assert other.post(TOKEN, {"username": "guess", "password": "x"}).status_code == 400


@pytest.mark.django_db
def test_behind_a_proxy_the_token_throttle_counts_each_client_apart(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    for n in range(10):
        proxy.post(
            TOKEN,
            {"username": f"guess{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"{n}.{n}.{n}.{n}, 203.0.113.9",
        )
    refused = proxy.post(
        TOKEN, {"username": "guess", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    someone_else = proxy.post(
        TOKEN, {"username": "guess", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.10"
    )
    assert (refused.status_code, someone_else.status_code) == (429, 400)


# --- The sign-in lockout and the password-reset request limit -------------------------------


@pytest.mark.django_db
def test_forged_headers_do_not_get_past_the_sign_in_lockout(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    user.set_password("correct horse battery")
    user.save(update_fields=["password"])
    client = Client(REMOTE_ADDR="192.0.2.44")
    answers = [
        client.post(LOGIN, {"username": user.username, "password": "wrong"}, **forged(n))
        for n in range(5)
    ]
    right = client.post(
        LOGIN, {"username": user.username, "password": "correct horse battery"}, **forged(99)
    )
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_forged_headers_do_not_get_past_the_password_reset_request_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 3
    member = UserFactory(email="member@alliance.test")
    client = Client(REMOTE_ADDR="192.0.2.44")
    answers = [
        client.post(PASSWORD_RESET, {"email": f"someone{n}@elsewhere.test"}, **forged(n))
        for n in range(3)
    ]
    refused = client.post(PASSWORD_RESET, {"email": member.email}, **forged(3))

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert refused.status_code == 429
    assert mail.outbox == []
    assert User.objects.get(pk=member.pk).password == member.password
