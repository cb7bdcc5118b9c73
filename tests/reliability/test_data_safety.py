"""Data safety: export_data, an empty database, loaddata: the same data.

tests/network/test_export_data.py proves the round trip on the network app's rows; this proves it
on the whole service as the demo runs it: requests at every stage with their events, offers,
referrals and notifications, a team bid with its agreement versions and signature (rows the
database's triggers guard), idempotency records, and the handbook's pages, revisions, links,
meetings, decisions, votes and action items.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from handbook.models import ActionItem, Decision, Meeting, Page, PageRevision, Vote
from intake.bids.models import AgreementSignature, AgreementVersion, Bid
from intake.models import Notification, RequestEvent
from network.models import Consultant
from tests.factories import DecisionFactory
from tests.helpers import data_fingerprint


def build_service(api) -> None:
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_demo_requests", stdout=io.StringIO())
    call_command("seed_handbook", stdout=io.StringIO())
    response = api.post(
        "/api/v1/requests/",
        {
            "organization_name": "Harbour Literacy Project (demo)",
            "contact_name": "Office desk",
            "contact_email": "desk@literacy.demo-client.switchboard.test",
            "title": "Laptops for tutors — ñandú",  # not ASCII: the encoding round trip
            "description": "Twelve donated laptops need setting up.",
        },
        format="json",
        headers={"Idempotency-Key": "literacy-laptops"},
    )
    assert response.status_code == 201, response.content
    members = list(Consultant.objects.filter(status=Consultant.Status.ACTIVE).order_by("pk")[:3])
    meeting = Meeting.objects.create(
        title="Spring general meeting", date=datetime.date(2026, 4, 20), agenda="1. Rates."
    )
    meeting.attendees.set(members)
    decision = DecisionFactory(
        meeting=meeting,
        text="Adopt the rate card.",
        quorum=2,
        closes_at=timezone.now() + datetime.timedelta(days=7),
        eligible=members,
    )
    Vote.objects.create(decision=decision, consultant=members[0], choice="yes", reason="Fair.")
    ActionItem.objects.create(
        meeting=meeting, text="Publish the card.", owner=members[1], due=datetime.date(2026, 5, 1)
    )


@pytest.mark.django_db(transaction=True)
def test_export_empty_database_and_load_give_identical_data(api, tmp_path):
    build_service(api)
    before = data_fingerprint()
    counts = {label: count for label, (count, _digest) in before.items()}
    # Every kind of row the issue names is in the fixture, so the checksum covers it.
    for model in (RequestEvent, Notification, Bid, AgreementVersion, AgreementSignature, Page,
                  PageRevision, Meeting, Decision, Vote, ActionItem):  # fmt: skip
        assert counts[model._meta.label] > 0, model._meta.label
    assert counts["intake.IdempotencyRecord"] == 1
    fixture = tmp_path / "switchboard.json"
    call_command("export_data", "--output", str(fixture), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    assert not RequestEvent.objects.exists() and not Page.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)

    assert data_fingerprint() == before
