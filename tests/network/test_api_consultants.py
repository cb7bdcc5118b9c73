"""/api/v1/consultants/: the member directory, profiles, status, and a member's skills and
time away."""

import datetime
from decimal import Decimal

import pytest

from network.models import (
    Consultant,
    ConsultantSkill,
    ConsultantStatusChange,
    Language,
    TimeAway,
    User,
)
from network.services import languages_ensure
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
    TimeAwayFactory,
)
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db

CONSULTANTS = "/api/v1/consultants/"


def detail_url(consultant) -> str:
    return f"{CONSULTANTS}{consultant.pk}/"


@pytest.fixture
def directory(db):
    """Thirty active members, each with three skills, two languages and a group."""
    languages_ensure()
    skills = SkillFactory.create_batch(5)
    group = ConsultantGroupFactory()
    languages = list(Language.objects.filter(code__in=["en", "es"]))
    consultants = ConsultantFactory.create_batch(30)
    for index, consultant in enumerate(consultants):
        for offset in range(3):
            ConsultantSkillFactory(
                consultant=consultant, skill=skills[(index + offset) % 5], level=offset + 1
            )
        consultant.languages.add(*languages)
    group.members.add(*consultants)
    return consultants


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


# --- Editing a profile ---------------------------------------------------------------------


def test_member_edits_own_profile_and_languages(api_as, member):
    languages_ensure()

    response = api_as(member).patch(
        detail_url(member.consultant),
        {"display_name": "New name", "languages": ["es", "vi"], "hourly_rate": "110.00"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["languages"] == ["es", "vi"]  # Spanish, Vietnamese: by name
    consultant = Consultant.objects.get(pk=member.consultant.pk)
    assert consultant.display_name == "New name"
    assert consultant.hourly_rate == Decimal("110.00")
    assert set(consultant.languages.values_list("code", flat=True)) == {"es", "vi"}


def test_staff_coordinator_edits_someone_elses_profile(api_as, intake_coordinator, member):
    response = api_as(intake_coordinator).patch(
        detail_url(member.consultant), {"capacity_hours_per_week": 5}, format="json"
    )

    assert response.status_code == 200
    assert Consultant.objects.get(pk=member.consultant.pk).capacity_hours_per_week == 5


def test_member_cannot_edit_someone_elses_profile(api_as, member, other_member):
    response = api_as(member).patch(
        detail_url(other_member.consultant), {"display_name": "Hijacked"}, format="json"
    )

    assert response.status_code == 403
    assert other_member.consultant.display_name != "Hijacked"
    assert Consultant.objects.filter(display_name="Hijacked").count() == 0


def test_put_needs_the_display_name(api_as, member):
    response = api_as(member).put(detail_url(member.consultant), {"bio": "x"}, format="json")

    assert response.status_code == 400
    assert "display_name" in response.json()


def _unchanged(consultant: Consultant) -> tuple:
    consultant.refresh_from_db()
    return (
        consultant.display_name,
        consultant.hourly_rate,
        consultant.timezone,
        consultant.status,
        tuple(consultant.languages.values_list("code", flat=True)),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hourly_rate": "-5.00"}, "hourly_rate"),
        ({"languages": ["es", "xx"]}, "languages"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"currency": "dollars"}, "currency"),
        ({"capacity_hours_per_week": 200}, "capacity_hours_per_week"),
        ({"status": "active"}, "status"),
    ],
)
def test_bad_profile_input_is_400_and_changes_nothing(api_as, member, change, field):
    languages_ensure()
    consultant = member.consultant
    before = _unchanged(consultant)

    response = api_as(member).patch(
        detail_url(consultant), {"display_name": "Changed", **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert _unchanged(consultant) == before


# --- Opening a member record ---------------------------------------------------------------


def test_staff_coordinator_opens_an_applicant_record(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "new@members.test", "display_name": "New member", "location": "Berkeley, CA"},
        format="json",
    )

    assert response.status_code == 201, response.content
    consultant = Consultant.objects.get(pk=response.json()["id"])
    assert consultant.user.email == "new@members.test"
    assert consultant.status == Consultant.Status.APPLICANT
    history = consultant.status_changes.get()
    assert history.to_status == "applicant" and history.changed_by == intake_coordinator


def test_community_coordinator_opens_a_record_with_a_status(api_as, community_coordinator):
    response = api_as(community_coordinator).post(
        CONSULTANTS,
        {"email": "joined@members.test", "display_name": "Joined", "status": "active"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_intake_coordinator_may_not_set_a_status_when_opening_a_record(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "joined@members.test", "display_name": "Joined", "status": "active"},
        format="json",
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="joined@members.test").exists()


def test_duplicate_email_is_400_on_email(api_as, intake_coordinator, member):
    count = Consultant.objects.count()

    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": member.email.upper(), "display_name": "Twin"},
        format="json",
    )

    assert response.status_code == 400
    assert "already exists" in str(response.json()["email"])
    assert Consultant.objects.count() == count


def test_bad_rate_when_opening_a_record_writes_no_account(api_as, intake_coordinator):
    users = User.objects.count()

    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "x@members.test", "display_name": "X", "hourly_rate": "-1"},
        format="json",
    )

    assert response.status_code == 400
    assert "hourly_rate" in response.json()
    assert User.objects.count() == users


