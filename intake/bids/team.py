"""Forming a bid's team: members volunteer on the bid board, a member offers to lead (starting
the bid with agreement version 1), the lead invites members, who accept or decline, and the lead
changes a member's role or planned hours or takes them off the team.

Each change to the team (a member joining or leaving, their hours or role) writes a new agreement
version (``intake.bids.terms``); an invitation changes nothing until it is accepted.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.bids import rules, terms
from intake.bids.models import Bid, BidInterest, BidMember
from intake.models import Request
from network import access as network_access
from network.models import Consultant

B = Bid.Status
M = BidMember.Status

CHANGES_THE_TEAM = gettext_lazy("Only the bid's lead or a coordinator may change the team.")


def bid_volunteer(*, request_id: int, actor, note: str = "") -> BidInterest:
    """A member on the bid board would like to join a team for ``request_id``."""
    consultant = rules.consultant_of(actor)
    if consultant is None or not consultant.can_be_offered_work:
        raise PermissionDenied(_("Only members who may be offered work can volunteer."))
    note = (note or "").strip()
    if len(note) > rules.VOLUNTEER_NOTE_MAX:
        raise ValidationError({"note": rules.characters_limit(rules.VOLUNTEER_NOTE_MAX)})
    with transaction.atomic():
        request = rules.lock_request(request_id)
        if request.status != Request.Status.BIDDING:
            raise rules.BidConflict(_("This request is not open for bids."))
        interest, created = BidInterest.objects.get_or_create(
            request=request, consultant=consultant, defaults={"note": note}
        )
        if not created and note:
            interest.note = note
            interest.save(update_fields=["note"])
        open_bid = request.bids.exclude(status__in=Bid.CLOSED).first()
        if open_bid is not None:
            rules.record_event(open_bid, actor, "volunteered", note=note, consultant=consultant.pk)
    return interest


def bid_create(
    *,
    request_id: int,
    actor,
    price,
    lead_estimated_hours,
    lead=None,
    lead_role: str = rules.DEFAULT_LEAD_ROLE,
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
    price = rules.parse_price(price)
    share = rules.parse_share(alliance_share_percent)
    mode = rules.parse_split_mode(split_mode)
    lead_hours = rules.parse_estimated_hours(lead_estimated_hours, "lead_estimated_hours")
    lead_role = rules.parse_role(lead_role or rules.DEFAULT_LEAD_ROLE, "lead_role")
    own = rules.consultant_of(actor)
    if lead is None:
        if own is None:
            raise ValidationError({"lead": _("Name the member who leads the bid.")})
        lead = own
    lead = rules.working_member(lead, "lead")
    staff = actor is not None and network_access.is_staff_coordinator(actor)
    if not staff and (own is None or own.pk != lead.pk):
        raise PermissionDenied(_("Members start a bid by offering to lead it themselves."))
    if not staff and not own.can_be_offered_work:
        raise PermissionDenied(_("Only members who may be offered work can lead a bid."))
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date has passed.")})
    invitations = _invitations(invite, lead)
    with transaction.atomic():
        request = rules.lock_request(request_id)
        if request.status != Request.Status.BIDDING:
            status = str(request.get_status_display()).lower()
            raise rules.BidConflict(
                _("A request that is %(status)s is not open for bids.") % {"status": status}
            )
        open_bid = request.bids.exclude(status__in=Bid.CLOSED).select_related("lead").first()
        if open_bid is not None:
            raise rules.BidConflict(
                _("%(lead)s already leads a bid on this request; volunteer to join it.")
                % {"lead": open_bid.lead},
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
        rules.same_currency(bid, lead, "lead")
        try:
            with transaction.atomic():
                bid.save()
        except IntegrityError:  # another bid started between the check and the insert
            raise rules.BidConflict(_("Another bid on this request was just started.")) from None
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
        rules.record_event(bid, actor, "created", lead=lead.pk, price=rules.money_text(price))
        for consultant, role, hours in invitations:
            _invite(bid, actor, consultant, role, hours)
        terms.write_version(bid, actor, "Bid started")
    return bid


def _invitations(invite, lead: Consultant) -> list[tuple[Consultant, str, Decimal]]:
    if not isinstance(invite, list | tuple):
        raise ValidationError({"invite": _("A list of members to invite.")})
    if len(invite) + 1 > rules.MAX_TEAM_SIZE:
        message = _("A team has at most %(count)s members, the lead included.")
        raise ValidationError({"invite": message % {"count": rules.MAX_TEAM_SIZE}})
    found = []
    seen = {lead.pk}
    for index, entry in enumerate(invite):
        if not isinstance(entry, dict):
            message = _("Entry %(number)s: consultant, role and hours.")
            raise ValidationError({"invite": message % {"number": index + 1}})
        consultant = rules.working_member(entry.get("consultant"), "invite")
        if consultant.pk in seen:
            message = _("%(member)s is named twice (or is the lead).")
            raise ValidationError({"invite": message % {"member": consultant}})
        seen.add(consultant.pk)
        found.append(
            (
                consultant,
                rules.parse_role(entry.get("role"), "invite"),
                rules.parse_estimated_hours(entry.get("estimated_hours"), "invite"),
            )
        )
    return found


def _invite(bid: Bid, actor, consultant: Consultant, role: str, hours: Decimal) -> BidMember:
    rules.same_currency(bid, consultant, "consultant")
    seat = BidMember.objects.select_for_update().filter(bid=bid, consultant=consultant).first()
    if seat is not None and seat.status in (M.INVITED, M.ACCEPTED):
        message = _("%(member)s is already invited to this bid.")
        raise ValidationError({"consultant": message % {"member": consultant}})
    if seat is None:
        seat = BidMember(bid=bid, consultant=consultant)
    seat.role, seat.estimated_hours, seat.standard_rate = role, hours, consultant.hourly_rate
    seat.status, seat.invited_by, seat.responded_at = M.INVITED, actor, None
    seat.decline_reason = ""
    seat.invited_at = timezone.now()
    seat.save()
    rules.record_event(
        bid, actor, "invited", consultant=consultant.pk, role=role, hours=rules.money_text(hours)
    )
    return seat


def bid_invite(
    *, bid_id: int, actor, consultant, role: str, estimated_hours, version: int | None = None
) -> BidMember:
    """Invite a member to the team. The agreement changes when they accept, not before."""
    consultant = rules.working_member(consultant)
    role = rules.parse_role(role)
    hours = rules.parse_estimated_hours(estimated_hours)
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        rules.require_manager(
            actor, bid, _("Only the bid's lead or a coordinator may invite members.")
        )
        rules.require_terms_open(bid)
        seats = bid.members.filter(status__in=[M.INVITED, M.ACCEPTED]).count()
        if seats >= rules.MAX_TEAM_SIZE:
            message = _("A team has at most %(count)s members, invitations included.")
            raise ValidationError({"consultant": message % {"count": rules.MAX_TEAM_SIZE}})
        seat = _invite(bid, actor, consultant, role, hours)
        rules.save_bid(bid)
    return seat


def bid_invite_team(*, bid_id: int, actor, version: int, members) -> list[BidMember]:
    """Invite a proposed team's members, ``(consultant, role, estimated_hours)`` each, one by
    one: all or none (one transaction), each invitation expecting the version the one before it
    left."""
    with transaction.atomic():
        return [
            bid_invite(
                bid_id=bid_id,
                actor=actor,
                consultant=consultant,
                role=role,
                estimated_hours=hours,
                version=version + offset,
            )
            for offset, (consultant, role, hours) in enumerate(members)
        ]


def bid_member_respond(
    *, bid_id: int, actor, accept: bool, reason: str = "", version: int | None = None
) -> BidMember:
    """The invited member accepts (joining the team: a new agreement version) or declines."""
    consultant = rules.consultant_of(actor)
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        seat = (
            BidMember.objects.select_for_update().filter(bid=bid, consultant=consultant).first()
            if consultant is not None
            else None
        )
        if seat is None:
            raise PermissionDenied(_("You are not invited to this bid."))
        rules.check_version(bid, version)
        # A closed team first: an invitation closed when the agreement came into force is
        # "this changed" (409), not "you may not" (403).
        rules.require_terms_open(bid)
        if seat.status == M.REMOVED:
            raise PermissionDenied(_("Your invitation to this bid was withdrawn."))
        if seat.status != M.INVITED:
            answer = str(seat.get_status_display()).lower()
            raise rules.BidConflict(
                _("You have already answered this invitation (%(answer)s).") % {"answer": answer},
                bid=bid,
            )
        seat.responded_at = timezone.now()
        if accept:
            if not consultant.can_be_offered_work:
                raise PermissionDenied(_("Only members who may be offered work can join a bid."))
            seat.status = M.ACCEPTED
            seat.save(update_fields=["status", "responded_at"])
            agreement = terms.write_version(bid, actor, f"{consultant} joined the team")
            rules.record_event(
                bid, actor, "joined", consultant=consultant.pk, agreement=agreement.number
            )
        else:
            seat.status, seat.decline_reason = (
                M.DECLINED,
                (reason or "").strip()[: rules.DECLINE_REASON_MAX],
            )
            seat.save(update_fields=["status", "responded_at", "decline_reason"])
            rules.record_event(
                bid, actor, "declined", note=seat.decline_reason, consultant=consultant.pk
            )
        rules.save_bid(bid)
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
        bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        rules.require_manager(actor, bid, CHANGES_THE_TEAM)
        rules.require_terms_open(bid)
        seat = (
            BidMember.objects.select_for_update()
            .filter(bid=bid, consultant_id=consultant_id, status__in=[M.INVITED, M.ACCEPTED])
            .first()
        )
        if seat is None:
            raise ValidationError({"consultant": _("Not on this bid's team.")})
        changed = []
        if role is not None and rules.parse_role(role) != seat.role:
            seat.role = rules.parse_role(role)
            changed.append("role")
        if estimated_hours is not None:
            hours = rules.parse_estimated_hours(estimated_hours)
            if hours != seat.estimated_hours:
                seat.estimated_hours = hours
                changed.append("estimated_hours")
        if not changed:
            return seat
        seat.save(update_fields=changed)
        agreement = None
        if seat.status == M.ACCEPTED:
            agreement = terms.write_version(
                bid, actor, f"{seat.consultant}'s role or hours changed"
            )
        rules.record_event(
            bid, actor, "member_changed", consultant=seat.consultant_id, role=seat.role,
            hours=rules.money_text(seat.estimated_hours),
            agreement=agreement.number if agreement else None,
        )  # fmt: skip
        rules.save_bid(bid)
    return seat


def bid_member_remove(
    *, bid_id: int, actor, consultant_id: int, version: int | None = None
) -> BidMember:
    """Take a member off the team (or withdraw their invitation); never the lead."""
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        rules.require_manager(actor, bid, CHANGES_THE_TEAM)
        rules.require_terms_open(bid)
        if consultant_id == bid.lead_id:
            raise ValidationError({"consultant": _("The lead cannot be removed from their bid.")})
        seat = (
            BidMember.objects.select_for_update()
            .filter(bid=bid, consultant_id=consultant_id, status__in=[M.INVITED, M.ACCEPTED])
            .first()
        )
        if seat is None:
            raise ValidationError({"consultant": _("Not on this bid's team.")})
        was_on_team = seat.status == M.ACCEPTED
        seat.status, seat.responded_at = M.REMOVED, timezone.now()
        seat.save(update_fields=["status", "responded_at"])
        agreement = None
        if was_on_team:
            agreement = terms.write_version(bid, actor, f"{seat.consultant} left the team")
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
        rules.record_event(
            bid, actor, "removed", from_status=from_status, consultant=seat.consultant_id,
            agreement=agreement.number if agreement else None,
        )  # fmt: skip
        rules.save_bid(bid, *fields)
    return seat
