"""The limit on public submissions per client address (REQUEST_SUBMIT_RATE), through the form
at /request/ and POST /api/v1/requests/: it counts accepted submissions only, by the address
``network.client_ip`` decides, and holds when submissions race for the last place."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from intake import throttling, views
from intake.models import Contact, Notification, Organization, Request, RequestEvent
from network.services import languages_ensure
from tests.helpers import REQUEST_FORM, valid_request_body

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
HOUR_START = datetime.datetime(2026, 4, 14, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_allowance_and_languages():
    cache.clear()
    languages_ensure()
    yield
    cache.clear()


def rows() -> dict:
    """Everything a submission writes, to show that a refused one wrote nothing."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Request, Organization, Contact, RequestEvent, Notification)
    }


def api_submit(client, title: str, **extra):
    return client.post(REQUESTS, valid_request_body(title=title), format="json", **extra)


def form_submit(client, title: str, **extra):
    return client.post(reverse("request-help"), {**REQUEST_FORM, "title": title}, **extra)


def forged(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


# --- The address ----------------------------------------------------------------------------


def test_forged_forwarded_headers_do_not_get_past_the_api_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    client = APIClient(REMOTE_ADDR="192.0.2.10")
    answers = [api_submit(client, f"Request {n}", **forged(n)).status_code for n in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    assert Request.objects.count() == 3


def test_forged_forwarded_headers_do_not_get_past_the_form_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    client = Client(REMOTE_ADDR="192.0.2.10")
    answers = [form_submit(client, f"Request {n}", **forged(n)).status_code for n in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert Request.objects.count() == 3


def test_behind_a_proxy_each_client_has_its_own_allowance(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    first = [
        api_submit(
            proxy, f"Request {n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9"
        ).status_code
        for n in range(3)
    ]
    other = api_submit(proxy, "Another client", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert first == [201, 201, 429]
    assert other.status_code == 201


# --- Only accepted submissions count --------------------------------------------------------


def test_corrected_mistakes_on_the_form_do_not_use_up_the_allowance(settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    client = Client()
    for field, value in (("contact_email", "not-an-address"), ("title", ""), ("urgency", "?")):
        assert (
            client.post(reverse("request-help"), {**REQUEST_FORM, field: value}).status_code == 400
        )
    answers = [form_submit(client, f"Request {n}").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert Request.objects.count() == 3


def test_corrected_mistakes_on_the_api_do_not_use_up_the_allowance(settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    client = APIClient()
    for changes in ({"contact_email": "nope"}, {"title": ""}, {"languages": ["xx"]}):
        bad = client.post(REQUESTS, valid_request_body(**changes), format="json")
        assert bad.status_code == 400
    answers = [api_submit(client, f"Request {n}").status_code for n in range(4)]
    assert answers == [201, 201, 201, 429]
    assert Request.objects.count() == 3


def test_the_form_and_the_api_share_one_allowance(settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    assert form_submit(Client(), "By the form").status_code == 302
    assert api_submit(APIClient(), "By the API").status_code == 201
    assert form_submit(Client(), "By the form again").status_code == 302
    assert api_submit(APIClient(), "One too many").status_code == 429
    assert form_submit(Client(), "One too many").status_code == 429


def test_the_form_says_when_to_come_back(settings):
    settings.REQUEST_SUBMIT_RATE = "1/hour"
    with time_machine.travel(HOUR_START + datetime.timedelta(minutes=10), tick=False) as clock:
        assert form_submit(Client(), "First").status_code == 302
        refused = form_submit(Client(), "Second")
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(50 * 60)
        clock.move_to(HOUR_START + datetime.timedelta(hours=1, seconds=1))
        assert form_submit(Client(), "Next hour").status_code == 302


# --- The honeypot: counted, and refused over the limit like anyone --------------------------


def test_honeypot_submissions_on_the_form_count_and_are_refused_over_the_limit(settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    client = Client()
    bot = {**REQUEST_FORM, "fax": "555-0100"}
    answers = [client.post(reverse("request-help"), bot).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert form_submit(client, "A person behind the same address").status_code == 429
    assert rows() == {name: [] for name in rows()}


def test_honeypot_submissions_on_the_api_count_and_are_refused_over_the_limit(settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    client = APIClient()
    bot = valid_request_body(website_url="https://spam.example")
    answers = [client.post(REQUESTS, bot, format="json").status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    assert api_submit(client, "A person behind the same address").status_code == 429
    assert rows() == {name: [] for name in rows()}


# --- Racing for the last place --------------------------------------------------------------


def only_one_got_in(first_messages: int, answers: dict[str, int], accepted: int) -> None:
    assert sorted(answers.values()) == [accepted, 429]
    refused = next(title for title, code in answers.items() if code == 429)
    stored = set(Request.objects.values_list("title", flat=True))
    assert stored == {"First", *answers} - {refused}
    # Each stored request has its event and its messages; the refused one left none behind.
    assert RequestEvent.objects.count() == 2
    assert Notification.objects.count() == 2 * first_messages


def test_two_api_submissions_racing_for_the_last_place_do_not_both_get_in(settings, monkeypatch):
    """The rival runs in full after this submission found room and before it is counted."""
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    assert api_submit(APIClient(), "First").status_code == 201
    first_messages = Notification.objects.count()
    real_check = throttling.RequestSubmitThrottle.allow_request
    rival = []

    def check_then_let_the_rival_in(throttle, request, view):
        allowed = real_check(throttle, request, view)
        if not rival:
            rival.append(None)  # before it runs: the rival's own check comes through here
            rival[0] = api_submit(APIClient(), "Rival")
        return allowed

    monkeypatch.setattr(
        throttling.RequestSubmitThrottle, "allow_request", check_then_let_the_rival_in
    )
    racer = api_submit(APIClient(), "Racer")

    answers = {"Racer": racer.status_code, "Rival": rival[0].status_code}
    only_one_got_in(first_messages, answers, accepted=201)


def test_two_form_submissions_racing_for_the_last_place_do_not_both_get_in(settings, monkeypatch):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    assert form_submit(Client(), "First").status_code == 302
    first_messages = Notification.objects.count()
    real_check = views.submission_allowed
    rival = []

    def check_then_let_the_rival_in(request):
        allowed = real_check(request)
        if not rival:
            rival.append(None)  # before it runs: the rival's own check comes through here
            rival[0] = form_submit(Client(), "Rival")
        return allowed

    monkeypatch.setattr(views, "submission_allowed", check_then_let_the_rival_in)
    racer = form_submit(Client(), "Racer")

    answers = {"Racer": racer.status_code, "Rival": rival[0].status_code}
    only_one_got_in(first_messages, answers, accepted=302)
