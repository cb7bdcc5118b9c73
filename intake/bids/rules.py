"""What every bid service shares: the conflict it raises, the limits and parsers of what people
send, the locks, the checks, and the event writer.

Each service locks the bid row first (``select_for_update``), then the rows it changes in
primary-key order (docs/architecture.md, house rule 5), checks the caller's right and the bid's
state, writes, and records one ``BidEvent`` in the same transaction. A stale ``version`` or a step
the bid's state does not allow raises ``BidConflict`` (HTTP 409); a caller without the right
raises ``PermissionDenied`` (403); bad values raise ``ValidationError`` (400). In every case
nothing is changed.

The services by stage: ``intake.bids.team`` (volunteering, starting a bid, the team),
``intake.bids.terms`` (the terms, the agreement and its signatures), ``intake.bids.states`` (the
bid's moves: send, withdraw, submit, win, lose, start), ``intake.bids.work`` (hours) and
``intake.bids.settlement`` (the statement).

The limits of a bid's fields are read from the models (``max_digits``, ``max_length`` and
validators), so the forms, the serializers and the services state each one once.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils.translation import gettext as _

from intake.bids import access as bid_access
from intake.bids import notifications
from intake.bids.models import (
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
    StatementApproval,
)
from intake.models import Request
from intake.workflow import request_apply
from network import access as network_access
from network.errors import Conflict
from network.models import Consultant

B = Bid.Status
M = BidMember.Status


# --- Limits ----------------------------------------------------------------------------------


def _field(model, name: str):
    return model._meta.get_field(name)


def _limit(model, name: str, validator_class) -> Decimal:
    """The bound a model field's validator of ``validator_class`` sets."""
    return next(
        validator.limit_value
        for validator in _field(model, name).validators
        if isinstance(validator, validator_class)
    )


CENT = Decimal("0.01")
# The price: above 0 (the model's constraint; its validator and the forms ask for a cent at
# least), in whole cents, within its digits.
PRICE_DIGITS = _field(Bid, "price").max_digits
PRICE_MIN = _limit(Bid, "price", MinValueValidator)
PRICE_LIMIT = Decimal(10) ** (PRICE_DIGITS - _field(Bid, "price").decimal_places)
# The alliance's share of the price, in per cent (the model's validators and constraint).
SHARE_DIGITS = _field(Bid, "alliance_share_percent").max_digits
SHARE_MIN = _limit(Bid, "alliance_share_percent", MinValueValidator)
SHARE_MAX = _limit(Bid, "alliance_share_percent", MaxValueValidator)
# A member's planned hours: above 0, in hundredths, at most this many.
ESTIMATED_HOURS_DIGITS = _field(BidMember, "estimated_hours").max_digits
MAX_ESTIMATED_HOURS = 10_000
# The least a seat's planned hours may be by the model's validator: what a proposed team plans at
# least for each member (the services take any amount above 0 that a person sends).
SEAT_HOURS_MIN = _limit(BidMember, "estimated_hours", MinValueValidator)
ROLE_MAX_LENGTH = _field(BidMember, "role").max_length
DECLINE_REASON_MAX = _field(BidMember, "decline_reason").max_length
VOLUNTEER_NOTE_MAX = _field(BidInterest, "note").max_length
# A day has 24 hours (the model's constraint); a member's hours on one date, over every bid,
# never add up to more.
HOURS_PER_DAY = Decimal("24")
HOURS_DIGITS = _field(HoursEntry, "hours").max_digits
HOURS_NOTE_MAX = _field(HoursEntry, "note").max_length
DISPUTE_REASON_MAX = _field(Settlement, "dispute_reason").max_length
ON_BEHALF_REASON_MAX = _field(StatementApproval, "on_behalf_reason").max_length
DEFAULT_LEAD_ROLE = "Lead"
# Small teams (docs/architecture.md, "Matching" step 5): the lead and at most four others,
# counting the invitations not yet answered, so a lead cannot collect more yeses than the team
# can hold.
MAX_TEAM_SIZE = 5


