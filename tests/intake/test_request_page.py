"""A request's page and a member's own pages (``intake.views``: ``request_detail``,
``request_transition``, ``my_offers``, ``my_engagements``): who may open them; the forms of the
moves each user may make and what the page shows them; a move made through a form (the redirect
and its message, a stale version's 409, a refused move's 403, an unknown action's 404, a field
error's 400); the offer form's choices; a member's offers without the client's contact, a
decline's reason, an accepted offer among their engagements, and no one else's offers.

The fixtures (languages and a fresh cache, ``offered``, ``roles``) are in
tests/intake/conftest.py, ``signed_in`` in tests/conftest.py; submitting, moving and routing a
request in tests/helpers.py.
"""

import re

import pytest
from django.urls import reverse

from intake.models import Offer, Request, RequestEvent
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.intake.helpers import login_redirect, routed_to_group
from tests.intake.helpers import request_moved as move
from tests.intake.helpers import request_submitted as submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]


# --- Who may open a request's page and one's own offers and engagements ------------------------

REQUEST_PAGE_CODES = {
    "anonymous": 302,
    "member without offers": 404,
    "member with an offer": 200,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 200,
}
# The admin has no member record, so no offers or engagements of their own.
MY_PAGE_CODES = {
    "anonymous": 302,
    "member without offers": 200,
    "member with an offer": 200,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 403,
}


@pytest.mark.parametrize("role", REQUEST_PAGE_CODES)
def test_who_may_open_the_request_page(client, signed_in, roles, offered, role):
    signed_in(roles[role])
    url = reverse("intake-request", args=[offered.request.pk])
    response = client.get(url)
    assert response.status_code == REQUEST_PAGE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize("page", ["my-offers", "my-engagements"])
@pytest.mark.parametrize("role", MY_PAGE_CODES)
def test_who_may_open_my_offers_and_engagements(client, signed_in, roles, offered, role, page):
    signed_in(roles[role])
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == MY_PAGE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


# --- The request page -----------------------------------------------------------------------


def action_forms(content: bytes) -> set[str]:
    return set(re.findall(r'/transitions/([a-z_]+)/"', content.decode()))


def test_request_page_shows_one_form_per_allowed_move(
    client, signed_in, intake_coordinator, group_coordinator, member, offered
):
    request = offered.request
    url = reverse("intake-request", args=[request.pk])
    as_member = signed_in(member).get(url).content
    assert action_forms(as_member) == {"accept", "decline"}
    # Until they accept, the member sees the work but not the client's contact details.
    assert request.contact.email.encode() not in as_member
    assert b"Timeline" not in as_member

    as_intake = signed_in(intake_coordinator).get(url).content
    assert action_forms(as_intake) == {"refer_out", "withdraw"}
    assert request.contact.email.encode() in as_intake
    assert b"Timeline" in as_intake
    assert f'name="withdraw-version" value="{request.version}"'.encode() in as_intake

    as_group = signed_in(group_coordinator).get(url).content
    assert action_forms(as_group) == set()


def test_request_page_links_a_possible_duplicate(client, signed_in, intake_coordinator):
    first = submit(title="Donor database needs cleaning up")
    second = submit(title="Our donor database needs cleaning up")
    content = (
        signed_in(intake_coordinator)
        .get(reverse("intake-request", args=[second.request.pk]))
        .content.decode()
    )
    assert "Possible duplicate of" in content
    assert f'href="{reverse("intake-request", args=[first.request.pk])}"' in content


def test_a_move_through_the_page_redirects_with_a_message(client, signed_in, intake_coordinator):
    request = submit().request
    url = reverse("intake-transition", args=[request.pk, "contact"])
    response = signed_in(intake_coordinator).post(
        url, {"contact-version": request.version, "contact-note": "Called them."}, follow=True
    )
    assert response.redirect_chain == [(reverse("intake-request", args=[request.pk]), 302)]
    # What happened to what, not the move's name.
    assert f"First contact with the client of {request.reference} recorded.".encode() in (
        response.content
    )
    assert "— done" not in response.content.decode()
    request.refresh_from_db()
    assert request.status == Request.Status.CONTACTED
    assert request.events.last().note == "Called them."


