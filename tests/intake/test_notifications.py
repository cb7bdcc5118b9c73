"""Notifications of the request workflow's moves (``intake.notifications``): who hears about
each move and what they read. Contact and triage tell nobody; a routing tells the group's
coordinator (or the intake coordinators when the group has none); an offer tells the member
when to answer by, in their time zone; an acceptance tells the coordinators and gives the client
the consultant; a decline asks for a new offer; a referral gives the client the professionals;
completion thanks the client. The client never reads the alliance's notes, the other
candidates or a rate.

The submission's messages: tests/intake/test_notifications_submission.py; their delivery through
a failing mail server: tests/intake/test_notifications_delivery.py. The ``desk`` and ``clock``
fixtures are in tests/intake/conftest.py; submitting, moving and reading the outbox in
tests/helpers.py.
"""

import re
from decimal import Decimal

import pytest

from intake.models import Notification
from intake.notifications import Kind
from network.models import ConsultantGroup
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ExternalProfessionalFactory
from tests.intake.helpers import INTERNAL_NOTE, everything_the_client_read, html_of, outbox_for
from tests.intake.helpers import notifications_sent_to as sent_to
from tests.intake.helpers import notified_move as move
from tests.intake.helpers import notified_submission as submit
from tests.intake.helpers import notified_to_routed as to_routed


def to_offered(commit, request, desk, consultant=None):
    to_routed(commit, request, desk)
    consultant = consultant or desk["first"]
    move(
        commit,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=consultant.pk,
        note=INTERNAL_NOTE,
    )


def shows_rate(text: str, rate: Decimal) -> bool:
    """Whether ``text`` shows ``rate`` as an amount: with its decimals ("137.45", "137,45", or
    rounded, "137.5") or after a currency sign ("$137"). The whole number alone is not looked
    for: generated names and addresses hold any number ("Consultant 137",
    user1371@members.test)."""
    whole = int(rate)
    return re.search(rf"(?<!\d){whole}[.,]\d|\$\s?{whole}(?!\d)", text) is not None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Rate: $137.45/hour", True),
        ("137,45 an hour", True),
        ("about 137.5", True),
        ("$137", True),
        ("Consultant 137", False),
        ("user1371@members.test", False),
        ("REQ-2026-0137", False),
        ("/status/a-137_b/", False),
    ],
)
def test_a_rate_is_found_as_an_amount_not_as_digits_of_a_name(text, shown):
    assert shows_rate(text, Decimal("137.45")) is shown


# --- Workflow moves -----------------------------------------------------------------------


def test_contact_and_triage_notify_nobody(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)
    before = Notification.objects.count()

    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    assert Notification.objects.count() == before


def test_route_to_a_group_tells_its_coordinator(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)

    to_routed(django_capture_on_commit_callbacks, request, desk)

    assert sent_to(Kind.REQUEST_ROUTED) == [desk["group_coordinator"].email]
    [message] = outbox_for(desk["group_coordinator"].email)
    assert desk["group"].name in message.subject
    assert f"/coordination/requests/{request.pk}/" in message.body
    assert INTERNAL_NOTE in message.body  # notes are for the alliance, not the client


def test_route_to_a_group_without_coordinator_tells_the_intake_coordinators(
    desk, django_capture_on_commit_callbacks
):
    leaderless = ConsultantGroup.objects.create(name="Data group", slug="data-group")
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    move(django_capture_on_commit_callbacks, request, "route", desk["intake"], group=leaderless.pk)

    assert sent_to(Kind.REQUEST_ROUTED) == [desk["intake"].email]
    assert "no coordinator" in Notification.objects.get(kind=Kind.REQUEST_ROUTED).body_text


def test_offer_tells_the_offered_member_the_deadline_and_where_to_answer(
    desk, clock, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)

    to_offered(django_capture_on_commit_callbacks, request, desk)

    member = desk["first"]
    assert sent_to(Kind.OFFER_MADE) == [member.user.email]
    [message] = outbox_for(member.user.email)
    assert "/my/offers/" in message.body and "/my/offers/" in html_of(message)
    # Offered at 09:00 UTC on Tuesday 14 April; 48 h later in the member's own time zone.
    assert member.timezone == "America/Los_Angeles"
    assert "Thursday 16 April 2026, 02:00 PDT" in message.body
    assert Notification.objects.get(kind=Kind.OFFER_MADE).recipient_user == member.user


