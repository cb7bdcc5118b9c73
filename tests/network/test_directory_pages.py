"""The member directory and a member's page: filters, paging, what each card and page shows,
whose rates each viewer sees, and how many queries each costs."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Consultant, Language
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
    TimeAwayFactory,
)
from tests.helpers import consultant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]


# --- The directory --------------------------------------------------------------------------


@pytest.fixture
def directory(member):
    """Three members with distinct skills, languages, groups and time away."""
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")
    wordpress = SkillFactory(name="WordPress", slug="wordpress")
    group = ConsultantGroupFactory(name="Data and CRM", slug="data-crm")
    spanish = Language.objects.get(code="es")

    database = ConsultantFactory(display_name="Database Member", remote_ok=False)
    ConsultantSkillFactory(consultant=database, skill=postgres, level=5)
    database.languages.add(spanish)
    group.members.add(database)

    web = ConsultantFactory(display_name="Web Member", location="Berkeley, CA")
    ConsultantSkillFactory(consultant=web, skill=wordpress, level=4)
    ConsultantSkillFactory(consultant=web, skill=postgres, level=2)
    today = timezone.localdate()
    TimeAwayFactory(consultant=web, start=today, end=today + datetime.timedelta(days=7))

    alumnus = ConsultantFactory(display_name="Alumni Member", status=Consultant.Status.ALUMNI)
    return {"database": database, "web": web, "alumnus": alumnus, "today": today}


def names_listed(response) -> set[str]:
    return {entry.consultant.display_name for entry in response.context["entries"]}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"skill": "PostgreSQL"}, {"Database Member", "Web Member"}),
        ({"skill": "postgres"}, {"Database Member", "Web Member"}),
        ({"skill": "postgres", "min_level": "4"}, {"Database Member"}),
        ({"skill": "wordpress"}, {"Web Member"}),
        ({"language": "es"}, {"Database Member"}),
        ({"group": "data-crm"}, {"Database Member"}),
        ({"remote_ok": "false"}, {"Database Member"}),
        ({"search": "berkeley"}, {"Web Member"}),
        ({"status": ["alumni"]}, {"Alumni Member"}),
    ],
)
def test_directory_filters(client, signed_in, member, directory, query, expected):
    signed_in(member)
    response = client.get(reverse("member-list"), query)
    assert response.status_code == 200
    assert names_listed(response) == expected


def test_directory_available_on_leaves_out_members_who_are_away(
    client, signed_in, member, directory
):
    signed_in(member)
    response = client.get(reverse("member-list"), {"available_on": directory["today"]})
    listed = names_listed(response)
    assert "Database Member" in listed
    assert "Web Member" not in listed and "Alumni Member" not in listed


def test_directory_with_an_unreadable_filter_shows_the_error_and_no_one(
    client, signed_in, member, directory
):
    signed_in(member)
    response = client.get(reverse("member-list"), {"available_on": "2024-13-45"})
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert b"Some filters could not be read" in response.content
    assert b'href="#id_available_on"' in response.content


def test_directory_filter_labels_are_in_each_visitor_language(signed_in, member, directory):
    """The filters' form is made once per process (network.filters.StaticFormFilterSet): its
    labels must still follow the language of whoever reads the page, not the first reader's."""
    client = signed_in(member)
    english = client.get(reverse("member-list")).content.decode()
    member.language = "es"
    member.save(update_fields=["language"])

    spanish = client.get(reverse("member-list")).content.decode()

    assert ">Skill<" in english and ">Status<" in english
    assert ">Habilidad<" in spanish and ">Situación<" in spanish
    assert ">Skill<" not in spanish


def test_directory_empty_state_offers_a_reset(client, signed_in, member, directory):
    signed_in(member)
    response = client.get(reverse("member-list"), {"skill": "COBOL"})
    assert b"No members match these filters" in response.content
    assert b'class="button button-secondary" href="/members/">Reset filters' in response.content


def test_directory_cards_show_status_location_languages_skills_and_groups(
    client, signed_in, member, directory
):
    signed_in(member)
    page = client.get(reverse("member-list"), {"group": "data-crm"}).content.decode()
    assert "Database Member" in page
    assert "Active" in page and "San Francisco, CA" in page and "Spanish" in page
    assert "PostgreSQL" in page and "5/5" in page and "Data and CRM" in page


def test_directory_pages_by_25_and_keeps_filters_in_page_links(client, signed_in, member):
    skill = SkillFactory(name="Networking", slug="networking")
    for _ in range(30):
        ConsultantSkillFactory(skill=skill, level=3)
    signed_in(member)
    first = client.get(reverse("member-list"), {"skill": "networking"})
    assert len(first.context["entries"]) == 25
    assert b"Showing 1\xe2\x80\x9325 of 30 members." in first.content
    assert b'href="?skill=networking&amp;page=2"' in first.content
    second = client.get(reverse("member-list"), {"skill": "networking", "page": "2"})
    assert len(second.context["entries"]) == 5