def test_a_stale_version_sends_back_to_the_request_with_its_fresh_state(
    client, signed_in, intake_coordinator
):
    """A refused move answers 303 to the request's own page, not a 409 at the move's address:
    the address bar shows the request, and a reload does not post again."""
    request = submit().request
    stale = request.version
    move(request, "contact", intake_coordinator)
    request.refresh_from_db()
    events = RequestEvent.objects.count()
    response = signed_in(intake_coordinator).post(
        reverse("intake-transition", args=[request.pk, "mark_spam"]),
        {"mark_spam-version": stale, "mark_spam-confirm": "on"},
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("intake-request", args=[request.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f"{request.reference} changed while you were looking at it, so nothing was done: it is "
        "now contacted."
    ) in html
    assert "message-error" in html
    after = Request.objects.get(pk=request.pk)
    assert (after.status, after.version) == (Request.Status.CONTACTED, request.version)
    assert RequestEvent.objects.count() == events


def test_a_move_the_user_may_not_make_is_a_403(client, signed_in, offered, group_coordinator):
    request = offered.request
    response = signed_in(group_coordinator).post(
        reverse("intake-transition", args=[request.pk, "accept"]),
        {"accept-version": request.version},
    )
    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == Request.Status.OFFERED


def test_an_unknown_action_is_a_404(client, signed_in, intake_coordinator):
    request = submit().request
    signed_in(intake_coordinator)
    for action in ("fly", "expire"):
        url = f"/coordination/requests/{request.pk}/transitions/{action}/"
        assert client.post(url, {f"{action}-version": 1}).status_code == 404


def test_route_needs_a_group_or_a_member_and_says_so(client, signed_in, intake_coordinator):
    request = submit().request
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    request.refresh_from_db()
    response = signed_in(intake_coordinator).post(
        reverse("intake-transition", args=[request.pk, "route"]),
        {"route-version": request.version},
    )
    assert response.status_code == 400
    assert b'id="id_route-group_error"' in response.content
    assert Request.objects.get(pk=request.pk).status == Request.Status.TRIAGED


def test_the_offer_form_lists_the_groups_members_first(
    client, signed_in, group_coordinator, intake_coordinator
):
    request = routed_to_group(group_coordinator, intake_coordinator).request
    group = request.assigned_group
    outsider = ConsultantFactory(display_name="Aaa Outside The Group")
    insider = ConsultantFactory(display_name="Zzz Inside The Group")
    group.members.add(insider)
    ConsultantFactory(display_name="Former Member", status=Consultant.Status.FORMER)
    content = (
        signed_in(group_coordinator)
        .get(reverse("intake-request", args=[request.pk]))
        .content.decode()
    )
    assert content.index("Zzz Inside The Group") < content.index("Aaa Outside The Group")
    assert "Former Member" not in content
    assert outsider.display_name in content


# --- My offers and engagements --------------------------------------------------------------


def test_my_offers_shows_the_offer_without_client_contact(client, signed_in, offered, member):
    content = signed_in(member).get(reverse("my-offers")).content
    request = offered.request
    assert request.reference.encode() in content
    assert request.title.encode() in content
    assert request.contact.email.encode() not in content
    assert request.contact.name.encode() not in content
    assert b"Answer by" in content
    assert action_forms(content) == {"accept", "decline"}


def test_decline_needs_a_reason(client, signed_in, offered, member):
    request = offered.request
    url = reverse("intake-transition", args=[request.pk, "decline"])
    data = {"decline-version": request.version, "next": reverse("my-offers")}
    response = signed_in(member).post(url, {**data, "decline-reason": "  "})
    assert response.status_code == 400
    assert f'id="offer{request.pk}_decline-reason_error"'.encode() in response.content
    assert Offer.objects.get(request=request).status == Offer.Status.PENDING

    response = client.post(url, {**data, "decline-reason": "Fully booked until spring."})
    assert response.status_code == 302
    assert response["Location"] == reverse("my-offers")
    offer = Offer.objects.get(request=request)
    assert (offer.status, offer.reason) == (Offer.Status.DECLINED, "Fully booked until spring.")
    past = client.get(reverse("my-offers")).content
    assert b"Fully booked until spring." in past and b"Declined" in past


def test_accepting_shows_the_client_in_my_engagements(client, signed_in, offered, member):
    request = offered.request
    response = signed_in(member).post(
        reverse("intake-transition", args=[request.pk, "accept"]),
        {"accept-version": request.version, "next": reverse("my-offers")},
    )
    assert response.status_code == 302
    content = client.get(reverse("my-engagements")).content
    assert request.reference.encode() in content
    assert request.contact.email.encode() in content
    assert b"Current" in content


def test_my_pages_show_only_my_own_offers(client, signed_in, offered, other_member):
    content = signed_in(other_member).get(reverse("my-offers")).content
    assert offered.request.reference.encode() not in content
    assert b"No offers are waiting for you." in content
