"""The HTML pages: who may open each one, what it shows, and what its forms write."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import (
    Consultant,
    ConsultantSkill,
    Language,
    MembershipApplication,
    TimeAway,
    User,
)
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
    TimeAwayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _languages(db):
    services.languages_ensure()


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        # Reload: UserFactory leaves a password hash in memory that was never saved, and a
        # session made from that hash would not match the stored user.
        client.force_login(User.objects.get(pk=user.pk))
        return client

    return sign_in


def consultant(user) -> Consultant:
    return Consultant.objects.get(user=user)


PASSWORD = "correct horse battery"


def with_password(user):
    # UserFactory sets the password after saving and skips the second save, so set it here.
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


# --- Public pages ---------------------------------------------------------------------------


def test_home_page_is_public_and_leads_to_request_help(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'<a class="skip-link" href="#main">' in response.content
    assert f'href="{reverse("request-help")}"'.encode() in response.content
    assert b"Sign in" in response.content and b"Sign out" not in response.content


def test_request_help_page_shows_the_intake_email(client, settings):
    settings.INTAKE_EMAIL = "intake@alliance.test"
    response = client.get(reverse("request-help"))
    assert response.status_code == 200
    assert b"mailto:intake@alliance.test" in response.content


def test_request_help_page_falls_back_to_the_default_from_address(client, settings):
    if hasattr(settings, "INTAKE_EMAIL"):
        del settings.INTAKE_EMAIL
    settings.DEFAULT_FROM_EMAIL = "desk@alliance.test"
    response = client.get(reverse("request-help"))
    assert b"mailto:desk@alliance.test" in response.content


def test_public_pages_refuse_other_methods(client):
    assert client.post(reverse("home")).status_code == 405
    # /request/ is the intake form now (tests/intake/test_pages.py); it refuses other methods.
    assert client.put(reverse("request-help")).status_code == 405


# --- Joining --------------------------------------------------------------------------------

APPLICATION = {
    "name": "Applicant One",
    "email": "applicant.one@applicants.test",
    "website": "https://applicant-one.test",
    "location": "Oakland, CA",
    "statement": "Eight years supporting food banks' donor databases.",
    "skills": "Salesforce, WordPress",
    "fax": "",
}


def test_join_form_renders_for_anyone(client):
    response = client.get(reverse("join"))
    assert response.status_code == 200
    assert b'name="statement"' in response.content
    assert b'class="hp-field" aria-hidden="true"' in response.content


def test_join_form_creates_an_application_and_thanks(client):
    response = client.post(reverse("join"), APPLICATION)
    assert response.status_code == 302
    assert response["Location"] == reverse("join-thanks")
    application = MembershipApplication.objects.get()
    assert application.email == APPLICATION["email"]
    assert application.skills_text == "Salesforce, WordPress"
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert client.get(reverse("join-thanks")).status_code == 200


def test_join_form_with_the_honeypot_filled_keeps_nothing_and_looks_the_same(client):
    response = client.post(reverse("join"), {**APPLICATION, "fax": "+1 555 0100"})
    assert response.status_code == 302
    assert response["Location"] == reverse("join-thanks")
    assert not MembershipApplication.objects.exists()


def test_join_form_with_a_bad_email_shows_the_error_and_keeps_nothing(client):
    response = client.post(reverse("join"), {**APPLICATION, "email": "not-an-address"})
    assert response.status_code == 200
    assert b"data-error-summary" in response.content
    assert b'href="#id_email"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert not MembershipApplication.objects.exists()


# --- Sign in and out ------------------------------------------------------------------------


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'autocomplete="current-password"' in response.content


def test_sign_in_with_a_wrong_password_explains_the_problem(client, member):
    with_password(member)
    response = client.post(
        reverse("login"), {"username": member.username, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert b"You are not signed in" in response.content
    assert b"correct username and password" in response.content


def test_sign_in_then_return_to_the_page_asked_for(client, member):
    with_password(member)
    response = client.post(
        reverse("login"),
        {
            "username": member.username,
            "password": PASSWORD,
            "next": reverse("member-list"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("member-list")


def test_sign_out_is_a_post_with_csrf(client, member, signed_in):
    signed_in(member)
    page = client.get(reverse("home"))
    assert b'action="/accounts/logout/"' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_navigation_shows_admin_only_to_staff(client, member, admin, signed_in):
    signed_in(member)
    page = client.get(reverse("home")).content
    assert b"Directory" in page and b"My profile" in page and b">Admin<" not in page
    signed_in(admin)
    assert b">Admin<" in client.get(reverse("home")).content


# --- Who may open the member pages ----------------------------------------------------------


@pytest.mark.parametrize(
    "name,args", [("member-list", []), ("member-detail", ["pk"]), ("my-profile", [])]
)
def test_member_pages_send_anonymous_visitors_to_sign_in(client, other_member, name, args):
    path = reverse(name, args=[consultant(other_member).pk if arg == "pk" else arg for arg in args])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize("status", ["applicant", "former"])
def test_directory_refuses_people_who_are_not_members(client, signed_in, status):
    outsider = ConsultantFactory(status=status).user
    signed_in(outsider)
    assert client.get(reverse("member-list")).status_code == 403
    target = ConsultantFactory()
    assert client.get(reverse("member-detail", args=[target.pk])).status_code == 403


def test_directory_refuses_an_account_without_a_member_record(client, signed_in):
    signed_in(UserFactory())
    response = client.get(reverse("member-list"))
    assert response.status_code == 403
    assert b"members of the alliance only" in response.content


@pytest.mark.parametrize("status", ["active", "probation", "on_leave", "alumni"])
def test_directory_opens_for_members(client, signed_in, status):
    signed_in(ConsultantFactory(status=status).user)
    assert client.get(reverse("member-list")).status_code == 200


def test_directory_opens_for_a_role_holder_without_a_member_record(
    client, signed_in, community_coordinator
):
    signed_in(community_coordinator)
    assert client.get(reverse("member-list")).status_code == 200


def test_member_detail_hides_applicants_from_members_but_not_from_coordinators(
    client, signed_in, member, intake_coordinator
):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)
    path = reverse("member-detail", args=[applicant.pk])
    signed_in(member)
    assert client.get(path).status_code == 404
    signed_in(intake_coordinator)
    assert client.get(path).status_code == 200


def test_member_detail_of_a_missing_member_is_404(client, signed_in, member):
    signed_in(member)
    assert client.get(reverse("member-detail", args=[999_999])).status_code == 404


def test_profile_page_explains_when_the_account_has_no_member_record(client, signed_in):
    signed_in(UserFactory())
    response = client.get(reverse("my-profile"))
    assert response.status_code == 200
    assert b"You have no member profile" in response.content


def test_profile_page_refuses_a_former_member(client, signed_in):
    signed_in(ConsultantFactory(status=Consultant.Status.FORMER).user)
    response = client.get(reverse("my-profile"))
    assert response.status_code == 403
    assert b"Your membership is not active" in response.content


def test_profile_editor_opens_for_a_member(client, signed_in, member):
    signed_in(member)
    response = client.get(reverse("my-profile"))
    assert response.status_code == 200
    assert consultant(member).display_name.encode() in response.content


@pytest.mark.parametrize(
    "name,args",
    [
        ("my-skill-add", []),
        ("my-skill-update", [1]),
        ("my-skill-remove", [1]),
        ("my-time-away-add", []),
        ("my-time-away-delete", [1]),
    ],
)
def test_profile_actions_accept_only_signed_in_posts(client, signed_in, member, name, args):
    path = reverse(name, args=args)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)
    signed_in(member)
    assert client.get(path).status_code == 405


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


@pytest.fixture
def thirty_members():
    """30 members, each with 3 skills, a language and a group: more than one page."""
    skills = [SkillFactory() for _ in range(3)]
    group = ConsultantGroupFactory(slug="big-group")
    english = Language.objects.get(code="en")
    members = []
    for _ in range(30):
        entry = ConsultantFactory()
        entry.languages.add(english)
        group.members.add(entry)
        for skill in skills:
            ConsultantSkillFactory(consultant=entry, skill=skill)
        members.append(entry)
    return members


def test_directory_page_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    signed_in(member)
    # 1 session, 2 user, 3 the viewer's role groups, 4 the viewer's member record,
    # 5 whether the viewer coordinates a group (context processor), 6 count, 7 the page of
    # members, 8 their skills with the skill, 9 their languages, 10 their groups,
    # 11 language and 12 group choices of the filter form, 13 skill names for the datalist.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("member-list"))
    assert len(response.context["entries"]) == 25
    # Filtering adds one query per model choice read from the address: the group, the language.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("member-list"), {"group": "big-group", "language": "en"})
    assert len(response.context["entries"]) == 25


def test_member_page_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    signed_in(member)
    # 1-5 session, user, roles, own record, group coordinator (as for the directory),
    # 6 the member through the access gate, 7 skills, 8 time away, 9 covering for others,
    # 10 languages, 11 groups.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("member-detail", args=[thirty_members[0].pk]))
    assert response.status_code == 200


def test_profile_editor_makes_a_bounded_number_of_queries(
    client, signed_in, member, thirty_members, django_assert_max_num_queries
):
    ConsultantSkillFactory.create_batch(5, consultant=consultant(member))
    signed_in(member)
    # 1 session, 2 user, 3 own record, 4 roles, 5 group coordinator, 6 own record through the
    # access gate, 7 skills, 8 own languages, 9 language choices, 10 skill names,
    # 11 time away, 12 members who could cover.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("my-profile"))
    assert len(response.context["skill_rows"]) == 5


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
