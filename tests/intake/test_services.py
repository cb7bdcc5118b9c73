"""The public submission (``intake.services.request_submit``): reference numbers, one
organisation and one contact per client, the response target, duplicate flags and status
tokens."""

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from intake.models import Contact, Organization, Request
from intake.services import request_for_status_token, request_submit
from intake.workflow import request_apply

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")


def local(*parts: int) -> datetime.datetime:
    """A wall-clock moment in the site's time zone (San Francisco)."""
    return datetime.datetime(*parts, tzinfo=PACIFIC)


def submit(**overrides):
    fields = {
        "organization_name": "Food Bank of the East Bay",
        "organization_website": "https://foodbank-eastbay.example.org",
        "contact_name": "Contact One",
        "contact_email": "contact1@foodbank-eastbay.example.org",
        "title": "Donor database is broken",
        "description": "Our donor database stopped syncing with the website.",
    }
    return request_submit(**{**fields, **overrides})


def unrelated(n: int, **overrides):
    """A submission from an organisation of its own."""
    return submit(
        organization_name=f"Organisation {n}",
        organization_website=f"https://org{n}.example.org",
        contact_email=f"someone@org{n}.example.org",
        **overrides,
    )


# --- References -------------------------------------------------------------------------------


def test_references_are_numbered_per_year():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=PACIFIC)):
        first = unrelated(1).request
        second = unrelated(2).request
    assert (first.reference, second.reference) == ("REQ-2026-0001", "REQ-2026-0002")


def test_a_new_year_restarts_the_numbering_in_the_sites_time_zone():
    # 23:30 on 31 December in San Francisco is already 1 January in UTC: still 2026 here.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=PACIFIC)):
        last = unrelated(1).request
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=PACIFIC)):
        first = unrelated(2).request
        second = unrelated(3).request
    assert last.reference == "REQ-2026-0001"
    assert (first.reference, second.reference) == ("REQ-2027-0001", "REQ-2027-0002")


def test_a_rolled_back_submission_gives_its_reference_back():
    first = unrelated(1).request
    with pytest.raises(RuntimeError), transaction.atomic():
        unrelated(2)
        raise RuntimeError("the caller's transaction fails after the submission")

    third = unrelated(3).request

    number = int(first.reference.rsplit("-", 1)[1])
    assert third.reference == f"{first.reference[:-4]}{number + 1:04d}"  # no gap


# --- One organisation, one contact --------------------------------------------------------------


def test_organisation_is_reused_by_its_folded_name():
    first = submit(organization_website="").request
    second = submit(organization_name="food bank of the east-bay", organization_website="").request
    assert second.organization == first.organization
    assert Organization.objects.count() == 1
    assert first.organization.name == "Food Bank of the East Bay"


@pytest.mark.parametrize(
    "website",
    [
        "https://www.FoodBank-EastBay.example.org/donate",
        "http://foodbank-eastbay.example.org",
        "foodbank-eastbay.example.org/about/us",
        "https://WWW.foodbank-eastbay.example.org/",
    ],
)
def test_organisation_is_reused_by_its_website_domain(website):
    first = submit().request
    second = submit(organization_name="East Bay Food Bank", organization_website=website).request
    assert second.organization == first.organization
    assert Organization.objects.count() == 1


def test_a_different_organisation_gets_its_own_row():
    first = submit().request
    second = unrelated(1).request
    assert first.organization != second.organization


def test_a_submission_never_adds_a_website_to_an_organisation_that_had_none():
    """Anybody can type a known organisation's name: what they type stays on their request."""
    first = submit(organization_website="").request
    second = submit(organization_website="https://www.foodbank-eastbay.example.org").request
    first.organization.refresh_from_db()
    assert (first.organization.website, first.organization.website_domain) == ("", "")
    assert second.submitted_organization_website == "https://www.foodbank-eastbay.example.org"


def test_contact_is_reused_by_email_whatever_its_case():
    first = submit().request
    second = submit(contact_email="CONTACT1@FoodBank-EastBay.example.org").request
    assert second.contact == first.contact
    assert Contact.objects.count() == 1


def test_a_new_email_is_a_new_contact_of_the_same_organisation():
    first = submit().request
    second = submit(contact_name="Contact Two", contact_email="two@foodbank.example.org").request
    assert second.organization == first.organization
    assert second.contact != first.contact


