"""seed_demo: the demo alliance (counts, roles, idempotence, logins) and synthetic members."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from network import demo
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
from network.roles import Role
from network.services import skill_create

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {"user__email__endswith": f"@{demo.DEMO_DOMAIN}"}
SYNTHETIC_EMAILS = {"user__email__endswith": f"@{demo.SYNTHETIC_DOMAIN}"}


@pytest.fixture(autouse=True)
def taxonomy():
    """A small taxonomy standing in for load_skills: it lacks some demo skills on purpose."""
    for name, category in list(demo.DEMO_SKILLS.items())[:20]:
        skill_create(name=name, category=category, source="test")


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, tuple[int, int | None]]:
    """Row count and highest primary key of every table the seed writes."""
    models = [User, Consultant, ConsultantSkill, ConsultantStatusChange, ConsultantGroup,
              ConsultantGroup.members.through, ConsultantGroup.focus_skills.through,
              Consultant.languages.through, TimeAway, ExternalProfessional,
              ExternalProfessional.skills.through, MembershipApplication, Skill, SkillAlias,
              User.groups.through]  # fmt: skip
    return {
        model._meta.label: (
            model.objects.count(),
            model.objects.order_by("-pk").values_list("pk", flat=True).first(),
        )
        for model in models
    }


# --- The demo alliance ------------------------------------------------------------------------


def test_six_active_members_one_probationer_and_fourteen_alumni():
    seed()
    members = Consultant.objects.filter(**DEMO_EMAILS)
    assert members.filter(status=Consultant.Status.ACTIVE).count() == 6
    assert members.filter(status=Consultant.Status.PROBATION).count() == 1
    assert members.filter(status=Consultant.Status.ALUMNI).count() == 14
    assert members.count() == 21


def test_every_group_has_an_active_coordinator_who_belongs_to_it():
    seed()
    groups = list(ConsultantGroup.objects.select_related("coordinator"))
    assert 3 <= len(groups) <= 4
    for group in groups:
        assert group.coordinator.status == Consultant.Status.ACTIVE
        assert group.members.filter(pk=group.coordinator.pk).exists()
        assert group.focus_skills.exists()


def test_staff_accounts_hold_their_roles_and_the_demo_password():
    seed()
    roles = {
        "intake": Role.INTAKE_COORDINATOR,
        "community": Role.COMMUNITY_COORDINATOR,
        "secretary": Role.SECRETARY,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.groups.filter(name=role).exists()
        assert user.check_password(demo.DEMO_PASSWORD)
    administrator = User.objects.get(username="admin")
    assert administrator.is_superuser and administrator.is_staff
    assert administrator.check_password(demo.DEMO_PASSWORD)


def test_members_sign_in_with_short_usernames():
    seed()
    member = User.objects.get(username="member01")
    assert member.check_password(demo.DEMO_PASSWORD)
    assert member.consultant.status == Consultant.Status.ACTIVE
    assert User.objects.get(username="member07").consultant.status == Consultant.Status.PROBATION


def test_ten_outside_professionals_each_with_skills():
    seed()
    professionals = ExternalProfessional.objects.all()
    assert professionals.count() == 10
    assert all(professional.skills.exists() for professional in professionals)


def test_nobody_gets_an_invented_personal_name():
    seed()
    for consultant in Consultant.objects.filter(**DEMO_EMAILS):
        assert re.fullmatch(r"(Member|Alumnus) \d\d · .+", consultant.display_name)
    for professional in ExternalProfessional.objects.all():
        assert re.fullmatch(r"Outside professional \d\d · .+", professional.name)
        assert professional.organization.endswith("(demo)")
        assert professional.email.endswith(f"@{demo.DEMO_DOMAIN}")
    assert not User.objects.exclude(email__endswith=f"@{demo.DEMO_DOMAIN}").exists()


def test_members_have_rates_capacity_languages_and_skills():
    seed()
    for consultant in Consultant.objects.filter(**DEMO_EMAILS):
        assert 75 <= consultant.hourly_rate <= 150
        assert consultant.languages.filter(code="en").exists()
        assert consultant.skills.count() >= 2
    assert Consultant.objects.filter(sliding_scale=True, **DEMO_EMAILS).exists()
    assert Consultant.objects.filter(pro_bono_hours_per_month__gt=0, **DEMO_EMAILS).exists()
    assert Language.objects.filter(consultants__isnull=False).distinct().count() >= 4


def test_alumni_history_says_who_moved_them_and_when():
    seed()
    community = User.objects.get(username="community")
    alumnus = Consultant.objects.get(user__username="member10")
    history = list(alumnus.status_changes.order_by("changed_at"))
    assert [(change.from_status, change.to_status) for change in history] == [
        ("", "probation"),
        ("probation", "active"),
        ("active", "alumni"),
    ]
    assert {change.changed_by for change in history} == {community}
    assert [change.changed_at.year for change in history] == [2003, 2003, 2014]


def test_probationer_came_in_through_an_application():
    seed()
    application = MembershipApplication.objects.get(consultant__user__username="member07")
    assert application.status == MembershipApplication.Status.PROBATION
    assert application.consultant.probation_ends is not None
    still_open = [MembershipApplication.Status.SUBMITTED, MembershipApplication.Status.UNDER_REVIEW]
    assert MembershipApplication.objects.filter(status__in=still_open).count() == 2


def test_one_member_is_away_and_covered_by_a_colleague_in_the_same_group():
    seed()
    away = TimeAway.objects.select_related("consultant", "covering").get()
    assert away.covering is not None and away.covering != away.consultant
    assert (
        ConsultantGroup.objects.filter(members=away.consultant)
        .filter(members=away.covering)
        .exists()
    )


def test_missing_demo_skills_are_created_and_existing_ones_reused():
    wordpress = Skill.objects.get(name="WordPress")
    seed()
    assert Skill.objects.filter(name__in=list(demo.DEMO_SKILLS)).count() == len(demo.DEMO_SKILLS)
    assert Skill.objects.get(name__iexact="wordpress") == wordpress
    assert Skill.objects.filter(source="demo").count() == len(demo.DEMO_SKILLS) - 20


def test_a_demo_skill_spelled_differently_in_the_taxonomy_is_reused():
    power_bi = skill_create(name="PowerBI", category=Skill.Category.DATA)
    seed()
    assert not Skill.objects.filter(name="Power BI").exists()
    assert power_bi.consultant_skills.exists()


def test_an_empty_taxonomy_is_loaded_first(monkeypatch):
    Skill.objects.all().delete()
    loaded = []

    def load_skills(name, **options):
        loaded.append(name)
        skill_create(name="WordPress", category=Skill.Category.WEB)

    monkeypatch.setattr(demo, "call_command", load_skills)
    seed()
    assert loaded == ["load_skills"]


def test_second_run_changes_nothing():
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


def test_logins_are_printed_on_every_run():
    for output in (seed(), seed()):
        assert "DEMO ONLY" in output
        for username in ("admin", "intake", "community", "secretary", "member01"):
            assert re.search(rf"^\s+{username}\s+switchboard-demo\s+\S", output, re.MULTILINE)
        assert "6 active members" in output and "14 alumni" in output


# --- Synthetic members ------------------------------------------------------------------------


def test_scale_adds_members_with_skills_languages_and_history():
    seed()
    output = seed("--scale", "200")
    synthetic = Consultant.objects.filter(**SYNTHETIC_EMAILS)
    assert synthetic.count() == 200
    assert "Added 200 synthetic consultants" in output and " s: " in output
    skill_counts = list(synthetic.annotate(n=Count("skills")).values_list("n", flat=True))
    assert len(skill_counts) == 200
    assert min(skill_counts) >= 3 and max(skill_counts) <= 12
    assert not synthetic.filter(languages__isnull=True).exists()
    assert ConsultantStatusChange.objects.filter(consultant__in=synthetic).count() == 200
    assert synthetic.filter(status=Consultant.Status.ACTIVE).count() > 100
    assert (
        not User.objects.filter(email__endswith=f"@{demo.SYNTHETIC_DOMAIN}")
        .exclude(password__startswith="!")
        .exists()
    )


def test_scale_query_count_does_not_grow_with_the_number_of_members():
    seed()

    def queries_for(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            seed("--scale", str(count))
        return len(captured)

    # The idempotent demo pass, then one insert per table for a chunk this small. A small run
    # may draw nobody away, and an empty insert is skipped: hence "at most one more".
    small, large = queries_for(50), queries_for(200)
    assert small <= large <= small + 1


def test_synthetic_members_are_written_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    seed()
    # Savepoint and release (2); skills, highest index, languages, groups and their focus
    # skills (5); one insert each for users, consultants, skills, languages, group members,
    # status history and time away (7). An insert holds up to 2 000 rows and 200 members have
    # about 1 500 skill rows, so one insert per table; a larger run adds one insert per further
    # 2 000 rows of a table, never one per member.
    with django_assert_max_num_queries(14):
        demo.synthetic_consultants_add(200, seed=1)
    assert Consultant.objects.filter(**SYNTHETIC_EMAILS).count() == 200
    # Then, on PostgreSQL, one statement for each of the seven tables filled.
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 0):
        demo.synthetic_tables_vacuum()


def _table_statistics() -> dict[str, tuple[float, int]]:
    """PostgreSQL's row estimate and all-visible page count of two of the tables filled."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples, relallvisible FROM pg_class WHERE relname IN "
            "('network_consultant', 'network_consultantskill')"
        )
        return {name: (rows, visible) for name, rows, visible in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_synthetic_members_in_a_transaction_leave_the_planner_statistics_up_to_date():
    seed()
    demo.synthetic_consultants_add(300, seed=2)

    demo.synthetic_tables_vacuum()  # in the test's transaction: ANALYZE alone

    statistics = _table_statistics()
    assert statistics["network_consultant"][0] == Consultant.objects.count()
    assert statistics["network_consultantskill"][0] == ConsultantSkill.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's visibility map")
@pytest.mark.django_db(transaction=True)
def test_scale_vacuums_what_it_wrote_so_indexes_answer_alone():
    seed("--scale", "300")

    statistics = _table_statistics()
    # VACUUM marked the new pages all-visible (an index-only scan then skips the table) and
    # ANALYZE counted the rows.
    for table, model in (
        ("network_consultant", Consultant),
        ("network_consultantskill", ConsultantSkill),
    ):
        rows, visible = statistics[table]
        assert rows == model.objects.count() and visible > 0


def test_scale_can_run_again_and_continues_the_numbering():
    seed("--scale", "5")
    seed("--scale", "5")
    synthetic = User.objects.filter(email__endswith=f"@{demo.SYNTHETIC_DOMAIN}")
    emails = sorted(synthetic.values_list("email", flat=True))
    assert len(emails) == 10
    assert emails[0] == f"scale-00000001@{demo.SYNTHETIC_DOMAIN}"
    assert emails[-1] == f"scale-00000010@{demo.SYNTHETIC_DOMAIN}"


def test_the_same_seed_gives_the_same_members():
    def profile():
        return list(
            Consultant.objects.filter(**SYNTHETIC_EMAILS)
            .order_by("user__username")
            .values_list(
                "display_name", "status", "hourly_rate", "location", "capacity_hours_per_week"
            )
        )

    seed("--scale", "30", "--seed", "7")
    first = profile()
    User.objects.filter(email__endswith=f"@{demo.SYNTHETIC_DOMAIN}").delete()
    seed("--scale", "30", "--seed", "7")
    assert profile() == first
    User.objects.filter(email__endswith=f"@{demo.SYNTHETIC_DOMAIN}").delete()
    seed("--scale", "30", "--seed", "8")
    assert profile() != first