# --- Status --------------------------------------------------------------------------------


def test_community_coordinator_changes_status_with_a_reason(api_as, community_coordinator, member):
    response = api_as(community_coordinator).post(
        f"{detail_url(member.consultant)}status/",
        {"status": "on_leave", "reason": "Sabbatical"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "on_leave"
    change = ConsultantStatusChange.objects.filter(consultant=member.consultant).first()
    assert (change.from_status, change.to_status) == ("active", "on_leave")
    assert change.reason == "Sabbatical" and change.changed_by == community_coordinator


def test_member_cannot_change_own_status(api_as, member):
    response = api_as(member).post(
        f"{detail_url(member.consultant)}status/", {"status": "alumni"}, format="json"
    )

    assert response.status_code == 403
    assert Consultant.objects.get(pk=member.consultant.pk).status == "active"


def test_unknown_status_is_400(api_as, community_coordinator, member):
    response = api_as(community_coordinator).post(
        f"{detail_url(member.consultant)}status/", {"status": "emeritus"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()


# --- A member's skills ---------------------------------------------------------------------


def skills_url(consultant) -> str:
    return f"{detail_url(consultant)}skills/"


@pytest.mark.parametrize("term", ["postgresql", "PostgreSQL", "Postgres", "postgres "])
def test_member_adds_a_skill_by_slug_name_or_alias(api_as, member, term):
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")

    response = api_as(member).post(
        skills_url(member.consultant),
        {"skill": term, "level": 4, "years": 6, "note": "Replication"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "skill": "postgresql",
        "name": "PostgreSQL",
        "level": 4,
        "years": 6,
        "note": "Replication",
    }
    assert member.consultant.skills.get().skill == postgres


def test_adding_a_skill_again_changes_its_level(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant, level=2)

    response = api_as(member).post(
        skills_url(member.consultant), {"skill": entry.skill.slug, "level": 5}, format="json"
    )

    assert response.status_code == 201
    assert ConsultantSkill.objects.get(pk=entry.pk).level == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skill": "no such thing", "level": 3}, "skill"),
        ({"skill": "django", "level": 6}, "level"),
        ({"skill": "django", "level": 0}, "level"),
        ({"skill": "django", "level": 3, "years": 99}, "years"),
    ],
)
def test_bad_skill_entry_is_400_and_writes_nothing(api_as, member, body, field):
    SkillFactory(name="Django", slug="django")

    response = api_as(member).post(skills_url(member.consultant), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ConsultantSkill.objects.exists()


def test_put_sets_the_level_of_a_skill_named_in_the_url(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant, level=2)

    response = api_as(member).put(
        f"{skills_url(member.consultant)}{entry.skill.slug}/",
        {"level": 3, "note": "Teaching it"},
        format="json",
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.level, entry.note) == (3, "Teaching it")


def test_delete_removes_a_skill_from_the_profile(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant)
    url = f"{skills_url(member.consultant)}{entry.skill.slug}/"
    client = api_as(member)

    assert client.delete(url).status_code == 204
    assert not ConsultantSkill.objects.filter(pk=entry.pk).exists()
    assert client.delete(url).status_code == 404


def test_member_cannot_change_someone_elses_skills(api_as, member, other_member):
    skill = SkillFactory()

    response = api_as(member).post(
        skills_url(other_member.consultant), {"skill": skill.slug, "level": 5}, format="json"
    )

    assert response.status_code == 403
    assert not ConsultantSkill.objects.exists()


def test_skill_list_query_count(api_as, member, directory, django_assert_max_num_queries):
    client = api_as(member)
    # 1 roles, 2 member record, 3 group coordinator check, 4 the gate's lookup of the member,
    # 5 their skills joined to the skill.
    with django_assert_max_num_queries(5):
        response = client.get(skills_url(directory[0]))

    assert len(response.json()) == 3


# --- Time away -----------------------------------------------------------------------------


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
