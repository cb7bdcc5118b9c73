"""Team bids and their shared-risk rate agreements: every write to a bid goes through here.

Each service locks the bid row first (``select_for_update``), then the rows it changes in
primary-key order (docs/design.md, house rule 5), checks the caller's right and the bid's state,
writes, and records one ``BidEvent`` in the same transaction. A stale ``version`` or a step the
bid's state does not allow raises ``BidConflict`` (HTTP 409); a caller without the right raises
``PermissionDenied`` (403); bad values raise ``ValidationError`` (400). In every case nothing is
changed.

The request's own moves (submitting the bid to the client, winning, losing, settling) go through
the workflow's one door, ``intake.workflow.request_apply``; its effects call back into
``apply_request_outcome`` here so the bid and the request change in one transaction. The
statement that settles a bid, and its approvals, live in ``intake.bids.settlement``.

Agreements (docs/design.md, "Shared-risk rate agreements"): each change to the price, the alliance
share, the split mode or the team (a member joining or leaving, their planned hours or role)
writes a new ``AgreementVersion`` and voids the one before, and with it every signature on it.
When every member on the team has signed the current version it is in force and the terms are
frozen: the service refuses any change (409) and database triggers refuse the write itself.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from intake import access
from intake.bids import access as bid_access
from intake.bids import money as agreements
from intake.bids import notifications as bid_notifications
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
)
from intake.models import Request
from network import access as network_access
from network.errors import Conflict
from network.models import Consultant

B = Bid.Status
M = BidMember.Status

# A day has 24 hours; a member's hours on one date, over every bid, never add up to more.
HOURS_PER_DAY = Decimal("24")
# The worked examples every agreement shows before anyone signs.
OVERRUN_FACTOR = Decimal("1.2")
EARLY_FACTOR = Decimal("0.8")
DEFAULT_LEAD_ROLE = "Lead"
# Small teams (docs/design.md, "Matching" step 5): the lead and at most four others, counting the
# invitations not yet answered, so a lead cannot collect more yeses than the team can hold.
MAX_TEAM_SIZE = 5


class BidConflict(Conflict):
    """A stale version or a step the bid's state does not allow (HTTP 409); nothing changed."""

    def __init__(self, message: str, *, bid: Bid | None = None):
        super().__init__(message)
        self.status = bid.status if bid is not None else ""
        self.version = bid.version if bid is not None else None


# --- Reading and checking ------------------------------------------------------------------


def _consultant_of(actor) -> Consultant | None:
    return network_access.consultant_of(actor) if actor is not None else None


def _lock(bid_id: int) -> Bid:
    try:
        # of=("self",): lock the bid row only; the request row is locked by the workflow when
        # a move needs it, always request before bid, so two writers never wait on each other.
        return Bid.objects.select_for_update(of=("self",)).select_related("request").get(pk=bid_id)
    except Bid.DoesNotExist:
        raise ValidationError({"bid": "No such bid."}) from None


def _same_currency(bid: Bid, consultant: Consultant, field: str) -> None:
    """Standard rates in another currency cannot be added up with the bid's: refused, not
    converted (there is no exchange rate anyone agreed to)."""
    if consultant.currency.upper() != bid.currency.upper():
        raise ValidationError(
            {
                field: f"{consultant}'s rate is in {consultant.currency}; this bid is in "
                f"{bid.currency}."
            }  # fmt: skip
        )


def _lock_for_request_move(bid_id: int) -> Bid:
    """Lock the bid's request, then the bid: the order the workflow uses (request_apply locks
    the request, then its effects lock the open bid), so a bid service that moves the request
    and a request move that closes the bid never wait on each other."""
    request_id = Bid.objects.filter(pk=bid_id).values_list("request_id", flat=True).first()
    if request_id is None:
        raise ValidationError({"bid": "No such bid."})
    Request.objects.select_for_update().filter(pk=request_id).first()
    return _lock(bid_id)


def _lock_request(request_id) -> Request:
    request = Request.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise ValidationError({"request": "No such request."})
    return request


def _check_version(bid: Bid, version: int | None) -> None:
    if version is not None and version != bid.version:
        raise BidConflict(
            f"The bid changed since you loaded it (version {version}, now {bid.version}); "
            "reload and try again.",
            bid=bid,
        )


def _require_manager(actor, bid: Bid, doing: str) -> None:
    if not bid_access.manages_bid(actor, bid):
        raise PermissionDenied(f"Only the bid's lead or a coordinator may {doing}.")