class BidConflict(Conflict):
    """A stale version or a step the bid's state does not allow (HTTP 409); nothing changed.

    ``status`` and ``version`` are the bid's now ("" and None when the step had no bid yet).
    """

    def __init__(self, message: str, *, bid: Bid | None = None):
        super().__init__(message)
        self.status = bid.status if bid is not None else ""
        self.version = bid.version if bid is not None else None

    def as_body(self) -> dict:
        """The 409's body: the bid's status and version always (null before there is a bid)."""
        return {"detail": self.detail, "status": self.status, "version": self.version}


# --- Reading and locking ---------------------------------------------------------------------


def consultant_of(actor) -> Consultant | None:
    return network_access.consultant_of(actor) if actor is not None else None


def lock_bid(bid_id: int) -> Bid:
    try:
        # of=("self",): lock the bid row only; the request row is locked by the workflow when
        # a move needs it, always request before bid, so two writers never wait on each other.
        return Bid.objects.select_for_update(of=("self",)).select_related("request").get(pk=bid_id)
    except Bid.DoesNotExist:
        raise ValidationError({"bid": _("No such bid.")}) from None


def lock_for_request_move(bid_id: int) -> Bid:
    """Lock the bid's request, then the bid: the order the workflow uses (request_apply locks
    the request, then its effects lock the open bid), so a bid service that moves the request
    and a request move that closes the bid never wait on each other."""
    request_id = Bid.objects.filter(pk=bid_id).values_list("request_id", flat=True).first()
    if request_id is None:
        raise ValidationError({"bid": _("No such bid.")})
    Request.objects.select_for_update().filter(pk=request_id).first()
    return lock_bid(bid_id)


def lock_request(request_id) -> Request:
    request = Request.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise ValidationError({"request": _("No such request.")})
    return request


def team_members(bid: Bid) -> list[BidMember]:
    """The members on the team (accepted), lead first, then in the order they were invited."""
    seats = list(
        bid.members.filter(status=M.ACCEPTED)
        .select_related("consultant")
        .order_by("invited_at", "pk")
    )
    seats.sort(key=lambda seat: seat.consultant_id != bid.lead_id)
    return seats


# --- Checks ----------------------------------------------------------------------------------


def check_version(bid: Bid, version: int | None) -> None:
    if version is not None and version != bid.version:
        raise BidConflict(
            _(
                "The bid changed since you loaded it (version %(sent)s, now %(now)s); "
                "reload and try again."
            )
            % {"sent": version, "now": bid.version},
            bid=bid,
        )


def status_text(bid: Bid) -> str:
    """The bid's status as a sentence says it ("agreement out for signature")."""
    return str(bid.get_status_display()).lower()


def require_manager(actor, bid: Bid, refusal: str) -> None:
    """403 with ``refusal`` (a whole sentence: "Only the bid's lead or a coordinator may …")
    unless ``actor`` manages the bid."""
    if not bid_access.manages_bid(actor, bid):
        raise PermissionDenied(str(refusal))


def require_terms_open(bid: Bid) -> None:
    if not bid.terms_open:
        if bid.status == B.SIGNED or bid.status not in Bid.CLOSED:
            raise BidConflict(
                _(
                    "Every member has signed the agreement: it is in force and can no longer "
                    "change. Withdraw the bid and start a new one to change its terms."
                ),
                bid=bid,
            )
        raise BidConflict(_("The bid is %(status)s.") % {"status": status_text(bid)}, bid=bid)


def require_status(bid: Bid, statuses: tuple[str, ...], refusal: str) -> None:
    """409 unless the bid is in one of ``statuses``; ``refusal`` is a whole sentence with a
    ``%(status)s`` placeholder ("A bid that is %(status)s cannot be settled.")."""
    if bid.status not in statuses:
        raise BidConflict(str(refusal) % {"status": status_text(bid)}, bid=bid)


def same_currency(bid: Bid, consultant: Consultant, field: str) -> None:
    """Standard rates in another currency cannot be added up with the bid's: refused, not
    converted (there is no exchange rate anyone agreed to)."""
    if consultant.currency.upper() != bid.currency.upper():
        message = _("%(member)s's rate is in %(member_currency)s; this bid is in %(currency)s.")
        raise ValidationError(
            {
                field: message
                % {
                    "member": consultant,
                    "member_currency": consultant.currency,
                    "currency": bid.currency,
                }
            }
        )


# --- Parsing what people send ----------------------------------------------------------------


