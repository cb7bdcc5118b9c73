"""The out-of-hours rota's planning: holidays, fairness over a year, time away, newcomers,
nobody twice in a row, regeneration keeping the weeks under way, and the command."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command

from network import rota, services
from network.models import Consultant, RotaWeek
from tests.factories import ConsultantFactory, TimeAwayFactory

D = datetime.date
START = D(2027, 1, 4)  # a Monday
BEFORE = D(2026, 12, 1)  # "today" for plans made ahead


def _member(**fields):
    return ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE, **fields)


def test_us_federal_holidays_are_computed():
    days = rota.us_federal_holidays(2027)
    assert D(2027, 1, 1) in days
    assert D(2027, 7, 4) in days
    assert D(2027, 11, 25) in days  # Thanksgiving: the fourth Thursday of November
    assert D(2027, 12, 25) in days
    assert D(2026, 11, 26) in rota.us_federal_holidays(2026)
    assert D(2027, 5, 31) in days  # Memorial Day: the last Monday of May


def test_hard_weeks_hold_a_holiday():
    weeks = [START + rota.WEEK * index for index in range(52)]
    hard = rota.hard_weeks(weeks, None)
    assert rota.monday_of(D(2027, 11, 25)) in hard
    assert rota.monday_of(D(2027, 12, 25)) in hard
    assert rota.monday_of(D(2027, 7, 4)) in hard
    assert START not in hard
    assert rota.hard_weeks(weeks, [D(2027, 1, 6)]) == {START}


def test_the_least_recent_goes_first_then_fewer_weeks_then_id():
    members = [
        rota.Member(id=3, last_duty=D(2026, 12, 7), total=1),
        rota.Member(id=2, last_duty=None, total=0),
        rota.Member(id=1, last_duty=None, total=2),
    ]
    plan = rota.assign([START, START + rota.WEEK, START + 2 * rota.WEEK], members, hard=set())
    assert list(plan.holders.values()) == [2, 1, 3]


def test_nobody_twice_in_a_row_while_another_is_free():
    away = [(START, START + datetime.timedelta(days=13))]
    members = [rota.Member(id=1), rota.Member(id=2, away=away)]
    plan = rota.assign([START + rota.WEEK * index for index in range(4)], members, hard=set())
    # Member 2 is away for two weeks: member 1 holds both (nobody else is free), then they take
    # turns.
    assert list(plan.holders.values()) == [1, 1, 2, 1]


@pytest.mark.django_db
def test_a_year_is_fair_respects_time_away_and_spares_newcomers_the_holidays(settings):
    settings.ROTA_NEWCOMER_DAYS = 90
    steady = [_member() for _ in range(4)]
    away_member = _member()
    TimeAwayFactory(consultant=away_member, start=D(2027, 3, 3), end=D(2027, 3, 20))
    TimeAwayFactory(consultant=away_member, start=D(2027, 11, 20), end=D(2027, 12, 1))
    newcomer = _member(joined_on=D(2026, 11, 20))  # settled from 18 February 2027
    on_probation = ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.PROBATION)
    _not_opted_in = ConsultantFactory(status=Consultant.Status.ACTIVE)
    ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ON_LEAVE)

    plan = services.rota_generate(weeks=52, start=START, today=BEFORE)

    weeks = list(RotaWeek.objects.order_by("start"))
    assert len(weeks) == 52 and not plan.uncovered
    assert weeks[0].start == START and weeks[-1].start == START + 51 * rota.WEEK
    holders = {week.consultant_id for week in weeks}
    assert holders <= {m.pk for m in [*steady, away_member, newcomer, on_probation]}
    # Nobody on duty while away.
    for week in weeks:
        if week.consultant_id == away_member.pk:
            assert not (week.start <= D(2027, 3, 20) and week.end >= D(2027, 3, 3))
            assert not (week.start <= D(2027, 12, 1) and week.end >= D(2027, 11, 20))
    # Fair among the members free the whole year.
    counts = Counter(week.consultant_id for week in weeks)
    steady_counts = [counts[member.pk] for member in steady]
    assert max(steady_counts) - min(steady_counts) <= 1, steady_counts
    # Newcomers hold no hard week: the member on probation never, the new member not before
    # settling in.
    hard = [week for week in weeks if week.hard]
    assert len(hard) >= 8
    assert all(week.consultant_id != on_probation.pk for week in hard)
    assert all(week.consultant_id != newcomer.pk for week in hard if week.start < D(2027, 2, 18))
    assert RotaWeek.objects.get(start=rota.monday_of(D(2027, 1, 18))).consultant_id != (
        newcomer.pk
    )  # Martin Luther King, Jr. Day's week
    # Nobody twice in a row.
    assert all(a.consultant_id != b.consultant_id for a, b in zip(weeks, weeks[1:], strict=False))


@pytest.mark.django_db
def test_a_newcomer_follows_the_settings_days(settings):
    settings.ROTA_HOLIDAYS = ["2027-01-06"]
    settings.ROTA_NEWCOMER_DAYS = 30
    newcomer = _member(joined_on=D(2026, 12, 20))
    plan = services.rota_generate(weeks=2, start=START, today=BEFORE)
    assert plan.uncovered == [START]  # the only member is new for the holiday week
    assert plan.holders == {START + rota.WEEK: newcomer.pk}
    settings.ROTA_NEWCOMER_DAYS = 10
    plan = services.rota_generate(weeks=1, start=START, today=BEFORE)
    assert plan.holders == {START: newcomer.pk}


@pytest.mark.django_db
def test_regenerating_keeps_the_weeks_already_started():
    members = [_member() for _ in range(3)]
    services.rota_generate(weeks=6, start=START, today=BEFORE)
    before = dict(RotaWeek.objects.values_list("start", "consultant_id"))
    extra = _member()
    TimeAwayFactory(consultant=members[0], start=START, end=START + 60 * rota.WEEK)

    # Under way in the second week: the first two weeks stay as they were.
    services.rota_generate(weeks=6, start=START, today=START + datetime.timedelta(days=8))

    after = dict(RotaWeek.objects.values_list("start", "consultant_id"))
    assert len(after) == 6
    assert after[START] == before[START]
    assert after[START + rota.WEEK] == before[START + rota.WEEK]
    later = [after[START + rota.WEEK * index] for index in range(2, 6)]
    assert members[0].pk not in later
    assert extra.pk in later


@pytest.mark.django_db
def test_the_command_plans_weeks():
    _member()
    _member()
    from io import StringIO

    out = StringIO()
    call_command("rota_generate", "--weeks", "3", "--start", "2027-01-06", stdout=out)
    assert "3 weeks planned." in out.getvalue()
    assert list(RotaWeek.objects.values_list("start", flat=True)) == [
        START,
        START + rota.WEEK,
        START + 2 * rota.WEEK,
    ]


@pytest.mark.django_db
def test_a_week_starts_on_a_monday():
    from django.core.exceptions import ValidationError

    week = RotaWeek(start=START + datetime.timedelta(days=1), consultant=_member())
    with pytest.raises(ValidationError, match="Monday"):
        week.full_clean()
    RotaWeek(start=START, consultant=week.consultant).full_clean()