def _require_terms_open(bid: Bid) -> None:
    if not bid.terms_open:
        if bid.status == B.SIGNED or bid.status not in Bid.CLOSED:
            raise BidConflict(
                "Every member has signed the agreement: it is in force and can no longer "
                "change. Withdraw the bid and start a new one to change its terms.",
                bid=bid,
            )
        raise BidConflict(f"The bid is {bid.get_status_display().lower()}.", bid=bid)


def _require_status(bid: Bid, statuses: tuple[str, ...], doing: str) -> None:
    if bid.status not in statuses:
        raise BidConflict(
            f"A bid that is {bid.get_status_display().lower()} cannot {doing}.", bid=bid
        )


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError({field: "A decimal number, sent as a string or an integer."})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Not a number."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Not a number."})
    return number


def _price(value) -> Decimal:
    price = _decimal(value, "price")
    if price <= 0:
        raise ValidationError({"price": "The price must be above 0."})
    if price != price.quantize(Decimal("0.01")):
        raise ValidationError({"price": "Whole cents only (two decimal places)."})
    if price >= Decimal("10") ** 10:
        raise ValidationError({"price": "At most 9,999,999,999.99."})
    return price


def _share(value) -> Decimal:
    share = _decimal(value, "alliance_share_percent")
    if not 0 <= share <= agreements.MAX_ALLIANCE_SHARE_PERCENT:
        raise ValidationError(
            {"alliance_share_percent": "The alliance share must be between 0 and 50 %."}
        )
    if share != share.quantize(Decimal("0.01")):
        raise ValidationError({"alliance_share_percent": "At most two decimal places."})
    return share


def _mode(value) -> str:
    if value not in Bid.SplitMode.values:
        raise ValidationError(
            {"split_mode": f"{value!r} is not one of {', '.join(Bid.SplitMode.values)}."}
        )
    return value


def _estimated_hours(value, field: str = "estimated_hours") -> Decimal:
    hours = _decimal(value, field)
    if hours <= 0:
        raise ValidationError({field: "Estimated hours must be above 0."})
    if hours > 10_000 or hours != hours.quantize(Decimal("0.01")):
        raise ValidationError({field: "At most 10,000 hours, to two decimal places."})
    return hours


def _role(value, field: str = "role") -> str:
    role = (value or "").strip() if isinstance(value, str) else ""
    if not role:
        raise ValidationError({field: "Say what they do on the team (for example: developer)."})
    if len(role) > 80:
        raise ValidationError({field: "At most 80 characters."})
    return role


def _working_member(consultant, field: str = "consultant") -> Consultant:
    if not isinstance(consultant, Consultant):
        if isinstance(consultant, bool):
            raise ValidationError({field: "Not a valid id."})
        try:
            consultant = Consultant.objects.filter(pk=int(consultant)).first()
        except (TypeError, ValueError):
            raise ValidationError({field: "Not a valid id."}) from None
    if consultant is None:
        raise ValidationError({field: "No such member."})
    if not consultant.can_be_offered_work:
        raise ValidationError(
            {
                field: f"{consultant} is {consultant.get_status_display().lower()} and cannot join "
                "a bid."
            }  # fmt: skip
        )
    return consultant


# --- Audit ---------------------------------------------------------------------------------


def _event(bid: Bid, actor, action: str, *, from_status: str = "", note: str = "", **data):
    """One audit row for one change (docs/design.md, house rule 4); status fields only when it
    moved."""
    event = BidEvent.objects.create(
        bid=bid,
        actor=actor,
        action=action,
        from_status=from_status if from_status and from_status != bid.status else "",
        to_status=bid.status if from_status and from_status != bid.status else "",
        note=note,
        data={key: value for key, value in data.items() if value is not None},
    )
    event_id = event.pk
    transaction.on_commit(lambda: bid_notifications.bid_event(event_id), robust=True)
    return event


def _save(bid: Bid, *fields: str) -> None:
    bid.version += 1
    bid.full_clean(exclude=["request", "lead", "collector"], validate_constraints=False)
    bid.save(update_fields=[*fields, "version"])


# --- The agreement document ----------------------------------------------------------------


