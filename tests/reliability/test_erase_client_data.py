"""erase_client_data: a client's personal data goes on request; the audit trail keeps its shape."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from intake.bids.models import Bid, BidMember
from intake.delivery import notification_deliver
from intake.models import (
    Contact,
    IdempotencyRecord,
    Notification,
    Organization,
    Request,
    RequestEvent,
)
from intake.workflow import request_apply
from network.models import User

pytestmark = pytest.mark.django_db

ORGANIZATION = "Eastside Arts Council (demo)"
CONTACT_NAME = "Ada Quintero-Lopez"
CONTACT_EMAIL = "ada.quintero@eastside-arts.demo-client.switchboard.test"
PHONE = "+1 415 555 0199"
DESCRIPTION = "Our box office laptop holds Ada's personal donor spreadsheet, named zebracorn."


@pytest.fixture
def client_history(api, django_capture_on_commit_callbacks):
    """The demo alliance and its requests; the Eastside Arts Council has a bid out for signature
    and now a second request, sent through the API with an idempotency key, by a named contact
    with a phone number, whose name a coordinator then wrote in a note."""
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_demo_requests", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/requests/",
            {
                "organization_name": ORGANIZATION,
                "organization_website": "https://eastside-arts.demo-client.switchboard.test",
                "contact_name": CONTACT_NAME,
                "contact_email": CONTACT_EMAIL,
                "title": "Zebracorn box office laptop",
                "description": DESCRIPTION,
            },
            format="json",
            headers={"Idempotency-Key": "eastside-1"},
        )
    assert response.status_code == 201, response.content
    Contact.objects.filter(email=CONTACT_EMAIL).update(phone=PHONE)
    Organization.objects.filter(name=ORGANIZATION).update(
        mission="Arts for every Eastside child.", notes="Board chair is Ada's cousin."
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_apply(
            request_id=response.json()["id"],
            action="contact",
            actor=User.objects.get(username="intake"),
            version=1,
            note=f"Called {CONTACT_NAME} on {PHONE}.",
        )
    return Organization.objects.get(name=ORGANIZATION)


def every_text_in_the_database() -> dict[str, str]:
    """Per table: every value of every row, as text (binary values decoded leniently), rows
    in a fixed order."""
    dump = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = []
            for row in cursor.fetchall():
                values = []
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    values.append(str(value))
                rows.append("\n".join(values))
            # Sorted: PostgreSQL returns rows in storage order, which any UPDATE may change.
            dump[table] = "\n".join(sorted(rows)).casefold()
    return dump


def tables_containing(needle: str, dump: dict[str, str]) -> list[str]:
    return sorted(table for table, text in dump.items() if needle.casefold() in text)


def audit_shape(organization) -> dict:
    requests = Request.objects.filter(organization=organization).order_by("pk")
    return {
        "requests": list(
            requests.values_list("pk", "reference", "status", "version", "submitted_at")
        ),
        "events": list(
            RequestEvent.objects.filter(request__in=requests)
            .order_by("pk")
            .values_list("pk", "action", "from_status", "to_status", "actor", "created_at", "data")
        ),
        "bids": list(Bid.objects.filter(request__in=requests).values_list("pk", "status", "price")),
        "members": list(
            BidMember.objects.filter(bid__request__in=requests)
            .order_by("pk")
            .values_list("consultant", "status", "estimated_hours", "standard_rate")
        ),
        "notifications": list(
            Notification.objects.filter(request__in=requests)
            .order_by("pk")
            .values_list("pk", "kind", "status", "sent_at")
        ),
        "contacts": Contact.objects.filter(organization=organization).count(),
    }


def test_erasure_leaves_no_trace_of_the_client_and_keeps_the_audit_trail(client_history):
    organization = client_history
    descriptions = list(
        Request.objects.filter(organization=organization).values_list("description", flat=True)
    )
    needles = [
        "Eastside Arts Council",
        "eastside-arts",  # the website and every address at it
        CONTACT_NAME,
        CONTACT_EMAIL,
        PHONE,
        "zebracorn",
        "Arts for every Eastside child",
        "Board chair is Ada",
        *descriptions,
    ]
    before = every_text_in_the_database()
    for needle in needles:
        assert tables_containing(needle, before), needle  # the check below is not vacuous
    shape = audit_shape(organization)
    other_requests = list(
        Request.objects.exclude(organization=organization).order_by("pk").values()
    )
    assert IdempotencyRecord.objects.count() == 1
    contact_pk = Contact.objects.get(email=CONTACT_EMAIL).pk

    out = io.StringIO()
    call_command("erase_client_data", str(organization.pk), "--yes", stdout=out)

    after = every_text_in_the_database()
    for needle in needles:
        assert tables_containing(needle, after) == [], needle
    assert audit_shape(organization) == shape
    assert list(Request.objects.exclude(organization=organization).order_by("pk").values()) == (
        other_requests
    )
    assert not IdempotencyRecord.objects.exists()
    organization.refresh_from_db()
    assert organization.name == f"Erased organisation {organization.pk}"
    assert (organization.website, organization.mission, organization.notes) == ("", "", "")
    contact = Contact.objects.get(pk=contact_pk)
    assert (contact.name, contact.phone) == ("Erased contact", "")
    assert contact.email == f"erased-{contact.pk}@erased.invalid"
    assert set(
        Request.objects.filter(organization=organization).values_list("description", flat=True)
    ) == {"[erased]"}
    report = out.getvalue()
    assert f"Erased the personal data of '{ORGANIZATION}'" in report
    assert "requests: 2" in report and "idempotency records deleted: 1" in report


def test_dry_run_reports_and_changes_nothing(client_history):
    before = every_text_in_the_database()
    out = io.StringIO()

    call_command("erase_client_data", "eastside-arts.demo-client.switchboard.test", "--dry-run",
                 stdout=out)  # fmt: skip

    assert every_text_in_the_database() == before
    assert "Would erase the personal data of" in out.getvalue()
    assert "contacts: 2" in out.getvalue()


def test_erasure_without_yes_is_refused(client_history):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_client_data", ORGANIZATION, stdout=io.StringIO())

    assert Organization.objects.filter(name=ORGANIZATION).exists()


def test_an_unknown_organisation_is_an_error(db):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("erase_client_data", "nobody.example.org", "--yes")


def test_erasing_twice_is_harmless(client_history):
    call_command("erase_client_data", ORGANIZATION.upper(), "--yes", stdout=io.StringIO())
    once = every_text_in_the_database()

    call_command("erase_client_data", str(client_history.pk), "--yes", stdout=io.StringIO())

    assert every_text_in_the_database() == once


def test_messages_not_sent_yet_are_erased_with_the_status_link(
    api, django_capture_on_commit_callbacks, mailoutbox
):
    # The submission's messages were stored but never handed to the broker (its commit hooks
    # did not run): the client's waits with the contact's name and the status link.
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/requests/",
            {
                "organization_name": ORGANIZATION,
                "contact_name": CONTACT_NAME,
                "contact_email": CONTACT_EMAIL,
                "title": "Zebracorn box office laptop",
                "description": DESCRIPTION,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    token = response.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]
    waiting = Notification.objects.get(recipient_email=CONTACT_EMAIL)
    before = every_text_in_the_database()
    assert tables_containing(token, before) == []  # the waiting message holds it sealed
    assert waiting.sealed_status_token
    assert "intake_notification" in tables_containing(CONTACT_NAME, before)

    organization = Organization.objects.get(name=ORGANIZATION)
    call_command("erase_client_data", str(organization.pk), "--yes", stdout=io.StringIO())

    after = every_text_in_the_database()
    for needle in (token, CONTACT_NAME, CONTACT_EMAIL, "zebracorn"):
        assert tables_containing(needle, after) == [], needle
    waiting.refresh_from_db()
    assert waiting.sealed_status_token == ""
    # Sent later, it says nothing of the client either.
    assert notification_deliver(waiting.pk) == "sent"
    [message] = mailoutbox
    assert CONTACT_NAME not in message.body and token not in message.body
