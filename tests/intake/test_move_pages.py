"""What the request pages say and ask around a move (``intake.request_views``,
``intake.move_messages``): plain messages saying what happened to what; moves that close a
request for good refused (400, nothing changed) until their box is ticked; a refused move from
"My offers" going back there (303); where a request went (its group, or the member it was
offered to straight away); and budgets written as money.

The fixtures (languages and a fresh cache, ``offered``) are in tests/intake/conftest.py.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from intake.models import Request
from intake.move_messages import group_phrase
from tests.factories import ExternalProfessionalFactory
from tests.helpers import consultant
from tests.intake.helpers import request_moved as move
from tests.intake.helpers import request_submitted as submit
from tests.intake.helpers import routed_to_group, workflow_snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]

S = Request.Status


def post(client, request: Request, action: str, **fields):
    request.refresh_from_db()
    data = {f"{action}-version": request.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(reverse("intake-transition", args=[request.pk, action]), data, follow=True)


def said(response) -> str:
    """The page's message after a move (the first one shown)."""
    html = response.content.decode()
    start = html.index('<p class="message')
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


# --- Plain messages ------------------------------------------------------------------------------


def test_each_move_says_what_happened_to_what(
    client, signed_in, intake_coordinator, group_coordinator, member
):
    request = submit().request
    reference = request.reference
    signed_in(intake_coordinator)
    assert said(post(client, request, "contact")) == (
        f"First contact with the client of {reference} recorded."
    )
    assert said(post(client, request, "triage", urgency="normal")) == f"{reference} triaged."
    group = consultant(group_coordinator).coordinated_groups.get()
    assert said(post(client, request, "route", group=group.pk)) == (
        f"{reference} routed to {group_phrase(group.name)}."
    )

    signed_in(group_coordinator)
    offered = said(post(client, request, "offer", consultant=consultant(member).pk))
    assert offered.startswith(
        f"Offer of {reference} made to {consultant(member).display_name}; they have until "
    )
    assert offered.endswith(" to answer.")

    signed_in(intake_coordinator)
    assert said(post(client, request, "withdraw", confirm="on")) == f"{reference} withdrawn."


def test_completing_and_closing_as_spam_say_so(
    client, signed_in, offered, member, intake_coordinator
):
    move(offered.request, "accept", member)
    signed_in(intake_coordinator)
    assert said(post(client, offered.request, "complete", confirm="on")) == (
        f"{offered.request.reference} marked completed."
    )
    spam = submit(title="Cheap watches").request
    assert said(post(client, spam, "mark_spam", confirm="on")) == (
        f"{spam.reference} closed as spam."
    )


# --- Moves that close a request for good -------------------------------------------------------


@pytest.fixture
def closable(offered, member, intake_coordinator):
    """A request in a state each final move starts from, with the fields it needs."""
    move(offered.request, "accept", member)
    professional = ExternalProfessionalFactory()
    return {
        "complete": (offered.request, {}),
        "refer_out": (
            submit(title="A").request,
            {"professionals": professional.pk, "message": "Hi"},
        ),
        "withdraw": (submit(title="B").request, {}),
        "mark_spam": (submit(title="C").request, {}),
    }


@pytest.mark.parametrize("action", ["complete", "refer_out", "withdraw", "mark_spam"])
def test_a_final_move_needs_its_box_ticked(client, signed_in, intake_coordinator, closable, action):
    request, fields = closable[action]
    signed_in(intake_coordinator)
    page = client.get(reverse("intake-request", args=[request.pk])).content.decode()
    assert f'name="{action}-confirm"' in page
    assert f"I understand this closes {request.reference} for good" in page
    before = workflow_snapshot(request)

    refused = post(client, request, action, **fields)

    assert refused.status_code == 400
    assert "Tick the box to confirm: this closes the request for good." in (
        refused.content.decode()
    )
    assert workflow_snapshot(request) == before

    made = post(client, request, action, confirm="on", **fields)

    assert made.status_code == 200 and made.redirect_chain
    assert Request.objects.get(pk=request.pk).status != before[0]