def team(bid: Bid) -> list[BidMember]:
    """The members on the team (accepted), lead first, then in the order they were invited."""
    seats = list(
        bid.members.filter(status=M.ACCEPTED)
        .select_related("consultant")
        .order_by("invited_at", "pk")
    )
    seats.sort(key=lambda seat: seat.consultant_id != bid.lead_id)
    return seats


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def agreement_terms(bid: Bid, seats: list[BidMember]) -> dict:
    """The figures of the agreement for ``bid`` with ``seats`` as its team, as strings.

    Computed by the same functions that will settle the bid (``intake.bids.money``), so the
    planned payouts and the worked examples are what the split will really do.
    """
    pool = agreements.pool_after_share(bid.price, bid.alliance_share_percent)
    shares = [(seat.estimated_hours, seat.standard_rate) for seat in seats]
    planned_hours = sum((seat.estimated_hours for seat in seats), Decimal("0"))
    if bid.split_mode == Bid.SplitMode.RATE_WEIGHTED and not any(rate for _h, rate in shares):
        # Members may charge 0 (pro bono), but then there is nothing to weigh the pool by.
        raise ValidationError(
            {
                "split_mode": "Rate weighted needs at least one member with a standard rate above "
                "0; every rate on this team is 0. Use equal rate."
            }  # fmt: skip
        )
    planned = agreements.split_pool(pool, shares, bid.split_mode)
    overrun = agreements.worked_example(pool, shares, bid.split_mode, OVERRUN_FACTOR)
    early = agreements.worked_example(pool, shares, bid.split_mode, EARLY_FACTOR)
    members = []
    for index, seat in enumerate(seats):
        hours = seat.estimated_hours
        members.append(
            {
                "consultant": seat.consultant_id,
                "name": seat.consultant.display_name,
                "role": seat.role,
                "lead": seat.consultant_id == bid.lead_id,
                "estimated_hours": _money(hours),
                "standard_rate": _money(seat.standard_rate),
                "planned_payout": _money(planned[index]),
                "planned_rate": _money(agreements.effective_rate(planned[index], hours)),
                "overrun_hours": _money(hours * OVERRUN_FACTOR),
                "overrun_payout": _money(overrun[index]),
                "overrun_rate": _money(
                    agreements.effective_rate(overrun[index], hours * OVERRUN_FACTOR)
                ),
                "early_hours": _money(hours * EARLY_FACTOR),
                "early_payout": _money(early[index]),
                "early_rate": _money(agreements.effective_rate(early[index], hours * EARLY_FACTOR)),
            }
        )
    return {
        "reference": bid.request.reference,
        "title": bid.request.title,
        "currency": bid.currency,
        "price": _money(bid.price),
        "alliance_share_percent": _money(bid.alliance_share_percent),
        "alliance_amount": _money(bid.price - pool),
        "pool": _money(pool),
        "split_mode": bid.split_mode,
        "split_mode_label": Bid.SplitMode(bid.split_mode).label,
        "planned_hours": _money(planned_hours),
        "planned_blended_rate": _money(agreements.planned_blended_rate(pool, planned_hours)),
        "overrun_percent": "20",
        "early_percent": "20",
        "members": members,
    }


def _write_version(bid: Bid, actor, reason: str) -> AgreementVersion:
    """Void the current version (and so its signatures) and write the next one."""
    now = timezone.now()
    current = (
        AgreementVersion.objects.select_for_update()
        .filter(bid=bid, voided_at__isnull=True)
        .order_by("-number")
        .first()
    )
    if current is not None:
        if current.in_force_at is not None:  # the service checks first; this is the backstop
            raise BidConflict("The agreement is in force and can no longer change.", bid=bid)
        AgreementVersion.objects.filter(pk=current.pk).update(voided_at=now)
    number = (current.number + 1) if current is not None else 1
    terms = agreement_terms(bid, team(bid))
    document = render_to_string(
        "bids/agreement_document.txt", {"terms": terms, "number": number, "bid": bid}
    )
    version = AgreementVersion.objects.create(
        bid=bid,
        number=number,
        price=bid.price,
        alliance_share_percent=bid.alliance_share_percent,
        pool=Decimal(terms["pool"]),
        split_mode=bid.split_mode,
        terms=terms,
        document=document,
        reason=reason[:200],
        created_by=actor,
        created_at=now,
    )
    return version


def current_agreement(bid: Bid) -> AgreementVersion | None:
    return bid.agreement_versions.filter(voided_at__isnull=True).order_by("-number").first()


# --- Starting a bid and forming the team -----------------------------------------------------


