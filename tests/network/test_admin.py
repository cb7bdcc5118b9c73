"""Django admin: every page answers in a bounded number of queries, status moves go through the
services (with who and why), application moves report refusals, and history is read-only."""

import datetime

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse

from network.applications import application_start_review
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ConsultantStatusChange,
    ExternalProfessional,
    Language,
    MembershipApplication,
    Skill,
    SkillAlias,
    TimeAway,
    User,
)
from network.services import (
    consultant_create,
    consultant_set_status,
    consultant_skill_set,
    skill_alias_add,
    time_away_save,
)
from tests.factories import (
    ConsultantGroupFactory,
    ExternalProfessionalFactory,
    MembershipApplicationFactory,
    SkillFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    Language,
    Skill,
    SkillAlias,
    Consultant,
    ConsultantStatusChange,
    ConsultantSkill,
    TimeAway,
    ConsultantGroup,
    MembershipApplication,
    ExternalProfessional,
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:network_{model._meta.model_name}_{view}", args=args)


def populate(count: int, actor) -> None:
    """``count`` rows of every network model, linked the way real data is."""
    existing = Consultant.objects.count()
    for n in range(existing, existing + count):
        skill = SkillFactory()
        skill_alias_add(skill=skill, alias=f"{skill.name} alias")
        consultant = consultant_create(
            email=f"c{n}@members.test",
            display_name=f"Consultant {n}",
            status=Consultant.Status.PROBATION,
            actor=actor,
            languages=["en", "es"],
        )
        consultant_set_status(consultant=consultant, status=Consultant.Status.ACTIVE, actor=actor)
        consultant_skill_set(consultant=consultant, skill=skill, level=3)
        start = datetime.date(2030, 1, 1) + datetime.timedelta(days=n)
        time_away_save(consultant=consultant, start=start, end=start, covering=None)
        group = ConsultantGroupFactory(coordinator=consultant)
        group.members.add(consultant)
        group.focus_skills.add(skill)
        application_start_review(application=MembershipApplicationFactory(), actor=actor)
        ExternalProfessionalFactory().skills.add(skill)


def sign_in(client, user):
    # UserFactory sets the password after saving and does not save again: reload the stored
    # hash so that the session's password hash matches the database.
    user.refresh_from_db()
    client.force_login(user)
    return client


@pytest.fixture
def signed_in(client, admin):
    return sign_in(client, admin)


# --- Pages and their cost ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_costs_the_same_for_two_rows_or_twelve(signed_in, admin, model):
    populate(2, admin)
    few = count_queries(signed_in, url(model, "changelist"))
    populate(10, admin)
    many = count_queries(signed_in, url(model, "changelist"))
    assert many == few


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_answers_in_a_bounded_number_of_queries(
    signed_in, admin, model, django_assert_max_num_queries
):
    populate(3, admin)
    target = model.objects.order_by("pk").last()
    # The largest is a member's page (12): session, user, the member, their languages, status
    # history, skills and time away (one query per inline, related rows joined), the content
    # type for "view on site", then one query per autocomplete widget to show its current value
    # (user, languages, and each skill row's skill: one row here).
    with django_assert_max_num_queries(15):
        response = signed_in.get(url(model, "change", target.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in MODELS if m is not ConsultantStatusChange], ids=lambda m: m.__name__
)
def test_add_page_answers(signed_in, model):
    assert signed_in.get(url(model, "add")).status_code == 200


def test_consultant_search_covers_name_email_and_location(signed_in, admin):
    populate(3, admin)
    response = signed_in.get(url(Consultant, "changelist"), {"q": "c1@members.test"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [
        Consultant.objects.get(display_name="Consultant 1")
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"status__exact": "active"},
        {"remote_ok__exact": "1"},
        {"sliding_scale__exact": "0"},
        {"languages__code__exact": "es"},
    ],
)
def test_consultant_filters_answer(signed_in, admin, query):
    populate(2, admin)
    response = signed_in.get(url(Consultant, "changelist"), query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


# --- Member status: only through the actions, with who and why --------------------------------


def run_action(client, model, action: str, objects, reason: str = ""):
    return client.post(
        url(model, "changelist"),
        {
            "action": action,
            "_selected_action": [obj.pk for obj in objects],
            "reason": reason,
            "index": 0,
        },
    )


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]  # None when no action is offered at all
    return set() if form is None else {name for name, _ in form.fields["action"].choices}


def test_status_is_not_an_editable_field(signed_in, admin):
    populate(1, admin)
    response = signed_in.get(url(Consultant, "change", Consultant.objects.get().pk))
    assert b'name="status"' not in response.content
    assert "status" in response.context["adminform"].readonly_fields


def test_move_to_alumni_writes_history_with_the_acting_user_and_reason(signed_in, admin):
    populate(2, admin)
    members = list(Consultant.objects.order_by("pk"))
    response = run_action(signed_in, Consultant, "move_to_alumni", members, "Moved to Portland")
    assert response.status_code == 302
    for member in members:
        member.refresh_from_db()
        assert member.status == Consultant.Status.ALUMNI
        latest = member.status_changes.first()
        assert (latest.from_status, latest.to_status) == ("active", "alumni")
        assert latest.changed_by == admin and latest.reason == "Moved to Portland"


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_active", Consultant.Status.ACTIVE),
        ("start_probation", Consultant.Status.PROBATION),
        ("put_on_leave", Consultant.Status.ON_LEAVE),
        ("move_to_alumni", Consultant.Status.ALUMNI),
        ("mark_former", Consultant.Status.FORMER),
    ],
)
def test_each_status_action_goes_through_the_service(signed_in, admin, action, status):
    member = consultant_create(email="m@members.test", display_name="Member M")
    run_action(signed_in, Consultant, action, [member])
    member.refresh_from_db()
    assert member.status == status
    latest = member.status_changes.first()
    assert latest.to_status == status and latest.changed_by == admin
    assert latest.reason.startswith("Set to")