def test_route_straight_to_a_consultant_is_an_offer_to_them(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    move(
        django_capture_on_commit_callbacks,
        request,
        "route",
        desk["intake"],
        consultant=desk["second"].pk,
    )

    assert sent_to(Kind.OFFER_MADE) == [desk["second"].user.email]
    assert sent_to(Kind.REQUEST_ROUTED) == []


def test_accept_tells_coordinators_and_gives_the_client_the_consultant(
    desk, django_capture_on_commit_callbacks
):
    request, status_url = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)
    member = desk["first"]

    move(django_capture_on_commit_callbacks, request, "accept", member.user, note=INTERNAL_NOTE)

    assert sent_to(Kind.OFFER_ACCEPTED) == sorted(
        [desk["group_coordinator"].email, desk["intake"].email]
    )
    assert sent_to(Kind.CONSULTANT_ASSIGNED) == ["contact@food.example.org"]
    message = outbox_for("contact@food.example.org")[-1]
    assert member.display_name in message.body and member.user.email in message.body
    assert member.display_name in html_of(message) and member.user.email in html_of(message)


def test_the_client_never_reads_notes_other_candidates_or_rates(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk, consultant=desk["first"])
    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["first"].user,
        reason=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=desk["second"].pk,
        note=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "accept",
        desk["second"].user,
        note=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks, request, "complete", desk["intake"], note=INTERNAL_NOTE
    )

    client_kinds = set(
        Notification.objects.filter(recipient_email="contact@food.example.org").values_list(
            "kind", flat=True
        )
    )
    assert client_kinds == {Kind.REQUEST_RECEIVED, Kind.CONSULTANT_ASSIGNED, Kind.REQUEST_COMPLETED}
    read = everything_the_client_read("contact@food.example.org")
    assert desk["second"].display_name in read
    assert "INTERNAL-NOTE" not in read
    assert desk["first"].display_name not in read  # the member who declined
    assert not shows_rate(read, desk["first"].hourly_rate)
    assert not shows_rate(read, desk["second"].hourly_rate)
    assert desk["group"].name not in read


def test_decline_asks_the_group_coordinator_for_a_new_offer(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)

    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["first"].user,
        reason="Fully booked until June.",
    )

    assert sent_to(Kind.OFFER_DECLINED) == [desk["group_coordinator"].email]
    row = Notification.objects.get(kind=Kind.OFFER_DECLINED)
    assert "needs a new offer" in row.subject
    assert "Fully booked until June." in row.body_text
    assert desk["first"].display_name in row.body_text


def test_decline_without_a_group_goes_to_the_intake_coordinators(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])
    move(
        django_capture_on_commit_callbacks,
        request,
        "route",
        desk["intake"],
        consultant=desk["second"].pk,
    )

    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["second"].user,
        reason="Not my field.",
    )

    assert sent_to(Kind.OFFER_DECLINED) == [desk["intake"].email]


def test_refer_out_sends_the_client_the_professionals_and_the_message(
    desk, django_capture_on_commit_callbacks
):
    pro = ExternalProfessionalFactory(
        phone="+1 415 555 0100", notes="INTERNAL-NOTE: charges a lot", website="https://pro.test"
    )
    other = ExternalProfessionalFactory()
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])

    move(
        django_capture_on_commit_callbacks,
        request,
        "refer_out",
        desk["intake"],
        professionals=[pro.pk, other.pk],
        message="None of our members works with this database; these two do.",
    )

    assert sent_to(Kind.REFERRED_OUT) == ["contact@food.example.org"]
    message = outbox_for("contact@food.example.org")[-1]
    for text in (message.body, html_of(message)):
        assert "None of our members works with this database; these two do." in text
        assert pro.name in text and pro.email in text and "+1 415 555 0100" in text
        assert other.name in text and other.email in text
    assert "INTERNAL-NOTE" not in everything_the_client_read("contact@food.example.org")
    assert Notification.objects.filter(recipient_email=desk["intake"].email).count() == 1


def test_complete_thanks_the_client(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)
    move(django_capture_on_commit_callbacks, request, "accept", desk["first"].user)

    move(django_capture_on_commit_callbacks, request, "complete", desk["intake"])

    assert sent_to(Kind.REQUEST_COMPLETED) == ["contact@food.example.org"]
    assert "thank you" in outbox_for("contact@food.example.org")[-1].body.lower()


@pytest.mark.parametrize("action", ["withdraw", "mark_spam"])
def test_withdraw_and_spam_notify_nobody(desk, django_capture_on_commit_callbacks, action):
    request, _ = submit(django_capture_on_commit_callbacks)
    before = Notification.objects.count()

    move(django_capture_on_commit_callbacks, request, action, desk["intake"])

    assert Notification.objects.count() == before


def test_one_person_in_two_roles_gets_one_message(desk, django_capture_on_commit_callbacks):
    user_grant_role(user=desk["group_coordinator"], role=Role.INTAKE_COORDINATOR)
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["group_coordinator"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])
    move(
        django_capture_on_commit_callbacks, request, "route", desk["intake"], group=desk["group"].pk
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=desk["first"].pk,
    )

    move(django_capture_on_commit_callbacks, request, "accept", desk["first"].user)

    # Group coordinator and the request's intake coordinator are the same person here.
    assert sent_to(Kind.OFFER_ACCEPTED) == [desk["group_coordinator"].email]
