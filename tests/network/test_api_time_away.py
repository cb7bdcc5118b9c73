"""/api/v1/consultants/<id>/time-away/: a member's time away, with a member covering."""

import datetime

import pytest

from network.models import TimeAway
from tests.factories import TimeAwayFactory
from tests.helpers import consultant_api_url as detail_url

pytestmark = pytest.mark.django_db


def time_away_url(consultant) -> str:
    return f"{detail_url(consultant)}time-away/"


def test_member_records_time_away_with_a_covering_member(api_as, member, other_member):
    response = api_as(member).post(
        time_away_url(member.consultant),
        {
            "start": "2031-07-01",
            "end": "2031-07-14",
            "note": "Travelling",
            "covering": other_member.consultant.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["covering"] == other_member.consultant.pk
    assert body["covering_display_name"] == other_member.consultant.display_name
    away = TimeAway.objects.get(pk=body["id"])
    assert (away.start, away.end) == (datetime.date(2031, 7, 1), datetime.date(2031, 7, 14))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2031-07-14", "end": "2031-07-01"}, "end"),
        ({"start": "2031-07-01", "end": "not a date"}, "end"),
        ({"start": "2031-07-01", "end": "2031-07-02", "covering": 999999}, "covering"),
        ({"start": "2031-07-01", "end": "2031-07-02", "covering": "self"}, "covering"),
    ],
)
def test_bad_time_away_is_400_and_writes_nothing(api_as, member, body, field):
    if body.get("covering") == "self":
        body = {**body, "covering": member.consultant.pk}

    response = api_as(member).post(time_away_url(member.consultant), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not TimeAway.objects.exists()


def test_time_away_is_changed_and_removed(api_as, member):
    away = TimeAwayFactory(consultant=member.consultant)
    url = f"{time_away_url(member.consultant)}{away.pk}/"
    client = api_as(member)

    changed = client.put(url, {"start": "2031-01-01", "end": "2031-01-03"}, format="json")
    assert changed.status_code == 200
    away.refresh_from_db()
    assert away.end == datetime.date(2031, 1, 3)

    assert client.delete(url).status_code == 204
    assert not TimeAway.objects.exists()


def test_time_away_of_another_member_is_not_found_under_my_profile(api_as, member, other_member):
    away = TimeAwayFactory(consultant=other_member.consultant)

    response = api_as(member).delete(f"{time_away_url(member.consultant)}{away.pk}/")

    assert response.status_code == 404
    assert TimeAway.objects.filter(pk=away.pk).exists()


def test_bad_time_away_change_leaves_the_period_as_it_was(api_as, member):
    away = TimeAwayFactory(consultant=member.consultant)
    before = (away.start, away.end)

    response = api_as(member).put(
        f"{time_away_url(member.consultant)}{away.pk}/",
        {"start": "2031-02-10", "end": "2031-02-01"},
        format="json",
    )

    assert response.status_code == 400
    away.refresh_from_db()
    assert (away.start, away.end) == before


def test_time_away_list_query_count(api_as, member, directory, django_assert_max_num_queries):
    for day in range(1, 11):
        TimeAway.objects.create(
            consultant=directory[0],
            start=datetime.date(2031, 3, day),
            end=datetime.date(2031, 3, day),
            covering=directory[day],
        )
    client = api_as(member)
    # 1 roles, 2 member record, 3 group coordinator check, 4 the gate's lookup of the member,
    # 5 their time away joined to the covering member.
    with django_assert_max_num_queries(5):
        response = client.get(time_away_url(directory[0]))

    assert len(response.json()) == 10
