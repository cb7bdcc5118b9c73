"""The handbook pages API's reviews: marking a page reviewed, and when a policy falls due for
review again (the period of ``HANDBOOK_REVIEW_MONTHS``, as the owners' reminders count it)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from handbook import services
from handbook.models import Page
from tests.helpers import HANDBOOK_PAGES as PAGES
from tests.helpers import fresh
from tests.helpers import handbook_api_page_url as page_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 401), ("applicant", 403), ("member", 200), ("admin", 200),
])  # fmt: skip
def test_reviewed_permissions(api_as, caller, role, expected, public_page):
    Page.objects.filter(pk=public_page.pk).update(last_reviewed=datetime.date(2020, 1, 1))
    response = api_as(caller(role)).post(page_url(public_page, "reviewed/"), {}, format="json")
    assert response.status_code == expected
    public_page.refresh_from_db()
    reviewed = timezone.localdate() if expected == 200 else datetime.date(2020, 1, 1)
    assert public_page.last_reviewed == reviewed


def test_marking_reviewed_clears_due_for_review(api_as, member, public_policy):
    Page.objects.filter(pk=public_policy.pk).update(last_reviewed=datetime.date(2020, 1, 1))
    client = api_as(member)
    assert client.get(page_url(public_policy)).json()["due_for_review"] is True
    response = client.post(page_url(public_policy, "reviewed/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["due_for_review"] is False
    assert response.json()["last_reviewed"] == timezone.localdate().isoformat()


def test_due_for_review_follows_the_review_period(api_as, member, settings):
    """Reviewed on 31 March 2025 with a 12-month period: due from 31 March 2026, the day the
    owner's reminder goes out (``handbook.reminders``)."""
    settings.HANDBOOK_REVIEW_MONTHS = 12
    with time_machine.travel(datetime.datetime(2025, 3, 31, 19, tzinfo=datetime.UTC)):
        page = services.page_create(actor=member, title="Probation", category="policy")
    assert page.last_reviewed == datetime.date(2025, 3, 31)
    client = api_as(member)
    for day, due in ((30, False), (31, True)):
        with time_machine.travel(datetime.datetime(2026, 3, day, 19, tzinfo=datetime.UTC)):
            assert client.get(page_url(page)).json()["due_for_review"] is due, day
            listed = client.get(PAGES, {"due_for_review": "true"}).json()["results"]
            assert bool(listed) is due, day


def test_a_review_in_the_future_is_refused(api_as, member, public_page):
    before = Page.objects.get(pk=public_page.pk).last_reviewed
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api_as(member).post(
        page_url(public_page, "reviewed/"), {"on": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "on" in response.json()
    assert Page.objects.get(pk=public_page.pk).last_reviewed == before


def test_reviewed_query_count(api_as, member, public_page, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page; service: 4 savepoint, 5 lock, 6 update, 7 release;
    # answer: 8 the page again, 9 red links, 10 backlinks.
    with django_assert_max_num_queries(10):
        response = client.post(page_url(public_page, "reviewed/"), {}, format="json")
    assert response.status_code == 200
