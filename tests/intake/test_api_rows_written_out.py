"""The request list's rows are written out (``RequestRowSerializer.to_representation``) rather
than walked field by field: the output must stay exactly what the declared fields give, and the
detail, which inherits the fields, must still walk all of its own."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from intake.api import _request_detail, _request_rows
from intake.models import Request
from intake.selectors import with_language_codes
from intake.serializers import RequestDetailSerializer, RequestRowSerializer
from network.models import Consultant, Language
from network.services import languages_ensure
from tests.factories import ConsultantFactory, ConsultantGroupFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_requests(member):
    """Requests in different states: null and set money, dates, times, group and members."""
    languages_ensure()
    now = timezone.now()
    offered = ConsultantFactory(status=Consultant.Status.ACTIVE)
    engaged = member.consultant
    plain = RequestFactory(budget_max=None, desired_start=None, skills=[])
    routed = RequestFactory(
        status=Request.Status.OFFERED,
        urgency=Request.Urgency.EMERGENCY,
        budget_max=Decimal("2500"),
        estimated_hours=40,
        pro_bono=True,
        desired_start=datetime.date(2030, 1, 15),
        assigned_group=ConsultantGroupFactory(),
        offered_consultant=offered,
        response_due_at=now - datetime.timedelta(hours=1),
        first_contact_at=now - datetime.timedelta(days=1, microseconds=1234),
        skills=["CiviCRM", "WordPress"],
        language="es",
    )
    routed.languages.set(Language.objects.filter(code__in=["es", "en"]))
    overdue = RequestFactory(
        status=Request.Status.SUBMITTED, response_due_at=now - datetime.timedelta(minutes=5)
    )
    closed = RequestFactory(
        status=Request.Status.ENGAGED,
        engaged_consultant=engaged,
        closed_at=now,
        budget_max=Decimal("99.995"),
    )
    return [plain, routed, overdue, closed]


def test_rows_written_out_read_as_the_declared_fields_would(
    varied_requests, intake_coordinator, member
):
    compared = 0
    for viewer in (intake_coordinator, member):
        serializer = RequestRowSerializer(context={"viewer": viewer})
        for row in with_language_codes(_request_rows(intake_coordinator).order_by("pk")):
            written_out = serializer.to_representation(row)
            generic = serializers.Serializer.to_representation(serializer, row)
            assert written_out == generic and list(written_out) == list(generic)
            compared += 1
    assert compared == 2 * len(varied_requests)
    rows = {
        row["id"]: row
        for row in RequestRowSerializer(
            with_language_codes(_request_rows(intake_coordinator)),
            many=True,
            context={"viewer": member},
        ).data
    }
    plain, routed, overdue, closed = varied_requests
    assert rows[plain.pk]["budget_max"] is None and rows[plain.pk]["assigned_group"] is None
    assert rows[routed.pk]["languages"] == ["en", "es"] and rows[routed.pk]["budget_max"] == (
        "2500.00"
    )
    # The offer is the coordinator's business: a member sees no name but their own.
    assert rows[routed.pk]["offered_consultant"] is None
    assert rows[closed.pk]["engaged_consultant"]["id"] == member.consultant.pk
    assert rows[overdue.pk]["is_overdue"] is True and rows[plain.pk]["is_overdue"] is False


def test_the_detail_still_walks_every_declared_field(varied_requests, intake_coordinator):
    [routed] = with_language_codes([_request_detail(varied_requests[1].pk)])
    body = RequestDetailSerializer(routed, context={"viewer": intake_coordinator}).data
    declared = list(RequestDetailSerializer().fields)
    assert list(body) == declared
    assert {"description", "events", "contact"} <= set(body) - set(RequestRowSerializer().fields)
