"""The free days factor: pledged free service days left this year rank members higher on pro bono
requests only, explained like the other factors; paid requests rank exactly as before. And the
days left reach the engine from the pledges and intake's completions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Engagement, Request
from intake.workflow import request_apply
from matching import adapter
from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.rank import FREE_DAYS_FACTOR, Weights, factor_weights, rank
from matching.types import ConsultantProfile, RequestProfile
from network import services
from tests.factories import ConsultantFactory, ConsultantSkillFactory, RequestFactory, SkillFactory

TODAY = datetime.date(2026, 2, 1)
NORMALIZER = Normalizer.from_taxonomy([("WordPress", ["WP"])])


def member(consultant_id: int, **fields) -> ConsultantProfile:
    defaults = {
        "status": "active",
        "skills": {"WordPress": 4},
        "text": "Websites for community groups",
        "hourly_rate": 100.0,
        "capacity_hours_per_week": 20,
        "pro_bono_hours_per_month": 4,
    }
    return ConsultantProfile(id=consultant_id, name=f"Member {consultant_id}", **defaults | fields)


def ranked(consultants, request):
    return rank(MatchIndex.build(consultants, [], NORMALIZER), request, today=TODAY)


def ids(result):
    return [candidate.consultant_id for candidate in result.candidates]


# Member 1 is the slightly better fit (level 5); member 2 has pledged days left.
TEAM = [
    member(1, skills={"WordPress": 5}),
    member(2, skills={"WordPress": 4}, free_days_left=6.0),
    member(3, skills={"WordPress": 4}),
]


def test_days_left_put_a_member_first_on_a_pro_bono_request():
    result = ranked(TEAM, RequestProfile(skills=("WordPress",), pro_bono=True, estimated_hours=24))
    assert ids(result) == [2, 1, 3]
    factors = {c.consultant_id: c.factors for c in result.candidates}
    share = 1 / 1.1
    # Six days left cover the three days the request needs (24 hours): the whole factor.
    assert factors[2][FREE_DAYS_FACTOR] == pytest.approx(0.1 * share, abs=1e-6)
    assert factors[1][FREE_DAYS_FACTOR] == 0 and factors[3][FREE_DAYS_FACTOR] == 0
    # The factors still sum to the score.
    for candidate in result.candidates:
        assert sum(candidate.factors.values()) == pytest.approx(candidate.score, abs=1e-5)


def test_fewer_days_left_than_needed_score_a_share_of_the_factor():
    request = RequestProfile(skills=("WordPress",), pro_bono=True, estimated_hours=80)  # 10 days
    result = ranked([member(1, free_days_left=2.5)], request)
    assert result.candidates[0].factors[FREE_DAYS_FACTOR] == pytest.approx(
        0.1 / 1.1 * 0.25, abs=1e-6
    )


def test_a_paid_request_has_no_such_factor_and_ranks_as_without_pledges():
    request = RequestProfile(skills=("WordPress",), estimated_hours=24, budget_max=5000)
    with_pledges = ranked(TEAM, request)
    without = ranked([member(c.id, skills=c.skills) for c in TEAM], request)
    assert ids(with_pledges) == ids(without) == [1, 2, 3]
    assert [c.score for c in with_pledges.candidates] == [c.score for c in without.candidates]
    assert all(FREE_DAYS_FACTOR not in c.factors for c in with_pledges.candidates)


def test_the_weights_of_a_pro_bono_request_sum_to_one_and_a_paid_ones_are_unchanged():
    paid = factor_weights(Weights(), skills_named=True, pro_bono=False)
    assert FREE_DAYS_FACTOR not in paid and paid["skill_coverage"] == 0.45
    assert sum(paid.values()) == pytest.approx(1)
    pro_bono = factor_weights(Weights(), skills_named=False, pro_bono=True)
    assert sum(pro_bono.values()) == pytest.approx(1)
    assert pro_bono[FREE_DAYS_FACTOR] == pytest.approx(0.1 / 1.1)
    assert pro_bono["skill_coverage"] == 0
    off = factor_weights(Weights(free_days_left=0), skills_named=True, pro_bono=True)
    assert off == paid


# --- From the database ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_index")
def test_the_days_left_are_the_pledge_minus_the_days_given_this_year(intake_coordinator):
    year = timezone.localdate().year
    wordpress = SkillFactory(name="WordPress")
    ada, ben = ConsultantFactory(status="active"), ConsultantFactory(status="active")
    for consultant in (ada, ben):
        ConsultantSkillFactory(consultant=consultant, skill=wordpress, level=4)
    services.pledge_set(consultant=ada, year=year, days=5)
    services.pledge_set(consultant=ben, year=year, days=3)
    services.pledge_set(consultant=ben, year=year - 1, days=50)  # another year's pledge

    done = RequestFactory(status=Request.Status.ENGAGED, pro_bono=True, engaged_consultant=ada)
    Engagement.objects.create(request=done, consultant=ada)
    request_apply(
        request_id=done.pk, action="complete", actor=intake_coordinator, version=None, days_given=4
    )
    left = {p.id: p.free_days_left for p in adapter.consultant_profiles()}
    assert left[ada.pk] == pytest.approx(1.0) and left[ben.pk] == pytest.approx(3.0)

    # Ranked through the adapter: Ben, with more days left, comes first on a pro bono request.
    profile = adapter.request_profile(skills=["WordPress"], pro_bono=True, estimated_hours=24)
    assert [c.consultant_id for c in adapter.match(profile).candidates][:2] == [ben.pk, ada.pk]

    # A new pledge reaches the next ranking (the index is rebuilt).
    services.pledge_set(consultant=ada, year=year, days=Decimal("10"))
    assert [c.consultant_id for c in adapter.match(profile).candidates][:2] == [ada.pk, ben.pk]
