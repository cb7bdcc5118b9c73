"""The adapter between the models and the matching engine: the version counter and its signals,
the per-process index and when it is rebuilt, the build shared through files, and the profiles
it reads from the database."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from intake.models import Engagement, Offer
from matching import adapter, tasks
from matching.rank import Weights
from network import services as network_services
from network.models import (
    Consultant,
    ConsultantSkill,
    Language,
    MatchingIndexVersion,
    Skill,
)
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    RequestFactory,
    SkillAliasFactory,
    SkillFactory,
    TimeAwayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    adapter.forget_index()
    cache.clear()
    yield
    adapter.forget_index()
    cache.clear()


def version() -> int:
    return MatchingIndexVersion.objects.get(key="directory").value


@pytest.fixture
def builds(monkeypatch):
    """Counts the index builds (and still builds)."""
    calls = []
    real_build = adapter.build

    def counting_build(stamp=None):
        calls.append(stamp)
        return real_build(stamp)

    monkeypatch.setattr(adapter, "build", counting_build)
    return calls


# --- The version counter ------------------------------------------------------------------


def _consultant_saved(objects):
    objects["consultant"].bio = "Now also teaches spreadsheets."
    objects["consultant"].save()


def _consultant_deleted(objects):
    objects["consultant"].delete()


def _skill_level_changed(objects):
    objects["consultant_skill"].level = 5
    objects["consultant_skill"].save()


def _skill_added(objects):
    ConsultantSkillFactory(consultant=objects["consultant"], level=2)


def _skill_removed(objects):
    objects["consultant_skill"].delete()


def _skill_renamed(objects):
    objects["skill"].name = "CiviCRM (renamed)"
    objects["skill"].save()


def _alias_added(objects):
    SkillAliasFactory(skill=objects["skill"], alias="Civi")


def _time_away_added(objects):
    TimeAwayFactory(consultant=objects["consultant"])


def _time_away_removed(objects):
    objects["away"].delete()


def _professional_edited(objects):
    objects["professional"].active = False
    objects["professional"].save()


def _professional_skill_added(objects):
    objects["professional"].skills.add(objects["skill"])


def _group_member_added(objects):
    objects["group"].members.add(objects["consultant"])


def _group_member_removed(objects):
    objects["group"].members.remove(objects["member"])


def _group_deleted(objects):
    objects["group"].delete()


def _languages_changed(objects):
    objects["consultant"].languages.set([Language.objects.get(code="es")])


EDITS = [
    _consultant_saved,
    _consultant_deleted,
    _skill_level_changed,
    _skill_added,
    _skill_removed,
    _skill_renamed,
    _alias_added,
    _time_away_added,
    _time_away_removed,
    _professional_edited,
    _professional_skill_added,
    _group_member_added,
    _group_member_removed,
    _group_deleted,
    _languages_changed,
]


@pytest.fixture
def network_objects(db):
    network_services.languages_ensure()
    skill = SkillFactory(name="CiviCRM")
    consultant = ConsultantFactory()
    member = ConsultantFactory()
    group = ConsultantGroupFactory()
    group.members.add(member)
    return {
        "skill": skill,
        "consultant": consultant,
        "member": member,
        "consultant_skill": ConsultantSkillFactory(consultant=consultant, skill=skill),
        "away": TimeAwayFactory(consultant=consultant),
        "professional": ExternalProfessionalFactory(),
        "group": group,
    }


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__.strip("_") for edit in EDITS])
def test_each_kind_of_edit_bumps_the_version(network_objects, edit):
    before = version()

    edit(network_objects)

    assert version() > before


def test_an_edit_rolled_back_leaves_the_version(network_objects):
    before = version()

    with pytest.raises(RuntimeError), transaction.atomic():
        _consultant_saved(network_objects)
        raise RuntimeError("the edit fails after the save")

    assert version() == before


def test_a_bump_recreates_a_missing_counter_row(db):
    MatchingIndexVersion.objects.all().delete()

    adapter.index_version_bump()

    assert version() == 1


def test_editing_a_request_does_not_bump_the_version(network_objects):
    before = version()

    RequestFactory()

    assert version() == before


# --- The per-process index ----------------------------------------------------------------


@pytest.fixture
def small_network(db):
    civicrm = SkillFactory(name="CiviCRM")
    SkillAliasFactory(skill=civicrm, alias="Civi CRM")
    wordpress = SkillFactory(name="WordPress")
    first = ConsultantFactory(display_name="Member 01 · CRM")
    ConsultantSkillFactory(consultant=first, skill=civicrm, level=5)
    second = ConsultantFactory(display_name="Member 02 · Web")
    ConsultantSkillFactory(consultant=second, skill=wordpress, level=4)
    return {"civicrm": civicrm, "wordpress": wordpress, "first": first, "second": second}


def test_the_index_is_built_once_while_nothing_changes(small_network, builds):
    first = adapter.current_index()
    second = adapter.current_index()

    assert first is second
    assert len(builds) == 1
    assert {profile.id for profile in first.consultants} == {
        small_network["first"].pk,
        small_network["second"].pk,
    }


def test_an_edit_makes_the_next_call_rebuild(small_network, builds):
    adapter.current_index()
    small_network["second"].bio = "CiviCRM too, these days."
    small_network["second"].save()

    index = adapter.current_index()

    assert len(builds) == 2
    # The new bio's words are in the rebuilt text index.
    assert "days" in index.vectorizer.vocabulary_


def test_reading_the_current_index_costs_one_query(small_network, django_assert_num_queries):
    adapter.current_index()

    # The stamp: the version counter and the tables' highest keys, in one SELECT.
    with django_assert_num_queries(1):
        adapter.current_index()


def test_bulk_created_members_are_noticed_without_a_signal(small_network, builds):
    adapter.current_index()
    user = UserFactory()
    Consultant.objects.bulk_create(
        [Consultant(user=user, display_name="Member 03 · bulk", status="active")]
    )

    index = adapter.current_index()

    assert len(builds) == 2
    assert "Member 03 · bulk" in {profile.name for profile in index.consultants}


def test_a_new_day_rebuilds_the_index(small_network, builds):
    with time_machine.travel(datetime.datetime(2030, 3, 4, 12, tzinfo=datetime.UTC), tick=False):
        adapter.current_index()
        adapter.current_index()
    with time_machine.travel(datetime.datetime(2030, 3, 5, 12, tzinfo=datetime.UTC), tick=False):
        adapter.current_index()

    assert len(builds) == 2


def test_an_index_built_by_the_task_is_mapped_not_built(small_network, builds):
    version_built = tasks.index_rebuild()
    assert version_built == version()
    assert len(builds) == 1

    index = adapter.current_index()

    assert len(builds) == 1, "the process mapped the task's build from its files"
    assert index.version == adapter.read_stamp()


def test_a_built_index_of_an_old_version_is_not_used_inline(small_network, builds):
    tasks.index_rebuild()
    small_network["first"].save()

    adapter.current_index()

    assert len(builds) == 2


def test_a_process_shares_its_own_build_through_the_files(small_network, builds):
    adapter.current_index()
    adapter.forget_index()  # as if another process asked

    adapter.current_index()

    assert len(builds) == 1


# --- The profiles -------------------------------------------------------------------------


def test_profiles_carry_what_the_ranking_reads(small_network):
    network_services.languages_ensure()
    today = timezone.localdate()
    first = small_network["first"]
    first.hourly_rate = Decimal("80.00")
    first.sliding_scale = True
    first.save()
    first.languages.set([Language.objects.get(code="es")])
    group = ConsultantGroupFactory()
    group.members.add(first)
    away = TimeAwayFactory(
        consultant=first,
        start=today + datetime.timedelta(days=3),
        end=today + datetime.timedelta(days=9),
    )
    TimeAwayFactory(
        consultant=first,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=20),
    )  # over: left out
    served = RequestFactory(estimated_hours=40)
    Engagement.objects.create(request=served, consultant=first)
    Offer.objects.create(
        request=served, consultant=first, expires_at=timezone.now(), status=Offer.Status.ACCEPTED
    )
    old = RequestFactory()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=120)):
        Offer.objects.create(
            request=old, consultant=first, expires_at=timezone.now(), status="declined"
        )

    profile = next(p for p in adapter.consultant_profiles() if p.id == first.pk)

    assert profile.skills == {"CiviCRM": 5}
    assert profile.languages == frozenset({"es"})
    assert profile.hourly_rate == 80.0
    assert profile.sliding_scale is True
    assert profile.away == ((away.start, away.end),)
    assert profile.groups == frozenset({group.pk})
    assert profile.clients_served == frozenset({served.organization_id})
    assert profile.recent_offers == 1
    assert profile.committed_hours_per_week == 40 / adapter.ENGAGEMENT_WEEKS


def test_only_members_who_may_work_or_are_on_leave_are_indexed(small_network):
    for status in ("applicant", "alumni", "former", "on_leave", "probation"):
        ConsultantFactory(display_name=f"Status {status}", status=status)

    names = {profile.name for profile in adapter.consultant_profiles()}

    assert {"Status on_leave", "Status probation"} <= names
    assert not {"Status applicant", "Status alumni", "Status former"} & names


def test_outside_professionals_with_their_skills(small_network):
    active = ExternalProfessionalFactory(name="Outside A")
    active.skills.add(small_network["civicrm"])
    ExternalProfessionalFactory(name="Outside B", active=False)

    profiles = adapter.external_profiles()

    assert [(p.name, p.skills) for p in profiles] == [("Outside A", frozenset({"CiviCRM"}))]


def test_the_taxonomy_lists_aliases_under_their_skill(small_network):
    assert ("CiviCRM", ["Civi CRM"]) in adapter.taxonomy()
    assert ("WordPress", []) in adapter.taxonomy()


def test_loading_profiles_costs_the_same_queries_however_many_members(
    small_network, django_assert_max_num_queries
):
    skills = list(Skill.objects.all())
    for n in range(30):
        consultant = ConsultantFactory()
        ConsultantSkill.objects.create(consultant=consultant, skill=skills[n % 2], level=3)
        TimeAwayFactory(consultant=consultant)

    # Skills, languages, time away, groups, recent offers, engagements, the members, this
    # year's pledges and the free service days given.
    with django_assert_max_num_queries(9):
        adapter.consultant_profiles()


# --- Settings and request profiles --------------------------------------------------------


def test_weights_come_from_settings(settings):
    settings.MATCHING_WEIGHTS = {"skill_coverage": 0.7, "rotation": 0.3}

    weights = adapter.weights_from_settings()

    assert weights == Weights(skill_coverage=0.7, rotation=0.3)


def test_a_misspelt_weight_is_refused(settings):
    settings.MATCHING_WEIGHTS = {"skill_coverag": 0.7}

    with pytest.raises(ImproperlyConfigured, match="MATCHING_WEIGHTS"):
        adapter.weights_from_settings()


def test_a_request_profile_wants_four_weeks_from_its_start():
    profile = adapter.request_profile(
        title="Donor database",
        description="Clean up CiviCRM.",
        skills=[" CiviCRM ", ""],
        budget_max=Decimal("1500.00"),
        languages=["ES"],
        desired_start=datetime.date(2030, 1, 15),
    )

    assert profile.text == "Donor database\nClean up CiviCRM."
    assert profile.skills == ("CiviCRM",)
    assert profile.budget_max == 1500.0
    assert profile.languages == frozenset({"es"})
    assert profile.window == (datetime.date(2030, 1, 15), datetime.date(2030, 2, 12))


def test_ranking_uses_the_current_index(small_network):
    result = adapter.match(adapter.request_profile(description="Help", skills=["Civi CRM"]))

    assert [match.skill for match in result.normalized_skills] == ["CiviCRM"]
    assert result.candidates[0].consultant_id == small_network["first"].pk
