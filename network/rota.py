"""The out-of-hours rota's arithmetic: which weeks are hard, and who holds each week.

Pure functions of dates and plain records (no database): ``network.services`` reads the members,
their time away and the weeks already held, and writes what ``assign`` answers.

The rules, in order:

- A week (Monday to Sunday) goes to an opted-in working member who is not away on any of its
  days.
- A hard week (one holding a holiday) never goes to a newcomer: a member on probation, or active
  for fewer than the newcomer days.
- Nobody holds two weeks in a row while someone else is free.
- Among those left, the member whose last duty is longest ago, then the one with fewer weeks,
  then the lowest id.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WEEK = datetime.timedelta(days=7)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> datetime.date:
    last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


def us_federal_holidays(year: int) -> list[datetime.date]:
    """The United States' federal holidays of ``year`` (the days themselves, not the observed
    weekdays: the rota counts the week holding the day)."""
    monday, thursday = 0, 3
    return sorted(
        [
            datetime.date(year, 1, 1),  # New Year's Day
            _nth_weekday(year, 1, monday, 3),  # Birthday of Martin Luther King, Jr.
            _nth_weekday(year, 2, monday, 3),  # Washington's Birthday
            _last_weekday(year, 5, monday),  # Memorial Day
            datetime.date(year, 6, 19),  # Juneteenth
            datetime.date(year, 7, 4),  # Independence Day
            _nth_weekday(year, 9, monday, 1),  # Labor Day
            _nth_weekday(year, 10, monday, 2),  # Columbus Day
            datetime.date(year, 11, 11),  # Veterans Day
            _nth_weekday(year, 11, thursday, 4),  # Thanksgiving Day
            datetime.date(year, 12, 25),  # Christmas Day
        ]
    )


def hard_weeks(
    weeks: Iterable[datetime.date], holidays: Iterable[datetime.date] | None
) -> set[datetime.date]:
    """The weeks (by their Monday) holding a holiday; ``holidays`` None means the US federal
    holidays of every year the weeks touch."""
    weeks = list(weeks)
    if holidays is None:
        years = {year for week in weeks for year in (week.year, (week + WEEK).year)}
        holidays = [day for year in sorted(years) for day in us_federal_holidays(year)]
    mondays = {monday_of(day) for day in holidays}
    return {week for week in weeks if week in mondays}


@dataclass
class Member:
    """One opted-in working member as the rota sees them."""

    id: int
    # The first day the member is no longer a newcomer; None: never one; date.max: a newcomer
    # throughout (on probation).
    settled_on: datetime.date | None = None
    away: Sequence[tuple[datetime.date, datetime.date]] = ()
    last_duty: datetime.date | None = None
    total: int = 0

    def is_away(self, week: datetime.date) -> bool:
        week_end = week + datetime.timedelta(days=6)
        return any(start <= week_end and end >= week for start, end in self.away)

    def is_newcomer(self, week: datetime.date) -> bool:
        return self.settled_on is not None and week < self.settled_on


@dataclass
class Plan:
    """What ``assign`` answers: the holder of each week it filled and the weeks nobody could
    hold."""

    holders: dict[datetime.date, int] = field(default_factory=dict)
    uncovered: list[datetime.date] = field(default_factory=list)


def can_hold(member: Member, week: datetime.date, hard: bool) -> bool:
    if member.is_away(week):
        return False
    return not (hard and member.is_newcomer(week))


def assign(
    weeks: Sequence[datetime.date],
    members: Iterable[Member],
    *,
    hard: set[datetime.date],
    kept: dict[datetime.date, int] | None = None,
    previous_holder: int | None = None,
) -> Plan:
    """Hold every week of ``weeks`` (Mondays, in order). ``kept`` weeks keep their holder and
    count as that member's duty; ``members`` carry their duty before the first week
    (``last_duty``, ``total``) and are updated as weeks are given."""
    kept = kept or {}
    by_id = {member.id: member for member in members}
    plan = Plan()
    previous = previous_holder
    for week in sorted(weeks):
        if week in kept:
            holder = kept[week]
        else:
            free = [m for m in by_id.values() if can_hold(m, week, week in hard)]
            if len(free) > 1:
                free = [m for m in free if m.id != previous] or free
            if not free:
                plan.uncovered.append(week)
                previous = None
                continue
            chosen = min(free, key=lambda m: (m.last_duty or datetime.date.min, m.total, m.id))
            holder = chosen.id
            plan.holders[week] = holder
        member = by_id.get(holder)
        if member is not None:
            member.last_duty = week
            member.total += 1
        previous = holder
    return plan