# --- Response target ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # Friday 10:00 → Tuesday 10:00: the weekend does not count.
        (local(2026, 3, 13, 10, 0), local(2026, 3, 17, 10, 0)),
        # Monday → Wednesday.
        (local(2026, 3, 16, 10, 0), local(2026, 3, 18, 10, 0)),
        # Saturday → Tuesday (Monday and Tuesday are the two business days).
        (local(2026, 3, 14, 15, 0), local(2026, 3, 17, 15, 0)),
        # Friday before the clocks change (8 March 2026): still 10:00 local on Tuesday.
        (local(2026, 3, 6, 10, 0), local(2026, 3, 10, 10, 0)),
    ],
)
def test_response_is_due_two_business_days_after_submission(submitted, due):
    with time_machine.travel(submitted, tick=False):
        request = submit().request
    assert timezone.localtime(request.response_due_at) == due


def test_the_response_target_comes_from_settings(settings):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 5
    friday = datetime.datetime(2026, 3, 13, 10, 0, tzinfo=PACIFIC)
    with time_machine.travel(friday, tick=False):
        request = submit().request
    assert request.response_due_at == datetime.datetime(2026, 3, 20, 10, 0, tzinfo=PACIFIC)


# --- Duplicates are flagged, never merged ------------------------------------------------------


def test_a_similar_title_from_the_same_organisation_is_flagged():
    first = submit(title="Donor database broken").request
    second = submit(title="Our donor database is broken").request
    assert second.possible_duplicate_of == first
    assert second.duplicate_score >= 85
    event = second.events.get()
    assert event.action == "submit"
    assert event.data == {"possible_duplicate_of": first.reference, "score": second.duplicate_score}
    # Never merged: both requests stay, each with its own reference and token.
    assert Request.objects.count() == 2
    first.refresh_from_db()
    assert first.possible_duplicate_of is None
    assert first.status == second.status == Request.Status.SUBMITTED


def test_the_most_similar_recent_request_is_the_one_flagged():
    submit(title="Donor database slow")
    exact = submit(title="Donor database is broken").request
    again = submit(title="Donor database is broken").request
    assert (again.possible_duplicate_of, again.duplicate_score) == (exact, 100)


def test_a_similar_title_from_another_organisation_is_not_flagged():
    submit(title="Donor database is broken")
    other = unrelated(1, title="Donor database is broken").request
    assert other.possible_duplicate_of is None
    assert other.events.get().data == {}


def test_a_dissimilar_title_from_the_same_organisation_is_not_flagged():
    submit(title="Website redesign")
    second = submit(title="Website hosting").request
    assert second.possible_duplicate_of is None


@pytest.mark.parametrize(("days", "flagged"), [(29, True), (31, False)])
def test_only_requests_of_the_last_30_days_are_compared(days, flagged):
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=PACIFIC)
    with time_machine.travel(start, tick=False):
        first = submit().request
    with time_machine.travel(start + datetime.timedelta(days=days), tick=False):
        second = submit().request
    assert (second.possible_duplicate_of == first) is flagged


def test_a_flagged_request_still_moves_on_its_own(admin):
    first = submit().request
    second = submit().request
    request_apply(request_id=second.pk, action="mark_spam", actor=admin, version=1)
    first.refresh_from_db()
    assert first.status == Request.Status.SUBMITTED


# --- Status tokens ------------------------------------------------------------------------------


def test_the_status_token_has_128_bits_and_only_its_hash_is_stored():
    submission = submit()
    token = submission.status_token
    assert len(token) == 22  # 16 random bytes, URL-safe base64 without padding
    request = Request.objects.get(pk=submission.request.pk)
    assert request.status_token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Request.objects.filter(pk=request.pk).values().get().values()]
    assert token not in stored
    assert submission.status_url.endswith(f"/status/{token}/")


def test_each_submission_gets_its_own_token():
    tokens = {unrelated(n).status_token for n in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize(
    "status",
    [Request.Status.SUBMITTED, Request.Status.ENGAGED, Request.Status.REFERRED_OUT],
)
def test_a_token_opens_its_request_while_the_client_may_see_it(status):
    submission = submit()
    Request.objects.filter(pk=submission.request.pk).update(status=status)
    assert request_for_status_token(submission.status_token) == submission.request


@pytest.mark.parametrize("action", ["withdraw", "mark_spam"])
def test_a_withdrawn_or_spam_request_looks_like_an_unknown_token(admin, action):
    submission = submit()
    request_apply(request_id=submission.request.pk, action=action, actor=admin, version=1)
    assert request_for_status_token(submission.status_token) is None


@pytest.mark.parametrize("token", ["", "not-a-token", "A" * 22, "x" * 500])
def test_an_unknown_token_finds_nothing(token):
    submit()
    assert request_for_status_token(token) is None


def test_the_hash_itself_is_not_a_token():
    submission = submit()
    assert request_for_status_token(submission.request.status_token_hash) is None
