"""One's own profile page: the editor, a member's skills and time away, and what a refused
change leaves behind (nothing)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Consultant, ConsultantSkill, TimeAway
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
    TimeAwayFactory,
)
from tests.helpers import consultant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]


def test_profile_editor_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    ConsultantSkillFactory.create_batch(5, consultant=consultant(member))
    signed_in(member)
    # 1 session, 2 user, 3 own record, 4 roles, 5 group coordinator, 6 own record through the
    # access gate, 7 skills, 8 own languages, 9 language choices, 10 skill names,
    # 11 time away, 12 members who could cover, 13 the navigation's counts (network.desk),
    # 14 this year's free service pledge.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("my-profile"))
    assert len(response.context["skill_rows"]) == 5


# --- Editing one's own profile --------------------------------------------------------------

PROFILE = {
    "profile-display_name": "Renamed Member",
    "profile-bio": "Databases for small nonprofits.",
    "profile-website": "https://renamed.test",
    "profile-location": "Oakland, CA",
    "profile-timezone": "America/Chicago",
    "profile-remote_ok": "on",
    "profile-languages": ["en", "es"],
    "profile-hourly_rate": "105.50",
    "profile-currency": "usd",
    "profile-sliding_scale": "on",
    "profile-pro_bono_hours_per_month": "4",
    "profile-capacity_hours_per_week": "15",
}


def test_profile_edit_persists_and_redirects_with_a_message(client, signed_in, member):
    signed_in(member)
    response = client.post(reverse("my-profile"), PROFILE, follow=True)
    assert response.redirect_chain == [(reverse("my-profile"), 302)]
    assert b"Your profile is saved." in response.content
    saved = consultant(member)
    assert saved.display_name == "Renamed Member"
    assert saved.hourly_rate == Decimal("105.50") and saved.currency == "USD"
    assert saved.timezone == "America/Chicago" and saved.sliding_scale
    assert saved.capacity_hours_per_week == 15 and saved.pro_bono_hours_per_month == 4
    assert sorted(saved.languages.values_list("code", flat=True)) == ["en", "es"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("hourly_rate", "-5"),
        ("hourly_rate", "lots"),
        ("timezone", "Mars/Olympus_Mons"),
        ("currency", "US1"),
        ("capacity_hours_per_week", "81"),
        ("pro_bono_hours_per_month", "201"),
        ("display_name", ""),
        ("website", "not a url"),
        ("languages", ["xx"]),
    ],
)
def test_profile_edit_with_bad_input_shows_an_error_and_writes_nothing(
    client, signed_in, member, field, value
):
    before = consultant(member)
    signed_in(member)
    response = client.post(reverse("my-profile"), {**PROFILE, f"profile-{field}": value})
    assert response.status_code == 200
    assert f'href="#id_profile-{field}"'.encode() in response.content
    assert f'id="id_profile-{field}_error"'.encode() in response.content
    after = consultant(member)
    assert after.display_name == before.display_name
    assert after.hourly_rate == before.hourly_rate and after.updated_at == before.updated_at
    assert not after.languages.exists()


@pytest.fixture
def skills():
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")
    return {"postgres": postgres, "wordpress": SkillFactory(name="WordPress", slug="wordpress")}


@pytest.mark.parametrize("typed", ["PostgreSQL", "postgresql", "postgres", " Postgres "])
def test_adding_a_skill_by_name_or_alias(client, signed_in, member, skills, typed):
    signed_in(member)
    response = client.post(
        reverse("my-skill-add"),
        {"new-skill-skill": typed, "new-skill-level": "4", "new-skill-years": "7"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my-profile") + "#skills"
    entry = ConsultantSkill.objects.get(consultant__user=member)
    assert (entry.skill, entry.level, entry.years) == (skills["postgres"], 4, 7)


@pytest.mark.parametrize(
    "field,value",
    [("skill", "Quantum basket weaving"), ("level", "6"), ("level", ""), ("years", "-1")],
)
def test_adding_a_skill_with_bad_input_shows_an_error_and_writes_nothing(
    client, signed_in, member, skills, field, value
):
    signed_in(member)
    post = {"new-skill-skill": "WordPress", "new-skill-level": "3", f"new-skill-{field}": value}
    response = client.post(reverse("my-skill-add"), post)
    assert response.status_code == 200
    assert f'href="#id_new-skill-{field}"'.encode() in response.content
    assert not ConsultantSkill.objects.exists()


def test_changing_and_removing_a_skill(client, signed_in, member, skills):
    own = consultant(member)
    ConsultantSkillFactory(consultant=own, skill=skills["wordpress"], level=2, note="Themes")
    signed_in(member)
    update = reverse("my-skill-update", args=[skills["wordpress"].pk])
    prefix = f"skill-{skills['wordpress'].pk}"
    response = client.post(update, {f"{prefix}-level": "5", f"{prefix}-note": "Themes, plugins"})
    assert response.status_code == 302
    entry = ConsultantSkill.objects.get(consultant=own)
    assert (entry.level, entry.note) == (5, "Themes, plugins")

    refused = client.post(update, {f"{prefix}-level": "6"})
    assert refused.status_code == 200
    assert f'id="id_{prefix}-level_error"'.encode() in refused.content
    assert ConsultantSkill.objects.get(consultant=own).level == 5

    remove = reverse("my-skill-remove", args=[skills["wordpress"].pk])
    assert client.post(remove).status_code == 302
    assert not ConsultantSkill.objects.filter(consultant=own).exists()


def test_a_member_cannot_change_a_skill_that_is_not_on_their_profile(
    client, signed_in, member, other_member, skills
):
    ConsultantSkillFactory(consultant=consultant(other_member), skill=skills["wordpress"])
    signed_in(member)
    pk = skills["wordpress"].pk
    update = client.post(reverse("my-skill-update", args=[pk]), {f"skill-{pk}-level": "1"})
    assert update.status_code == 404
    assert client.post(reverse("my-skill-remove", args=[pk])).status_code == 404
    assert ConsultantSkill.objects.get().level == 3


def test_adding_and_deleting_time_away_with_cover(client, signed_in, member, other_member):
    today = timezone.localdate()
    start, end = today + datetime.timedelta(days=10), today + datetime.timedelta(days=14)
    signed_in(member)
    response = client.post(
        reverse("my-time-away-add"),
        {
            "away-start": start.isoformat(),
            "away-end": end.isoformat(),
            "away-note": "Conference",
            "away-covering": consultant(other_member).pk,
        },
    )
    assert response.status_code == 302
    away = TimeAway.objects.get(consultant__user=member)
    assert (away.start, away.end, away.covering) == (start, end, consultant(other_member))
    assert b"Conference" in client.get(reverse("my-profile")).content

    assert client.post(reverse("my-time-away-delete", args=[away.pk])).status_code == 302
    assert not TimeAway.objects.exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"away-end": "2030-01-01", "away-start": "2030-01-05"}, "end"),
        ({"away-start": "someday"}, "start"),
        ({"away-covering": "self"}, "covering"),
    ],
)
def test_time_away_with_bad_input_shows_an_error_and_writes_nothing(
    client, signed_in, member, change, field
):
    if change.get("away-covering") == "self":
        change = {"away-covering": consultant(member).pk}
    signed_in(member)
    post = {"away-start": "2030-01-05", "away-end": "2030-01-09", **change}
    response = client.post(reverse("my-time-away-add"), post)
    assert response.status_code == 200
    assert f'href="#id_away-{field}"'.encode() in response.content
    assert not TimeAway.objects.exists()


def test_a_member_cannot_delete_someone_elses_time_away(client, signed_in, member, other_member):
    away = TimeAwayFactory(consultant=consultant(other_member))
    signed_in(member)
    assert client.post(reverse("my-time-away-delete", args=[away.pk])).status_code == 404
    assert TimeAway.objects.filter(pk=away.pk).exists()


def test_profile_page_offers_only_working_members_as_cover(client, signed_in, member):
    active = ConsultantFactory(display_name="Active Colleague")
    ConsultantFactory(display_name="Alumni Colleague", status=Consultant.Status.ALUMNI)
    signed_in(member)
    form = client.get(reverse("my-profile")).context["time_away_form"]
    offered = set(form.fields["covering"].queryset)
    assert active in offered
    assert consultant(member) not in offered
    assert all(choice.status in Consultant.WORKING_STATUSES for choice in offered)


def test_a_coordinator_without_a_member_record_has_no_profile_to_edit(
    client, signed_in, community_coordinator
):
    """The editor always loads the signed-in user's own record: there is no pk to swap."""
    signed_in(community_coordinator)
    response = client.get(reverse("my-profile"))
    assert response.status_code == 200
    assert b"You have no member profile" in response.content
