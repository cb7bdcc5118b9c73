"""The rota's page, its iCalendar export, the API's list and opt-in, and the desk's panels."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from network import rota, services
from network.models import Consultant, RotaWeek, User
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    """Four members on the rota and six weeks from the one under way."""
    members = [
        ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE) for _ in range(4)
    ]
    monday = rota.monday_of(timezone.localdate())
    weeks = [
        RotaWeek.objects.create(
            start=monday + rota.WEEK * index, consultant=members[index % 4], hard=index == 3
        )
        for index in range(6)
    ]
    return members, weeks


def _as(client, consultant_or_user):
    user_id = getattr(consultant_or_user, "user_id", None) or consultant_or_user.pk
    client.force_login(User.objects.get(pk=user_id))
    return client


def test_the_page_shows_who_is_on_call_and_the_coming_weeks(client, planned):
    members, weeks = planned
    body = _as(client, members[1]).get("/rota/").content.decode()
    assert "On call now" in body
    assert f"{members[0].display_name} is on call until" in body
    assert body.count("<tr") == 7  # the heading and six weeks
    assert 'name="other_week"' in body  # the member holds a coming week: the swap form
    assert "Join the rota" not in body and "Leave the rota" in body


def test_the_page_costs_few_queries_whatever_the_weeks(
    client, planned, django_assert_max_num_queries
):
    members, weeks = planned
    _as(client, members[1])
    # session, user, member record, roles, weeks, open swaps; the navigation's counts.
    with django_assert_max_num_queries(8):
        assert client.get("/rota/").status_code == 200
    last = weeks[-1].start
    for index in range(1, 20):
        RotaWeek.objects.create(start=last + rota.WEEK * index, consultant=members[index % 4])
    for other in weeks[2:5]:
        if other.consultant_id != members[1].pk:
            services.rota_swap_propose(
                actor=members[1], week_id=weeks[1].pk, other_week_id=other.pk
            )
    with django_assert_max_num_queries(8):
        assert client.get("/rota/").status_code == 200


def test_opting_in_and_out_on_the_page(client):
    member = ConsultantFactory(status=Consultant.Status.PROBATION)
    _as(client, member)
    assert "Join the rota" in client.get("/rota/").content.decode()
    assert client.post("/rota/opt-in/", {"on_call": "1"}).status_code == 302
    assert Consultant.objects.get(pk=member.pk).on_call_opt_in
    assert client.post("/rota/opt-in/", {"on_call": "0"}).status_code == 302
    assert not Consultant.objects.get(pk=member.pk).on_call_opt_in


@pytest.mark.parametrize("status", ["alumni", "former", "on_leave"])
def test_members_not_working_neither_read_nor_act(client, planned, status):
    member = ConsultantFactory(status=status)
    _as(client, member)
    assert client.get("/rota/").status_code == 403
    assert client.get("/rota.ics").status_code == 403
    assert client.post("/rota/opt-in/", {"on_call": "1"}).status_code == 403
    response = client.post("/api/v1/rota/opt-in/", {"on_call": True}, "application/json")
    assert response.status_code == 403
    assert not Consultant.objects.get(pk=member.pk).on_call_opt_in


def test_anonymous_visitors_sign_in_first(client):
    assert client.get("/rota/").status_code == 302
    assert client.get("/api/v1/rota/weeks/").status_code == 401


def test_the_calendar_parses_and_holds_the_weeks(client, planned):
    members, weeks = planned
    response = _as(client, members[1]).get("/rota.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [week.start for week in weeks]
    assert all(
        event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(days=7)
        for event in events
    )
    assert members[0].display_name in str(events[0]["summary"])

    mine = icalendar.Calendar.from_ical(client.get("/rota.ics?mine=1").content)
    starts = [event.decoded("dtstart") for event in mine.walk("VEVENT")]
    assert starts == [week.start for week in weeks if week.consultant_id == members[1].pk]
    assert len(starts) == 2


def test_the_api_lists_the_coming_weeks(client, planned):
    members, weeks = planned
    RotaWeek.objects.create(start=weeks[0].start - rota.WEEK, consultant=members[3])
    response = _as(client, members[2]).get("/api/v1/rota/weeks/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["start"] for row in rows] == [week.start.isoformat() for week in weeks]
    assert rows[3]["hard"] is True
    assert rows[0]["consultant"] == members[0].pk


def test_the_api_opts_a_member_in_and_out(client):
    member = ConsultantFactory(status=Consultant.Status.ACTIVE)
    _as(client, member)
    response = client.post("/api/v1/rota/opt-in/", {"on_call": True}, "application/json")
    assert response.status_code == 200 and response.json() == {"on_call": True}
    assert Consultant.objects.get(pk=member.pk).on_call_opt_in
    response = client.post("/api/v1/rota/opt-in/", {}, "application/json")
    assert response.status_code == 400


def test_the_desk_shows_a_members_weeks_and_coordinators_who_is_on_call(client, planned):
    members, weeks = planned
    body = _as(client, members[1]).get("/desk/").content.decode()
    assert "Your on-call weeks" in body
    assert 'id="desk-rota-now"' not in body
    coordinator = UserFactory()
    user_grant_role(user=coordinator, role=Role.INTAKE_COORDINATOR)
    body = _as(client, coordinator).get("/desk/").content.decode()
    assert 'id="desk-rota-now"' in body
    assert f"{members[0].display_name} is on call until" in body
