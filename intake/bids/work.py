"""The work of a won bid: the members on the team log their hours, one date at a time, from the
day the work started (``intake.bids.states``, ``start``) to today, and take back their own
entries while no statement is out for approval (``intake.bids.settlement``).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.bids import rules
from intake.bids.models import Bid, BidMember, HoursEntry, Settlement
from network.models import Consultant

B = Bid.Status
M = BidMember.Status


def hours_window(bid: Bid) -> tuple[datetime.date, datetime.date]:
    """The first and last day hours may be logged for: the day the work started, and today.

    Hours outside it cannot be work on this bid, and in an equal-rate split every hour logged
    takes pool from the others: a year of back-dated hours would take nearly all of it. A bid
    with no recorded start takes hours for today only.
    """
    today = timezone.localdate()
    return min(bid.work_started_on or today, today), today


def require_hours_open(bid: Bid, refusal: str) -> None:
    """409 unless hours may change: ``refusal`` (with ``%(status)s``) when the work is not in
    progress, and while a statement is out for approval."""
    rules.require_status(bid, (B.IN_PROGRESS,), refusal)
    if bid.settlements.filter(state=Settlement.State.PROPOSED).exists():
        raise rules.BidConflict(
            _(
                "The statement is out for the team's approval: the hours are fixed until every "
                "member approves it, or a member disputes it and the work reopens."
            ),
            bid=bid,
        )


TAKES_NO_HOURS = gettext_lazy("A bid that is %(status)s cannot take hours.")
HOURS_CANNOT_CHANGE = gettext_lazy("A bid that is %(status)s cannot change its hours.")


def hours_log(*, bid_id: int, actor, date: datetime.date, hours, note: str = "") -> HoursEntry:
    """A team member logs hours worked on one date (their own only)."""
    amount = rules.parse_decimal(hours, "hours")
    if amount <= 0:
        raise ValidationError({"hours": _("Hours must be above 0.")})
    if amount > rules.HOURS_PER_DAY:
        raise ValidationError({"hours": _("A day has at most 24 hours.")})
    if amount != amount.quantize(rules.CENT):
        raise ValidationError({"hours": _("At most two decimal places.")})
    if isinstance(date, datetime.datetime) or not isinstance(date, datetime.date):
        raise ValidationError({"date": _("A date (YYYY-MM-DD).")})
    note = (note or "").strip()
    if len(note) > rules.HOURS_NOTE_MAX:
        raise ValidationError({"note": rules.characters_limit(rules.HOURS_NOTE_MAX)})
    consultant = rules.consultant_of(actor)
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        if (
            consultant is None
            or not bid.members.filter(consultant=consultant, status=M.ACCEPTED).exists()
        ):
            raise PermissionDenied(_("Only members on the bid's team log hours on it."))
        require_hours_open(bid, TAKES_NO_HOURS)
        first_day, today = hours_window(bid)
        if not first_day <= date <= today:
            message = _(
                "Hours are logged for the days of the work: from %(first_day)s, the day it "
                "started, to today (%(today)s)."
            )
            days = {"first_day": f"{first_day:%Y-%m-%d}", "today": f"{today:%Y-%m-%d}"}
            raise ValidationError({"date": message % days})
        # Two entries for one day logged at once (two tabs, two bids) must not together pass
        # 24 hours: lock the member's row so the sum below is read by one writer at a time.
        Consultant.objects.select_for_update().filter(pk=consultant.pk).first()
        logged = HoursEntry.objects.filter(consultant=consultant, date=date).aggregate(
            total=Sum("hours")
        )["total"] or Decimal("0")
        if logged + amount > rules.HOURS_PER_DAY:
            message = _("You already logged %(hours)s h on %(date)s; a day has 24.")
            raise ValidationError(
                {"hours": message % {"hours": logged, "date": f"{date:%Y-%m-%d}"}}
            )
        entry = HoursEntry.objects.create(
            bid=bid, consultant=consultant, date=date, hours=amount, note=note
        )
        rules.record_event(
            bid, actor, "hours_logged", entry=entry.pk, date=date.isoformat(),
            hours=rules.money_text(amount),
        )  # fmt: skip
    return entry


def hours_delete(*, bid_id: int, actor, entry_id: int) -> HoursEntry:
    """A member takes back one of their own entries while the work is in progress; returns the
    entry as it was (deleted)."""
    consultant = rules.consultant_of(actor)
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        entry = HoursEntry.objects.filter(bid=bid, pk=entry_id).first()
        if entry is None:
            raise ValidationError({"entry": _("No such entry on this bid.")})
        if consultant is None or entry.consultant_id != consultant.pk:
            raise PermissionDenied(_("Members take back only their own hours."))
        require_hours_open(bid, HOURS_CANNOT_CHANGE)
        rules.record_event(
            bid, actor, "hours_removed", entry=entry.pk, date=entry.date.isoformat(),
            hours=rules.money_text(entry.hours),
        )  # fmt: skip
        entry.delete()
    return entry
