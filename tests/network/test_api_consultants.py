"""/api/v1/consultants/: reading the member directory and a member's row, its filters,
ordering and pagination, and what each costs in queries. Changes to a member's record are in
test_api_consultant_writes.py, a member's skills and time away in test_api_consultant_skills.py
and test_api_time_away.py."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import Consultant, Language, TimeAway
from network.services import languages_ensure
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
)
from tests.helpers import CONSULTANTS_API as CONSULTANTS
from tests.helpers import assert_matches_schema, query_plan
from tests.helpers import consultant_api_url as detail_url

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(response) -> set[str]:
    return {row["display_name"] for row in results(response)}


# --- Reading the directory -----------------------------------------------------------------


def test_directory_row_shows_profile_skills_languages_and_groups(api_as, member):
    languages_ensure()
    consultant = ConsultantFactory(display_name="Row member", bio="Databases.")
    consultant.languages.add(Language.objects.get(code="es"))
    ConsultantSkillFactory(
        consultant=consultant, skill=SkillFactory(name="PostgreSQL"), level=4, years=7
    )
    group = ConsultantGroupFactory(name="Data group")
    group.members.add(consultant)

    row = api_as(member).get(detail_url(consultant)).json()

    assert row["display_name"] == "Row member"
    assert row["languages"] == ["es"]
    assert row["skills"] == [
        {"skill": "postgresql", "name": "PostgreSQL", "level": 4, "years": 7, "note": ""}
    ]
    assert row["groups"] == [{"slug": "data-group", "name": "Data group"}]
    assert row["status"] == "active"
    assert set(row) >= {"timezone", "remote_ok", "capacity_hours_per_week", "website"}


def test_member_sees_null_rates_on_another_member(api_as, member, other_member):
    row = api_as(member).get(detail_url(other_member.consultant)).json()

    assert row["hourly_rate"] is None
    assert row["currency"] is None
    assert row["sliding_scale"] is None
    assert row["pro_bono_hours_per_month"] is None


def test_member_sees_own_rates(api_as, member):
    row = api_as(member).get(detail_url(member.consultant)).json()

    assert row["hourly_rate"] == "95.00"
    assert row["currency"] == "USD"
    assert row["sliding_scale"] is False
    assert row["pro_bono_hours_per_month"] == 0


def test_member_sees_only_own_rates_in_the_list(api_as, member, other_member):
    rows = {row["id"]: row for row in results(api_as(member).get(CONSULTANTS))}

    assert rows[member.consultant.pk]["hourly_rate"] == "95.00"
    assert rows[other_member.consultant.pk]["hourly_rate"] is None


@pytest.mark.parametrize(
    "role", ["group_coordinator", "intake_coordinator", "community_coordinator", "admin"]
)
def test_coordinators_see_rates(request, api_as, role, other_member):
    viewer = request.getfixturevalue(role)

    row = api_as(viewer).get(detail_url(other_member.consultant)).json()

    assert row["hourly_rate"] == "95.00"
    assert row["currency"] == "USD"


def test_applicants_are_hidden_from_members(api_as, member):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT, display_name="Hopeful")
    client = api_as(member)

    assert "Hopeful" not in names(client.get(CONSULTANTS))
    assert client.get(detail_url(applicant)).status_code == 404


def test_coordinators_see_applicants(api_as, intake_coordinator):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT, display_name="Hopeful")
    client = api_as(intake_coordinator)

    assert "Hopeful" in names(client.get(CONSULTANTS))
    assert client.get(detail_url(applicant)).status_code == 200


def test_unknown_member_is_404(api_as, member):
    assert api_as(member).get(f"{CONSULTANTS}999999/").status_code == 404


# --- Filters, ordering and pagination ------------------------------------------------------


def test_skill_filter_honours_min_level(api_as, member):
    wordpress = SkillFactory(name="WordPress", slug="wordpress")
    ConsultantSkillFactory(consultant__display_name="Expert", skill=wordpress, level=5)
    ConsultantSkillFactory(consultant__display_name="Novice", skill=wordpress, level=1)
    ConsultantFactory(display_name="Unrelated")
    client = api_as(member)

    assert names(client.get(CONSULTANTS, {"skill": "wordpress"})) == {"Expert", "Novice"}
    assert names(client.get(CONSULTANTS, {"skill": "wordpress", "min_level": 4})) == {"Expert"}


def test_skill_filter_accepts_an_alias(api_as, member):
    postgres = SkillFactory(name="PostgreSQL")
    SkillAliasFactory(skill=postgres, alias="Postgres")
    ConsultantSkillFactory(consultant__display_name="Database person", skill=postgres)

    response = api_as(member).get(CONSULTANTS, {"skill": "postgres"})

    assert names(response) == {"Database person"}


@pytest.mark.parametrize("term", ["postgresql", "PostgreSQL", "postgres"])
def test_skill_filter_finds_the_skill_by_its_unique_keys_without_a_scan(api_as, member, term):
    # By slug, folded name or alias, each a unique key: the look-up reads three index entries,
    # not every skill and alias (an OR across the alias join could use no index).
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")
    SkillFactory.create_batch(5)
    ConsultantSkillFactory(consultant__display_name="Database person", skill=postgres)

    with CaptureQueriesContext(connection) as captured:
        assert names(api_as(member).get(CONSULTANTS, {"skill": term})) == {"Database person"}

    [lookup] = [q["sql"] for q in captured.captured_queries if "network_skillalias" in q["sql"]]
    plan = query_plan(lookup)
    if connection.vendor == "postgresql":
        # One probe of each key, nothing read to be filtered afterwards.
        assert plan.count("Index Cond:") == 3 and "Filter:" not in plan, plan
    else:
        assert not re.search(r"\bSCAN (network_skill|network_skillalias)\b", plan), plan


def test_min_level_outside_one_to_five_is_400(api_as, member):
    response = api_as(member).get(CONSULTANTS, {"skill": "x", "min_level": 9})

    assert response.status_code == 400
    assert "min_level" in response.json()


def test_status_filter(api_as, intake_coordinator):
    ConsultantFactory(display_name="On leave", status=Consultant.Status.ON_LEAVE)
    ConsultantFactory(display_name="Alumnus", status=Consultant.Status.ALUMNI)

    response = api_as(intake_coordinator).get(CONSULTANTS, {"status": ["on_leave", "alumni"]})

    assert names(response) == {"On leave", "Alumnus"}


def test_group_filter_takes_a_slug(api_as, member):
    group = ConsultantGroupFactory(name="Web group")
    group.members.add(ConsultantFactory(display_name="Web person"))
    ConsultantFactory(display_name="Elsewhere")

    assert names(api_as(member).get(CONSULTANTS, {"group": "web-group"})) == {"Web person"}


def test_language_filter_takes_a_code(api_as, member):
    languages_ensure()
    ConsultantFactory(display_name="Speaks Tagalog").languages.add(Language.objects.get(pk="tl"))
    ConsultantFactory(display_name="Speaks English").languages.add(Language.objects.get(pk="en"))

    assert names(api_as(member).get(CONSULTANTS, {"language": "tl"})) == {"Speaks Tagalog"}


def test_available_on_excludes_members_away_that_day(api_as, member):
    day = datetime.date(2031, 5, 14)
    away = ConsultantFactory(display_name="Away")
    TimeAway.objects.create(
        consultant=away,
        start=day - datetime.timedelta(days=2),
        end=day + datetime.timedelta(days=1),
    )
    back = ConsultantFactory(display_name="Back by then")
    TimeAway.objects.create(
        consultant=back,
        start=day - datetime.timedelta(days=9),
        end=day - datetime.timedelta(days=1),
    )
    ConsultantFactory(display_name="On leave", status=Consultant.Status.ON_LEAVE)

    found = names(api_as(member).get(CONSULTANTS, {"available_on": day.isoformat()}))

    assert "Away" not in found
    assert "On leave" not in found
    assert "Back by then" in found


def test_search_matches_name_location_and_bio(api_as, member):
    ConsultantFactory(display_name="Databases person", location="Oakland, CA")
    ConsultantFactory(display_name="Other", bio="I migrate databases for food banks.")
    ConsultantFactory(display_name="Unrelated", bio="Websites.")
    client = api_as(member)

    assert names(client.get(CONSULTANTS, {"search": "databases"})) == {"Databases person", "Other"}
    assert names(client.get(CONSULTANTS, {"search": "oakland databases"})) == {"Databases person"}


def test_remote_ok_filter(api_as, member):
    ConsultantFactory(display_name="On site only", remote_ok=False)

    response = api_as(member).get(CONSULTANTS, {"remote_ok": "false"})

    assert names(response) == {"On site only"}


def test_ordering_by_name_descending_and_by_last_update(api_as, member):
    ConsultantFactory(display_name="Aaa")
    latest = ConsultantFactory(display_name="Zzz")
    client = api_as(member)

    by_name = results(client.get(CONSULTANTS, {"ordering": "-display_name"}))
    by_update = results(client.get(CONSULTANTS, {"ordering": "-updated_at"}))

    assert by_name[0]["display_name"] == "Zzz"
    assert by_name[-1]["display_name"] == "Aaa"
    assert by_update[0]["id"] == latest.pk


def test_pages_follow_page_size_and_link_to_the_next_page(api_as, member, directory):
    client = api_as(member)

    first = client.get(CONSULTANTS, {"page_size": 10}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 31  # the directory and the member themself
    assert len(first["results"]) == 10
    assert "page=2" in first["next"] and "page_size=10" in first["next"]
    assert first["previous"] is None
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}


# --- Query counts --------------------------------------------------------------------------


def test_directory_page_has_no_per_row_queries(
    api_as, member, directory, django_assert_max_num_queries
):
    client = api_as(member)
    # 1 the viewer's role groups, 2 the viewer's member record, 3 whether they coordinate a
    # group, 4 count, 5 the page, 6 skills with their skill, 7 languages, 8 groups.
    with django_assert_max_num_queries(8):
        response = client.get(CONSULTANTS, {"page_size": 30})

    assert len(response.json()["results"]) == 30


def test_filtered_directory_page_has_no_per_row_queries(
    api_as, intake_coordinator, directory, django_assert_max_num_queries
):
    group_slug = directory[0].consultant_groups.get().slug
    skill_slug = directory[0].skills.order_by("level").first().skill.slug
    client = api_as(intake_coordinator)
    # 1 the viewer's role groups (a staff role, so no member record or group look-up is
    # needed), 2 the group named by the filter, 3 the language named by the filter, 4 the
    # skill ids the skill filter names, 5 count, 6 the page, 7 skills with their skill,
    # 8 languages, 9 groups.
    with django_assert_max_num_queries(9):
        response = client.get(
            CONSULTANTS,
            {"page_size": 30, "group": group_slug, "language": "es", "skill": skill_slug},
        )

    assert len(response.json()["results"]) == 18  # three in five members hold any one skill


def test_member_detail_query_count(api_as, member, directory, django_assert_max_num_queries):
    client = api_as(member)
    # 1 roles, 2 member record, 3 group coordinator check, 4 the gate's lookup, 5 the row again
    # through the directory selector, 6 skills, 7 languages, 8 groups.
    with django_assert_max_num_queries(8):
        response = client.get(detail_url(directory[0]))

    assert len(response.json()["skills"]) == 3


# --- Answers match the schema (found by the API fuzzer, tests/fuzz) ----------------------------


def test_a_member_without_a_website_matches_the_schema(api_as, member):
    """ "" is how the API says "no website"; the schema must allow it next to a URI."""
    consultant = ConsultantFactory(website="")

    response = api_as(member).get(detail_url(consultant))

    assert response.json()["website"] == ""
    assert_matches_schema(response, "GET /api/v1/consultants/{id}/")


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("anonymous", {}, 401),
        ("member", {"page": 99}, 404),
        ("member", {"min_level": 9}, 400),
    ],
)
def test_refused_directory_reads_are_documented(api_as, member, role, query, status):
    response = api_as(member if role == "member" else None).get(CONSULTANTS, query)

    assert response.status_code == status
    assert_matches_schema(response, "GET /api/v1/consultants/")