def test_directory_answers_htmx_with_the_results_only(client, signed_in, member, directory):
    signed_in(member)
    response = client.get(
        reverse("member-list"), {"skill": "wordpress"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="directory-status" hx-swap-oob="innerHTML"' in response.content
    assert b"Web Member" in response.content
    assert "HX-Request" in response["Vary"]


def test_directory_page_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    signed_in(member)
    # 1 session, 2 user, 3 the viewer's role groups, 4 the viewer's member record,
    # 5 whether the viewer coordinates a group (context processor), 6 count, 7 the page of
    # members, 8 their skills with the skill, 9 their languages, 10 their groups,
    # 11 language and 12 group choices of the filter form, 13 skill names for the datalist,
    # 14 the navigation's counts (network.desk).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("member-list"))
    assert len(response.context["entries"]) == 25
    # Filtering adds one query per model choice read from the address: the group, the language.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("member-list"), {"group": "big-group", "language": "en"})
    assert len(response.context["entries"]) == 25


def test_member_page_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    signed_in(member)
    # 1-5 session, user, roles, own record, group coordinator (as for the directory),
    # 6 the member through the access gate, 7 skills, 8 time away, 9 covering for others,
    # 10 languages, 11 groups, 12 the navigation's counts (network.desk).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("member-detail", args=[thirty_members[0].pk]))
    assert response.status_code == 200


# --- Rates ----------------------------------------------------------------------------------


def test_members_do_not_see_each_others_rates(client, signed_in, member, other_member):
    other = consultant(other_member)
    services.consultant_update(consultant=other, hourly_rate=Decimal("123.45"))
    signed_in(member)
    assert b"123.45" not in client.get(reverse("member-list")).content
    assert b"123.45" not in client.get(reverse("member-detail", args=[other.pk])).content


def test_members_see_their_own_rate_and_coordinators_see_everyones(
    client, signed_in, member, intake_coordinator
):
    own = consultant(member)
    services.consultant_update(consultant=own, hourly_rate=Decimal("111.11"))
    signed_in(member)
    assert b"111.11" in client.get(reverse("member-detail", args=[own.pk])).content
    signed_in(intake_coordinator)
    assert b"111.11" in client.get(reverse("member-list")).content
    assert b"111.11" in client.get(reverse("member-detail", args=[own.pk])).content


def test_group_coordinators_see_rates(client, signed_in, member, group_coordinator):
    services.consultant_update(consultant=consultant(member), hourly_rate=Decimal("99.99"))
    signed_in(group_coordinator)
    assert b"99.99" in client.get(reverse("member-list")).content


# --- A member's page ------------------------------------------------------------------------


def test_member_detail_shows_skills_groups_time_away_and_cover(
    client, signed_in, member, other_member
):
    subject = consultant(other_member)
    services.consultant_update(consultant=subject, website="https://subject.test")
    ConsultantSkillFactory(
        consultant=subject,
        skill=SkillFactory(name="CiviCRM"),
        level=4,
        years=6,
        note="Mostly for unions",
    )
    group = ConsultantGroupFactory(name="CRM group")
    group.members.add(subject)
    today = timezone.localdate()
    TimeAwayFactory(
        consultant=subject,
        start=today + datetime.timedelta(days=3),
        end=today + datetime.timedelta(days=9),
        note="Family visit",
        covering=consultant(member),
    )
    TimeAwayFactory(
        consultant=subject,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=20),
        note="Long past",
    )
    signed_in(member)
    page = client.get(reverse("member-detail", args=[subject.pk])).content.decode()
    assert "CiviCRM" in page and "4 · advanced" in page and "6 years of practice" in page
    assert "Mostly for unions" in page and "CRM group" in page
    cover_link = f'Covered by <a href="/members/{consultant(member).pk}/"'
    assert "Family visit" in page and cover_link in page
    assert "Long past" not in page
    assert 'href="https://subject.test"' in page


def test_rates_read_like_money(client, signed_in, member, intake_coordinator):
    own = consultant(member)
    services.consultant_update(consultant=own, hourly_rate=Decimal("1250"))
    signed_in(intake_coordinator)
    assert "USD\u00a01,250.00 an hour" in client.get(reverse("member-list")).content.decode()
    detail = client.get(reverse("member-detail", args=[own.pk])).content.decode()
    assert "USD\u00a01,250.00 an hour" in detail