def bid_volunteer(*, request_id: int, actor, note: str = "") -> BidInterest:
    """A member on the bid board would like to join a team for ``request_id``."""
    consultant = _consultant_of(actor)
    if consultant is None or not consultant.can_be_offered_work:
        raise PermissionDenied("Only members who may be offered work can volunteer.")
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": "At most 1,000 characters."})
    with transaction.atomic():
        request = _lock_request(request_id)
        if request.status != Request.Status.BIDDING:
            raise BidConflict("This request is not open for bids.")
        interest, created = BidInterest.objects.get_or_create(
            request=request, consultant=consultant, defaults={"note": note}
        )
        if not created and note:
            interest.note = note
            interest.save(update_fields=["note"])
        open_bid = request.bids.exclude(status__in=Bid.CLOSED).first()
        if open_bid is not None:
            _event(open_bid, actor, "volunteered", note=note, consultant=consultant.pk)
    return interest


def bid_create(
    *,
    request_id: int,
    actor,
    price,
    lead_estimated_hours,
    lead=None,
    lead_role: str = DEFAULT_LEAD_ROLE,
    alliance_share_percent=Decimal("0"),
    split_mode: str = Bid.SplitMode.EQUAL_RATE,
    due_date: datetime.date | None = None,
    invite: list[dict] | tuple = (),
) -> Bid:
    """Start a bid on a request open for bidding, with its lead on the team and agreement v1.

    A member starts a bid by offering to lead it (``lead`` is then themselves); a staff
    coordinator may name any member who can be offered work as lead. ``invite`` lists
    ``{"consultant", "role", "estimated_hours"}`` to invite at once (a proposed team).
    """
    price = _price(price)
    share = _share(alliance_share_percent)
    mode = _mode(split_mode)
    lead_hours = _estimated_hours(lead_estimated_hours, "lead_estimated_hours")
    lead_role = _role(lead_role or DEFAULT_LEAD_ROLE, "lead_role")
    own = _consultant_of(actor)
    if lead is None:
        if own is None:
            raise ValidationError({"lead": "Name the member who leads the bid."})
        lead = own
    lead = _working_member(lead, "lead")
    staff = actor is not None and network_access.is_staff_coordinator(actor)
    if not staff and (own is None or own.pk != lead.pk):
        raise PermissionDenied("Members start a bid by offering to lead it themselves.")
    if not staff and not own.can_be_offered_work:
        raise PermissionDenied("Only members who may be offered work can lead a bid.")
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date has passed."})
    invitations = _invitations(invite, lead)
    with transaction.atomic():
        request = _lock_request(request_id)
        if request.status != Request.Status.BIDDING:
            raise BidConflict(
                f"A request that is {request.get_status_display().lower()} is not open for bids."
            )
        open_bid = request.bids.exclude(status__in=Bid.CLOSED).select_related("lead").first()
        if open_bid is not None:
            raise BidConflict(
                f"{open_bid.lead} already leads a bid on this request; volunteer to join it.",
                bid=open_bid,
            )
        bid = Bid(
            request=request,
            lead=lead,
            price=price,
            currency=request.currency,
            alliance_share_percent=share,
            split_mode=mode,
            due_date=due_date,
        )
        bid.full_clean(validate_constraints=False)
        _same_currency(bid, lead, "lead")
        try:
            with transaction.atomic():
                bid.save()
        except IntegrityError:  # another bid started between the check and the insert
            raise BidConflict("Another bid on this request was just started.") from None
        now = timezone.now()
        BidMember.objects.create(
            bid=bid,
            consultant=lead,
            role=lead_role,
            estimated_hours=lead_hours,
            standard_rate=lead.hourly_rate,
            status=M.ACCEPTED,
            invited_by=actor,
            responded_at=now,
        )
        _event(bid, actor, "created", lead=lead.pk, price=_money(price))
        for consultant, role, hours in invitations:
            _invite(bid, actor, consultant, role, hours)
        _write_version(bid, actor, "Bid started")
    return bid


def _invitations(invite, lead: Consultant) -> list[tuple[Consultant, str, Decimal]]:
    if not isinstance(invite, list | tuple):
        raise ValidationError({"invite": "A list of members to invite."})
    if len(invite) + 1 > MAX_TEAM_SIZE:
        raise ValidationError(
            {"invite": f"A team has at most {MAX_TEAM_SIZE} members, the lead included."}
        )
    found = []
    seen = {lead.pk}
    for index, entry in enumerate(invite):
        if not isinstance(entry, dict):
            raise ValidationError({"invite": f"Entry {index + 1}: consultant, role and hours."})
        consultant = _working_member(entry.get("consultant"), "invite")
        if consultant.pk in seen:
            raise ValidationError({"invite": f"{consultant} is named twice (or is the lead)."})
        seen.add(consultant.pk)
        found.append(
            (
                consultant,
                _role(entry.get("role"), "invite"),
                _estimated_hours(entry.get("estimated_hours"), "invite"),
            )
        )
    return found