def test_moves_that_keep_the_request_open_ask_for_no_confirmation(
    client, signed_in, intake_coordinator
):
    request = submit().request
    page = signed_in(intake_coordinator).get(reverse("intake-request", args=[request.pk]))
    html = page.content.decode()
    assert 'name="contact-confirm"' not in html
    assert 'name="mark_spam-confirm"' in html
    assert "data-confirm" not in html  # the box works without JavaScript


# --- A refused move from "My offers" -------------------------------------------------------------


def test_answering_an_offer_withdrawn_meanwhile_goes_back_to_my_offers(
    client, signed_in, offered, member, intake_coordinator
):
    request = offered.request
    version = request.version
    move(request, "withdraw", intake_coordinator)

    response = signed_in(member).post(
        reverse("intake-transition", args=[request.pk, "accept"]),
        {"accept-version": version, "next": reverse("my-offers")},
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("my-offers")
    html = client.get(response["Location"]).content.decode()
    assert f"{request.reference} changed while you were looking at it, so nothing was done" in html
    assert Request.objects.get(pk=request.pk).status == S.WITHDRAWN


# --- Where the request went ----------------------------------------------------------------------


def test_a_request_offered_straight_to_a_member_says_so_to_the_end(
    client, signed_in, intake_coordinator, member, other_member
):
    request = submit().request
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    queue = signed_in(intake_coordinator).get(reverse("intake-queue")).content.decode()
    assert "Not routed yet" in queue
    move(request, "route", intake_coordinator, consultant=consultant(member).pk)
    move(request, "accept", member)
    move(request, "complete", intake_coordinator)
    name = consultant(member).display_name

    page = client.get(reverse("intake-request", args=[request.pk])).content.decode()
    queue = client.get(reverse("intake-queue")).content.decode()

    for html in (page, queue):
        assert f"Offered directly to {name}" in html
        assert "Not routed yet" not in html
    own = signed_in(member).get(reverse("intake-request", args=[request.pk])).content.decode()
    assert f"Offered directly to {name}" in own


def test_a_member_who_declined_a_direct_offer_does_not_learn_who_came_next(
    client, signed_in, intake_coordinator, member, other_member
):
    request = submit().request
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    move(request, "route", intake_coordinator, consultant=consultant(member).pk)
    move(request, "decline", member, reason="Booked.")
    move(request, "route", intake_coordinator, consultant=consultant(other_member).pk)
    move(request, "accept", other_member)

    html = signed_in(member).get(reverse("intake-request", args=[request.pk])).content.decode()

    assert "Offered directly to a member" in html
    assert consultant(other_member).display_name not in html


# --- Money ---------------------------------------------------------------------------------------


def test_budgets_read_as_money_on_the_pages_and_in_the_offer_email(
    client, signed_in, group_coordinator, intake_coordinator, member
):
    submission = routed_to_group(group_coordinator, intake_coordinator, budget_max=Decimal("5000"))
    request = submission.request
    move(request, "offer", group_coordinator, consultant=consultant(member).pk)

    page = signed_in(intake_coordinator).get(reverse("intake-request", args=[request.pk]))
    offers = signed_in(member).get(reverse("my-offers"))

    for html in (page.content.decode(), offers.content.decode()):
        assert "Up to USD\u00a05,000.00" in html
        assert "5000.00 USD" not in html


def test_the_offer_email_writes_the_budget_as_money(
    group_coordinator, intake_coordinator, member, django_capture_on_commit_callbacks
):
    submission = routed_to_group(group_coordinator, intake_coordinator, budget_max=Decimal("5000"))
    with django_capture_on_commit_callbacks(execute=True):
        move(submission.request, "offer", group_coordinator, consultant=consultant(member).pk)

    (message,) = [m for m in mail.outbox if member.email in m.to]
    assert "up to USD\u00a05,000.00" in message.body
    assert "up to USD\u00a05,000.00" in message.alternatives[0][0]


def test_a_group_is_named_in_a_phrase_that_reads_well():
    assert group_phrase("Web") == "the Web group"
    assert group_phrase("Web group") == "Web group"