def test_an_action_that_changes_nothing_writes_no_history(signed_in, admin):
    member = consultant_create(
        email="m@members.test", display_name="Member M", status=Consultant.Status.ACTIVE
    )
    run_action(signed_in, Consultant, "mark_active", [member])
    assert member.status_changes.count() == 1


def test_community_coordinator_may_change_status_in_the_admin(client, community_coordinator):
    User.objects.filter(pk=community_coordinator.pk).update(is_staff=True)
    sign_in(client, community_coordinator)
    member = consultant_create(email="m@members.test", display_name="Member M")
    run_action(client, Consultant, "put_on_leave", [member])
    member.refresh_from_db()
    assert member.status == Consultant.Status.ON_LEAVE


def test_intake_coordinator_is_not_offered_status_actions(client, intake_coordinator):
    User.objects.filter(pk=intake_coordinator.pk).update(is_staff=True)
    sign_in(client, intake_coordinator)
    member = consultant_create(email="m@members.test", display_name="Member M")
    response = client.get(url(Consultant, "changelist"))
    assert offered_actions(response).isdisjoint({"mark_active", "move_to_alumni", "mark_former"})
    run_action(client, Consultant, "move_to_alumni", [member])
    member.refresh_from_db()
    assert member.status == Consultant.Status.APPLICANT