def _invite(bid: Bid, actor, consultant: Consultant, role: str, hours: Decimal) -> BidMember:
    _same_currency(bid, consultant, "consultant")
    seat = BidMember.objects.select_for_update().filter(bid=bid, consultant=consultant).first()
    if seat is not None and seat.status in (M.INVITED, M.ACCEPTED):
        raise ValidationError({"consultant": f"{consultant} is already invited to this bid."})
    if seat is None:
        seat = BidMember(bid=bid, consultant=consultant)
    seat.role, seat.estimated_hours, seat.standard_rate = role, hours, consultant.hourly_rate
    seat.status, seat.invited_by, seat.responded_at = M.INVITED, actor, None
    seat.decline_reason = ""
    seat.invited_at = timezone.now()
    seat.save()
    _event(bid, actor, "invited", consultant=consultant.pk, role=role, hours=_money(hours))
    return seat


def bid_invite(
    *, bid_id: int, actor, consultant, role: str, estimated_hours, version: int | None = None
) -> BidMember:
    """Invite a member to the team. The agreement changes when they accept, not before."""
    consultant = _working_member(consultant)
    role = _role(role)
    hours = _estimated_hours(estimated_hours)
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "invite members")
        _require_terms_open(bid)
        seats = bid.members.filter(status__in=[M.INVITED, M.ACCEPTED]).count()
        if seats >= MAX_TEAM_SIZE:
            raise ValidationError(
                {"consultant": f"A team has at most {MAX_TEAM_SIZE} members, invitations included."}
            )
        seat = _invite(bid, actor, consultant, role, hours)
        _save(bid)
    return seat


def bid_member_respond(
    *, bid_id: int, actor, accept: bool, reason: str = "", version: int | None = None
) -> BidMember:
    """The invited member accepts (joining the team: a new agreement version) or declines."""
    consultant = _consultant_of(actor)
    with transaction.atomic():
        bid = _lock(bid_id)
        seat = (
            BidMember.objects.select_for_update().filter(bid=bid, consultant=consultant).first()
            if consultant is not None
            else None
        )
        if seat is None:
            raise PermissionDenied("You are not invited to this bid.")
        _check_version(bid, version)
        # A closed team first: an invitation closed when the agreement came into force is
        # "this changed" (409), not "you may not" (403).
        _require_terms_open(bid)
        if seat.status == M.REMOVED:
            raise PermissionDenied("Your invitation to this bid was withdrawn.")
        if seat.status != M.INVITED:
            raise BidConflict(
                f"You have already answered this invitation ({seat.get_status_display().lower()}).",
                bid=bid,
            )
        seat.responded_at = timezone.now()
        if accept:
            if not consultant.can_be_offered_work:
                raise PermissionDenied("Only members who may be offered work can join a bid.")
            seat.status = M.ACCEPTED
            seat.save(update_fields=["status", "responded_at"])
            agreement = _write_version(bid, actor, f"{consultant} joined the team")
            _event(bid, actor, "joined", consultant=consultant.pk, agreement=agreement.number)
        else:
            seat.status, seat.decline_reason = M.DECLINED, (reason or "").strip()[:1000]
            seat.save(update_fields=["status", "responded_at", "decline_reason"])
            _event(bid, actor, "declined", note=seat.decline_reason, consultant=consultant.pk)
        _save(bid)
    return seat


