"""The move of the bid models from intake to the bids app, on a database that has bids in it.

The move changes only Django's record of which app owns the models (state); the tables keep
their names. So a database at the schema before the move, with a signed, won bid at work in it,
migrates forward with every row in place, readable through ``intake.bids.models``, the signed
agreement still guarded by its trigger, and the content types (hence permissions and the
admin's history) relabelled from ``intake`` to ``bids``; and it migrates back.
"""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from intake import services as intake_services
from intake.bids.models import AgreementSignature, AgreementVersion, Bid, BidEvent, BidMember
from intake.workflow import request_apply
from network.models import Consultant
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory
from tests.helpers import bid_at_work

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0010_request_confirmed_and_dismissed_skills")]
MOVED = ["bid", "bidmember", "agreementversion", "agreementsignature", "bidevent"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets, at_end=True).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def a_bid_at_work() -> Bid:
    coordinator = ConsultantFactory(status=Consultant.Status.ACTIVE)
    user_grant_role(user=coordinator.user, role=Role.INTAKE_COORDINATOR)
    lead, member = ConsultantFactory(), ConsultantFactory()
    request = intake_services.request_submit(
        organization_name="Eastside Food Bank",
        contact_name="Client Contact",
        contact_email="contact@eastside.example.org",
        title="A new donor database",
        description="Our donor records live in three spreadsheets.",
        skills=["CiviCRM"],
        budget_max=Decimal("12000"),
        estimated_hours=90,
    ).request
    for action in ("contact", "triage", "start_bidding"):
        request_apply(request_id=request.pk, action=action, actor=coordinator.user, version=None)
    return bid_at_work(request=request, lead=lead, member=member, coordinator=coordinator.user)


def rows() -> dict:
    return {
        "bids": list(Bid.objects.values_list("pk", "status", "price", "version")),
        "seats": list(BidMember.objects.values_list("pk", "consultant_id", "status")),
        "versions": list(AgreementVersion.objects.values_list("pk", "number", "in_force_at")),
        "signatures": list(AgreementSignature.objects.values_list("pk", "consultant_id")),
        "events": BidEvent.objects.count(),
    }


def test_a_database_with_bids_migrates_back_across_the_move_and_forward_again():
    # One round trip, back and forward: each direction migrates every app, about 25 s each on
    # SQLite.
    bid = a_bid_at_work()
    ContentType.objects.get_for_model(Bid)  # as the app creates it after migrate
    before = rows()
    assert before["signatures"] and before["events"]

    # Back: the schema before the move, where the bid models are intake's, with the same rows
    # and the content types given back to intake.
    old = migrate(BEFORE)
    assert "bid" not in old.all_models.get("bids", {})
    assert old.get_model("intake", "Bid").objects.get(pk=bid.pk).status == Bid.Status.IN_PROGRESS
    intake_bid = ContentType.objects.get(app_label="intake", model="bid")
    assert not ContentType.objects.filter(app_label="bids", model__in=MOVED).exists()
    # A permission on it, as an older database has.
    permission_id = intake_bid.permission_set.get_or_create(
        codename="view_bid", defaults={"name": "Can view bid"}
    )[0].pk

    # Forward again.
    new = migrate(latest())

    assert new.get_model("bids", "Bid").objects.get(pk=bid.pk).price == Decimal("9000.00")
    assert rows() == before
    relabelled = ContentType.objects.get(pk=intake_bid.pk)
    assert (relabelled.app_label, relabelled.model) == ("bids", "bid")
    assert relabelled.permission_set.filter(pk=permission_id).exists()
    # The signed agreement is still guarded by the database itself.
    in_force = AgreementVersion.objects.filter(bid=bid, in_force_at__isnull=False)
    assert in_force.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        in_force.update(price=Decimal("1.00"))
    assert rows() == before