def test_adding_a_member_in_the_admin_opens_their_history(signed_in, admin):
    user = User.objects.create(username="new", email="new@members.test")
    management = {
        f"{prefix}-{field}": value
        for prefix in ("skills", "time_away", "status_changes")
        for field, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
    }
    response = signed_in.post(
        url(Consultant, "add"),
        {
            "user": user.pk,
            "display_name": "New member",
            "timezone": "America/Los_Angeles",
            "remote_ok": "on",
            "hourly_rate": "90.00",
            "currency": "USD",
            "pro_bono_hours_per_month": 0,
            "capacity_hours_per_week": 20,
            **management,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    consultant = Consultant.objects.get(user=user)
    assert consultant.status == Consultant.Status.APPLICANT
    first = consultant.status_changes.get()
    assert (first.from_status, first.to_status, first.changed_by) == ("", "applicant", admin)


# --- Status history is read-only ---------------------------------------------------------------


def test_status_history_cannot_be_added_changed_or_deleted(signed_in, admin):
    populate(1, admin)
    change = ConsultantStatusChange.objects.first()
    assert signed_in.get(url(ConsultantStatusChange, "add")).status_code == 403
    assert signed_in.get(url(ConsultantStatusChange, "delete", change.pk)).status_code == 403
    page = signed_in.get(url(ConsultantStatusChange, "change", change.pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    response = signed_in.post(
        url(ConsultantStatusChange, "change", change.pk), {"reason": "rewritten"}
    )
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.reason != "rewritten"
    listing = signed_in.get(url(ConsultantStatusChange, "changelist"))
    assert "delete_selected" not in offered_actions(listing)


def test_history_inline_on_a_member_is_shown_but_not_editable(signed_in, admin):
    populate(1, admin)
    response = signed_in.get(url(Consultant, "change", Consultant.objects.get().pk))
    assert b"status_changes-0-reason" not in response.content
    assert b"status_changes-TOTAL_FORMS" in response.content


# --- Membership applications ------------------------------------------------------------------


def application_messages(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in get_messages(response.wsgi_request)]


def test_start_review_moves_submitted_applications_and_reports_illegal_ones(signed_in, admin):
    submitted = MembershipApplicationFactory(name="Applicant submitted")
    reviewing = MembershipApplicationFactory(name="Applicant reviewing")
    application_start_review(application=reviewing, actor=admin)
    response = run_action(
        signed_in, MembershipApplication, "start_review", [submitted, reviewing], "Looks strong"
    )
    submitted.refresh_from_db()
    reviewing.refresh_from_db()
    assert submitted.status == MembershipApplication.Status.UNDER_REVIEW
    assert submitted.reviewer == admin and "Looks strong" in submitted.review_notes
    assert reviewing.status == MembershipApplication.Status.UNDER_REVIEW
    reported = application_messages(response)
    assert (messages.SUCCESS, "1 application(s) moved to review.") in reported
    errors = [text for level, text in reported if level == messages.ERROR]
    assert len(errors) == 1 and errors[0].startswith("Applicant reviewing: ")


def test_admit_and_confirm_create_an_active_member_with_history(signed_in, admin):
    application = MembershipApplicationFactory(email="joiner@applicants.test")
    application_start_review(application=application, actor=admin)
    run_action(signed_in, MembershipApplication, "admit_on_probation", [application])
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PROBATION
    assert application.consultant.status == Consultant.Status.PROBATION
    run_action(signed_in, MembershipApplication, "confirm_membership", [application])
    application.refresh_from_db()
    consultant = application.consultant
    consultant.refresh_from_db()
    assert application.status == MembershipApplication.Status.ACTIVE
    assert consultant.status == Consultant.Status.ACTIVE
    moves = [
        (change.from_status, change.to_status, change.changed_by)
        for change in consultant.status_changes.order_by("pk")
    ]
    assert moves == [("", "probation", admin), ("probation", "active", admin)]


def test_each_refusal_is_reported_and_the_others_still_move(signed_in, admin):
    declined = [MembershipApplicationFactory(name=f"Applicant {n}") for n in range(2)]
    for application in declined:
        run_action(signed_in, MembershipApplication, "decline", [application])
    fresh = MembershipApplicationFactory(name="Applicant fresh")
    response = run_action(
        signed_in, MembershipApplication, "decline", [*declined, fresh], "Not a fit"
    )
    fresh.refresh_from_db()
    assert fresh.status == MembershipApplication.Status.DECLINED
    errors = [text for level, text in application_messages(response) if level == messages.ERROR]
    assert sorted(error.split(":")[0] for error in errors) == ["Applicant 0", "Applicant 1"]
    assert all("cannot move to declined" in error for error in errors)


def test_confirming_an_application_not_on_probation_changes_nothing(signed_in, admin):
    application = MembershipApplicationFactory()
    response = run_action(signed_in, MembershipApplication, "confirm_membership", [application])
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application.consultant is None
    assert [level for level, _ in application_messages(response)] == [messages.ERROR]


def test_application_status_is_read_only_on_its_form(signed_in):
    application = MembershipApplicationFactory()
    response = signed_in.get(url(MembershipApplication, "change", application.pk))
    assert b'name="status"' not in response.content


def test_an_alias_saved_in_the_admin_survives_a_taxonomy_reload(signed_in):
    from django.core.management import call_command

    from network.models import Skill, SkillAlias

    call_command("load_skills", verbosity=0)
    wordpress = Skill.objects.get(name="WordPress")
    drupal = Skill.objects.get(name="Drupal")
    alias = SkillAlias.objects.filter(skill=drupal).exclude(source="manual").first()
    response = signed_in.post(
        url(SkillAlias, "change", alias.pk), {"alias": alias.alias, "skill": wordpress.pk}
    )
    assert response.status_code == 302
    alias.refresh_from_db()
    assert (alias.skill, alias.source) == (wordpress, "manual")
    call_command("load_skills", verbosity=0)
    alias.refresh_from_db()
    assert alias.skill == wordpress


def test_an_account_language_is_set_in_the_admin(signed_in, member):
    page = signed_in.get(url(User, "change", member.pk)).content.decode()
    assert 'name="language"' in page

    listing = signed_in.get(url(User, "changelist"), {"language": "fr"})
    assert listing.status_code == 200