def bid_member_change(
    *,
    bid_id: int,
    actor,
    consultant_id: int,
    version: int | None = None,
    role: str | None = None,
    estimated_hours=None,
) -> BidMember:
    """Change a team member's role or planned hours (a new agreement version if on the team)."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "change the team")
        _require_terms_open(bid)
        seat = (
            BidMember.objects.select_for_update()
            .filter(bid=bid, consultant_id=consultant_id, status__in=[M.INVITED, M.ACCEPTED])
            .first()
        )
        if seat is None:
            raise ValidationError({"consultant": "Not on this bid's team."})
        changed = []
        if role is not None and _role(role) != seat.role:
            seat.role = _role(role)
            changed.append("role")
        if estimated_hours is not None:
            hours = _estimated_hours(estimated_hours)
            if hours != seat.estimated_hours:
                seat.estimated_hours = hours
                changed.append("estimated_hours")
        if not changed:
            return seat
        seat.save(update_fields=changed)
        agreement = None
        if seat.status == M.ACCEPTED:
            agreement = _write_version(bid, actor, f"{seat.consultant}'s role or hours changed")
        _event(
            bid, actor, "member_changed", consultant=seat.consultant_id, role=seat.role,
            hours=_money(seat.estimated_hours), agreement=agreement.number if agreement else None,
        )  # fmt: skip
        _save(bid)
    return seat


def bid_member_remove(
    *, bid_id: int, actor, consultant_id: int, version: int | None = None
) -> BidMember:
    """Take a member off the team (or withdraw their invitation); never the lead."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "change the team")
        _require_terms_open(bid)
        if consultant_id == bid.lead_id:
            raise ValidationError({"consultant": "The lead cannot be removed from their bid."})
        seat = (
            BidMember.objects.select_for_update()
            .filter(bid=bid, consultant_id=consultant_id, status__in=[M.INVITED, M.ACCEPTED])
            .first()
        )
        if seat is None:
            raise ValidationError({"consultant": "Not on this bid's team."})
        was_on_team = seat.status == M.ACCEPTED
        seat.status, seat.responded_at = M.REMOVED, timezone.now()
        seat.save(update_fields=["status", "responded_at"])
        agreement = None
        if was_on_team:
            agreement = _write_version(bid, actor, f"{seat.consultant} left the team")
        from_status = bid.status
        fields = []
        if (
            bid.status == B.AGREEMENT_OUT
            and not bid.members.filter(status=M.ACCEPTED)
            .exclude(consultant_id=bid.lead_id)
            .exists()
        ):
            # A team of the lead alone is no team bid: the agreement goes back to draft until
            # someone joins again (bid_send refuses a team of one for the same reason).
            bid.status = B.DRAFT
            fields.append("status")
        _event(
            bid, actor, "removed", from_status=from_status, consultant=seat.consultant_id,
            agreement=agreement.number if agreement else None,
        )  # fmt: skip
        _save(bid, *fields)
    return seat


def bid_terms_change(
    *,
    bid_id: int,
    actor,
    version: int | None = None,
    price=None,
    alliance_share_percent=None,
    split_mode: str | None = None,
    due_date: datetime.date | None = None,
) -> Bid:
    """Change the price, share or split mode (a new agreement version) or the due date."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "change the terms")
        changed: list[str] = []
        updates = {
            "price": _price(price) if price is not None else None,
            "alliance_share_percent": _share(alliance_share_percent)
            if alliance_share_percent is not None
            else None,
            "split_mode": _mode(split_mode) if split_mode is not None else None,
        }
        for field_name, value in updates.items():
            if value is not None and value != getattr(bid, field_name):
                changed.append(field_name)
        if due_date is not None and due_date != bid.due_date:
            if due_date < timezone.localdate():
                raise ValidationError({"due_date": "The due date has passed."})
            if bid.status in Bid.CLOSED:
                raise BidConflict(f"The bid is {bid.get_status_display().lower()}.", bid=bid)
        if changed:
            _require_terms_open(bid)
        if not changed and (due_date is None or due_date == bid.due_date):
            return bid
        before = {name: _money(getattr(bid, name)) for name in changed if name != "split_mode"}
        for field_name in changed:
            setattr(bid, field_name, updates[field_name])
        fields = list(changed)
        if due_date is not None and due_date != bid.due_date:
            bid.due_date = due_date
            fields.append("due_date")
        _save(bid, *fields)
        agreement = None
        if changed:
            labels = {"price": "price", "alliance_share_percent": "alliance share",
                      "split_mode": "split mode"}  # fmt: skip
            agreement = _write_version(
                bid, actor, "Changed " + ", ".join(labels[name] for name in changed)
            )
        _event(
            bid, actor, "terms_changed", changed=fields, before=before,
            price=_money(bid.price), share=_money(bid.alliance_share_percent),
            split_mode=bid.split_mode, agreement=agreement.number if agreement else None,
        )  # fmt: skip
    return bid


def bid_send(*, bid_id: int, actor, version: int | None = None) -> Bid:
    """Send the current agreement to the team for signature (draft → agreement out)."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "send the agreement")
        _require_status(bid, (B.DRAFT,), "be sent for signature")
        if bid.members.filter(status=M.ACCEPTED).count() < 2:
            raise ValidationError(
                {"team": "A team bid needs at least one member besides the lead on the team."}
            )
        from_status = bid.status
        bid.status = B.AGREEMENT_OUT
        _save(bid, "status")
        agreement = current_agreement(bid)
        _event(bid, actor, "sent", from_status=from_status, agreement=agreement.number)
    return bid