def parse_decimal(value, field: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError({field: _("A decimal number, sent as a string or an integer.")})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Not a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Not a number.")})
    return number


def parse_price(value) -> Decimal:
    price = parse_decimal(value, "price")
    if price <= 0:
        raise ValidationError({"price": _("The price must be above 0.")})
    if price != price.quantize(CENT):
        raise ValidationError({"price": _("Whole cents only (two decimal places).")})
    if price >= PRICE_LIMIT:
        raise ValidationError(
            {"price": _("At most %(limit)s.") % {"limit": f"{PRICE_LIMIT - CENT:,}"}}
        )
    return price


def parse_share(value) -> Decimal:
    share = parse_decimal(value, "alliance_share_percent")
    if not SHARE_MIN <= share <= SHARE_MAX:
        message = _("The alliance share must be between %(min)s and %(max)s %%.")
        raise ValidationError(
            {"alliance_share_percent": message % {"min": SHARE_MIN, "max": SHARE_MAX}}
        )
    if share != share.quantize(CENT):
        raise ValidationError({"alliance_share_percent": _("At most two decimal places.")})
    return share


def parse_split_mode(value) -> str:
    if value not in Bid.SplitMode.values:
        message = _("%(value)s is not one of %(choices)s.")
        raise ValidationError(
            {
                "split_mode": message
                % {"value": repr(value), "choices": ", ".join(Bid.SplitMode.values)}
            }
        )
    return value


def parse_estimated_hours(value, field: str = "estimated_hours") -> Decimal:
    hours = parse_decimal(value, field)
    if hours <= 0:
        raise ValidationError({field: _("Estimated hours must be above 0.")})
    if hours > MAX_ESTIMATED_HOURS or hours != hours.quantize(CENT):
        message = _("At most %(limit)s hours, to two decimal places.")
        raise ValidationError({field: message % {"limit": f"{MAX_ESTIMATED_HOURS:,}"}})
    return hours


def parse_role(value, field: str = "role") -> str:
    role = (value or "").strip() if isinstance(value, str) else ""
    if not role:
        raise ValidationError({field: _("Say what they do on the team (for example: developer).")})
    if len(role) > ROLE_MAX_LENGTH:
        raise ValidationError({field: characters_limit(ROLE_MAX_LENGTH)})
    return role


def working_member(consultant, field: str = "consultant") -> Consultant:
    """The member ``consultant`` (a record or an id) names, when they may be offered work."""
    if not isinstance(consultant, Consultant):
        if isinstance(consultant, bool):
            raise ValidationError({field: _("Not a valid id.")})
        try:
            consultant = Consultant.objects.filter(pk=int(consultant)).first()
        except (TypeError, ValueError):
            raise ValidationError({field: _("Not a valid id.")}) from None
    if consultant is None:
        raise ValidationError({field: _("No such member.")})
    if not consultant.can_be_offered_work:
        message = _("%(member)s is %(status)s and cannot join a bid.")
        status = str(consultant.get_status_display()).lower()
        raise ValidationError({field: message % {"member": consultant, "status": status}})
    return consultant


def characters_limit(limit: int) -> str:
    """The refusal of a text longer than ``limit`` characters."""
    return _("At most %(limit)s characters.") % {"limit": f"{limit:,}"}


def money_text(amount: Decimal) -> str:
    """An amount (or hours) as the agreement and the events write it: two decimal places."""
    return f"{amount:.2f}"


# --- Writing ---------------------------------------------------------------------------------


def record_event(bid: Bid, actor, action: str, *, from_status: str = "", note: str = "", **data):
    """One audit row for one change (docs/architecture.md, house rule 4); status fields only
    when it moved. The team is told once the transaction commits."""
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
    transaction.on_commit(lambda: notifications.bid_event(event_id), robust=True)
    return event


def save_bid(bid: Bid, *fields: str) -> None:
    """Save ``fields`` of the bid with its version bumped (checked against the model first)."""
    bid.version += 1
    bid.full_clean(exclude=["request", "lead", "collector"], validate_constraints=False)
    bid.save(update_fields=[*fields, "version"])


def request_move(bid: Bid, action: str, actor, note: str = "") -> None:
    """Make ``action`` on the bid's request through the workflow's one door; its effect
    (``intake.bids.request_moves``) moves the bid in the same transaction."""
    request_apply(request_id=bid.request_id, action=action, actor=actor, version=None, note=note)
