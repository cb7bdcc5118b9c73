"""The limit on membership applications per client address at /join/
(MEMBERSHIP_APPLICATIONS_PER_HOUR): accepted applications only, a friendly 429, nothing kept."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from network.forms import MembershipApplicationForm
from network.models import MembershipApplication
from tests.helpers import settings_in_a_new_process

pytestmark = pytest.mark.django_db

HOUR_START = datetime.datetime(2026, 4, 14, 14, 0, tzinfo=datetime.UTC)
APPLICATION = {
    "name": "Applicant One",
    "email": "applicant.one@applicants.test",
    "website": "https://applicant-one.test",
    "location": "Oakland, CA",
    "statement": "Eight years supporting food banks' donor databases.",
    "skills": "Salesforce, WordPress",
    "fax": "",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def apply(client, n: int = 0, forwarded_for: str | None = None, **changes):
    """Application number ``n``; ``forwarded_for`` is the X-Forwarded-For header, if any."""
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    data = {**APPLICATION, "email": f"applicant{n}@applicants.test", **changes}
    return client.post(reverse("join"), data, **headers)


def applications() -> list:
    return list(MembershipApplication.objects.order_by("pk").values_list("pk", "email", "status"))


def test_the_default_is_a_few_applications_an_hour():
    assert settings_in_a_new_process("s.MEMBERSHIP_APPLICATIONS_PER_HOUR") == 5
    assert (
        settings_in_a_new_process(
            "s.MEMBERSHIP_APPLICATIONS_PER_HOUR", MEMBERSHIP_APPLICATIONS_PER_HOUR="2"
        )
        == 2
    )


def test_applications_over_the_limit_get_a_friendly_429_and_nothing_is_kept(settings):
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 2
    client = Client()
    with time_machine.travel(HOUR_START + datetime.timedelta(minutes=15), tick=False):
        assert [apply(client, n).status_code for n in range(2)] == [302, 302]
        before = applications()

        refused = apply(client, 2)

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(45 * 60)
    assert b"Too many applications from your connection" in refused.content
    assert b"Nothing you typed was stored" in refused.content
    assert applications() == before


def test_forged_forwarded_headers_do_not_get_past_the_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="192.0.2.10")
    answers = [apply(client, n, forwarded_for=f"203.0.113.{n}").status_code for n in range(4)]
    assert answers == [302, 302, 429, 429]
    assert MembershipApplication.objects.count() == 2


def test_the_limit_is_per_client_address_and_per_hour(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    with time_machine.travel(HOUR_START, tick=False) as clock:
        assert apply(proxy, 0, forwarded_for="203.0.113.9").status_code == 302
        assert apply(proxy, 1, forwarded_for="1.1.1.1, 203.0.113.9").status_code == 429
        assert apply(proxy, 2, forwarded_for="203.0.113.10").status_code == 302
        clock.move_to(HOUR_START + datetime.timedelta(hours=1))
        assert apply(proxy, 3, forwarded_for="203.0.113.9").status_code == 302


def test_corrected_mistakes_do_not_use_up_the_allowance(settings):
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 2
    client = Client()
    for changes in ({"email": "not-an-address"}, {"statement": ""}, {"website": "nope nope"}):
        assert b"data-error-summary" in apply(client, **changes).content
    assert not MembershipApplication.objects.exists()
    assert [apply(client, n).status_code for n in range(3)] == [302, 302, 429]


def test_honeypot_applications_count_and_are_refused_over_the_limit(settings):
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 2
    client = Client()
    bot = [apply(client, n, fax="+1 555 0100").status_code for n in range(3)]
    assert bot == [302, 302, 429]
    assert apply(client, 9).status_code == 429
    assert not MembershipApplication.objects.exists()


def test_two_applications_racing_for_the_last_place_do_not_both_get_in(settings, monkeypatch):
    """The rival runs in full after this application found room and before it is counted."""
    settings.MEMBERSHIP_APPLICATIONS_PER_HOUR = 2
    assert apply(Client(), 0).status_code == 302
    real_is_valid = MembershipApplicationForm.is_valid
    rival = []

    def validate_then_let_the_rival_in(form):
        valid = real_is_valid(form)
        if not rival:
            rival.append(None)  # before it runs: the rival's own form comes through here
            rival[0] = apply(Client(), 1)
        return valid

    monkeypatch.setattr(MembershipApplicationForm, "is_valid", validate_then_let_the_rival_in)
    racer = apply(Client(), 2)

    assert (rival[0].status_code, racer.status_code) == (302, 429)
    assert [email for _, email, _ in applications()] == [
        "applicant0@applicants.test",
        "applicant1@applicants.test",
    ]