def agreement_sign(*, bid_id: int, actor, agreement_version: int) -> AgreementSignature:
    """Sign version ``agreement_version`` of the bid's agreement.

    Refused with 403 for anyone not on the team, and with 409 when the version is no longer the
    current one (someone changed the terms since the member read them) or the agreement is not
    out for signature. Signing twice answers the first signature. When the last member signs,
    the version comes into force and the bid is signed.
    """
    consultant = _consultant_of(actor)
    with transaction.atomic():
        bid = _lock(bid_id)
        on_team = (
            consultant is not None
            and bid.members.filter(consultant=consultant, status=M.ACCEPTED).exists()
        )
        if not on_team:
            raise PermissionDenied("Only members on the bid's team sign its agreement.")
        agreement = (
            AgreementVersion.objects.select_for_update()
            .filter(bid=bid, voided_at__isnull=True)
            .order_by("-number")
            .first()
        )
        if agreement is None or agreement.number != agreement_version:
            current = agreement.number if agreement else "none"
            raise BidConflict(
                f"Version {agreement_version} is no longer the agreement (the current version is "
                f"{current}); read the current version and sign that.",
                bid=bid,
            )
        existing = agreement.signatures.filter(consultant=consultant).first()
        if existing is not None:
            return existing
        if bid.status != B.AGREEMENT_OUT:
            raise BidConflict(
                "The agreement has not been sent for signature yet."
                if bid.status == B.DRAFT
                else f"A bid that is {bid.get_status_display().lower()} takes no signatures.",
                bid=bid,
            )
        signature = AgreementSignature.objects.create(version=agreement, consultant=consultant)
        _event(bid, actor, "signed", consultant=consultant.pk, agreement=agreement.number)
        on_team_ids = set(
            bid.members.filter(status=M.ACCEPTED).values_list("consultant_id", flat=True)
        )
        signed_ids = set(agreement.signatures.values_list("consultant_id", flat=True))
        if on_team_ids <= signed_ids:
            now = timezone.now()
            AgreementVersion.objects.filter(pk=agreement.pk).update(in_force_at=now)
            from_status = bid.status
            bid.status = B.SIGNED
            _event(bid, None, "in_force", from_status=from_status, agreement=agreement.number)
            # The team is fixed now: an invitation still open could only be answered with a
            # 409, and would keep showing the invitee the money. Close it, on the record.
            pending = list(bid.members.select_for_update().filter(status=M.INVITED).order_by("pk"))
            for seat in pending:
                seat.status, seat.responded_at = M.REMOVED, now
                seat.save(update_fields=["status", "responded_at"])
                _event(bid, None, "invitation_closed", consultant=seat.consultant_id)
        _save(bid, "status")
    return signature


def bid_withdraw(*, bid_id: int, actor, note: str = "", version: int | None = None) -> Bid:
    """The team gives up before the bid reaches the client; the request stays open for bids."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "withdraw the bid")
        _require_status(bid, (B.DRAFT, B.AGREEMENT_OUT, B.SIGNED), "be withdrawn")
        from_status = bid.status
        bid.status = B.WITHDRAWN
        bid.decided_at = timezone.now()
        _save(bid, "status", "decided_at")
        _event(bid, actor, "withdrawn", from_status=from_status, note=(note or "").strip())
    return bid


# --- The request's moves (called from intake.workflow's effects, under its lock) ----------


def _request_move(bid: Bid, action: str, actor, note: str = "") -> None:
    from intake.workflow import request_apply

    request_apply(request_id=bid.request_id, action=action, actor=actor, version=None, note=note)


def bid_submit(*, bid_id: int, actor, note: str = "", version: int | None = None) -> Bid:
    """Send the signed bid to the client: the request moves to ``bid_submitted``."""
    with transaction.atomic():
        bid = _lock_for_request_move(bid_id)
        _check_version(bid, version)
        if not bid_access.submits_bid(actor, bid.request):
            raise PermissionDenied("Only the bid's lead or an intake coordinator submits it.")
        _require_status(bid, (B.SIGNED,), "be submitted")
        _request_move(bid, "submit_bid", actor, note)
    return Bid.objects.get(pk=bid_id)


def bid_decide(*, bid_id: int, actor, won: bool, note: str = "", version: int | None = None) -> Bid:
    """Record the client's answer: won (the request is engaged) or lost (the request is lost)."""
    with transaction.atomic():
        bid = _lock_for_request_move(bid_id)
        if not access.works_the_queue(actor, bid.request):
            raise PermissionDenied("Only intake coordinators record the client's answer.")
        _check_version(bid, version)
        _require_status(bid, (B.SUBMITTED,), "be decided")
        _request_move(bid, "win_bid" if won else "lose_bid", actor, note)
    return Bid.objects.get(pk=bid_id)


# --- The work: hours and settlement ------------------------------------------------------------


def bid_start(*, bid_id: int, actor, version: int | None = None) -> Bid:
    """The lead starts the work of a won bid: members log hours from today on."""
    with transaction.atomic():
        bid = _lock(bid_id)
        _check_version(bid, version)
        _require_manager(actor, bid, "start the work")
        _require_status(bid, (B.WON,), "start")
        from_status = bid.status
        bid.status, bid.work_started_on = B.IN_PROGRESS, timezone.localdate()
        _save(bid, "status", "work_started_on")
        _event(bid, actor, "started", from_status=from_status,
               work_started_on=bid.work_started_on.isoformat())  # fmt: skip
    return bid


def hours_window(bid: Bid) -> tuple[datetime.date, datetime.date]:
    """The first and last day hours may be logged for: the day the work started, and today.

    Hours outside it cannot be work on this bid, and in an equal-rate split every hour logged
    takes pool from the others: a year of back-dated hours would take nearly all of it. A bid
    with no recorded start takes hours for today only.
    """
    today = timezone.localdate()
    return min(bid.work_started_on or today, today), today


def _require_hours_open(bid: Bid, doing: str) -> None:
    _require_status(bid, (B.IN_PROGRESS,), doing)
    if bid.settlements.filter(state=Settlement.State.PROPOSED).exists():
        raise BidConflict(
            "The statement is out for the team's approval: the hours are fixed until every "
            "member approves it, or a member disputes it and the work reopens.",
            bid=bid,
        )


def hours_log(*, bid_id: int, actor, date: datetime.date, hours, note: str = "") -> HoursEntry:
    """A team member logs hours worked on one date (their own only)."""
    amount = _decimal(hours, "hours")
    if amount <= 0:
        raise ValidationError({"hours": "Hours must be above 0."})
    if amount > HOURS_PER_DAY:
        raise ValidationError({"hours": "A day has at most 24 hours."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"hours": "At most two decimal places."})
    if isinstance(date, datetime.datetime) or not isinstance(date, datetime.date):
        raise ValidationError({"date": "A date (YYYY-MM-DD)."})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": "At most 500 characters."})
    consultant = _consultant_of(actor)
    with transaction.atomic():
        bid = _lock(bid_id)
        if (
            consultant is None
            or not bid.members.filter(consultant=consultant, status=M.ACCEPTED).exists()
        ):
            raise PermissionDenied("Only members on the bid's team log hours on it.")
        _require_hours_open(bid, "take hours")
        first_day, today = hours_window(bid)
        if not first_day <= date <= today:
            raise ValidationError(
                {
                    "date": "Hours are logged for the days of the work: from "
                    f"{first_day:%Y-%m-%d}, the day it started, to today ({today:%Y-%m-%d})."
                }  # fmt: skip
            )
        # Two entries for one day logged at once (two tabs, two bids) must not together pass
        # 24 hours: lock the member's row so the sum below is read by one writer at a time.
        Consultant.objects.select_for_update().filter(pk=consultant.pk).first()
        logged = HoursEntry.objects.filter(consultant=consultant, date=date).aggregate(
            total=Sum("hours")
        )["total"] or Decimal("0")
        if logged + amount > HOURS_PER_DAY:
            raise ValidationError(
                {"hours": f"You already logged {logged} h on {date:%Y-%m-%d}; a day has 24."}
            )
        entry = HoursEntry.objects.create(
            bid=bid, consultant=consultant, date=date, hours=amount, note=note
        )
        _event(bid, actor, "hours_logged", entry=entry.pk, date=date.isoformat(),
               hours=_money(amount))  # fmt: skip
    return entry


def hours_delete(*, bid_id: int, actor, entry_id: int) -> None:
    """A member takes back one of their own entries while the work is in progress."""
    consultant = _consultant_of(actor)
    with transaction.atomic():
        bid = _lock(bid_id)
        entry = HoursEntry.objects.filter(bid=bid, pk=entry_id).first()
        if entry is None:
            raise ValidationError({"entry": "No such entry on this bid."})
        if consultant is None or entry.consultant_id != consultant.pk:
            raise PermissionDenied("Members take back only their own hours.")
        _require_hours_open(bid, "change its hours")
        _event(bid, actor, "hours_removed", entry=entry.pk, date=entry.date.isoformat(),
               hours=_money(entry.hours))  # fmt: skip
        entry.delete()
