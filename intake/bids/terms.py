"""The terms of a team bid and its shared-risk rate agreement: the figures, the numbered
versions, changes of the terms, and the members' signatures.

Agreements (docs/architecture.md, "Shared-risk rate agreements"): each change to the price, the
alliance share, the split mode or the team (a member joining or leaving, their planned hours or
role, ``intake.bids.team``) writes a new ``AgreementVersion`` and voids the one before, and with
it every signature on it. When every member on the team has signed the current version it is in
force and the terms are frozen: the service refuses any change (409) and database triggers refuse
the write itself. Sending the agreement out and withdrawing the bid are moves of the bid
(``intake.bids.states``).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from intake.bids import documents, money, rules
from intake.bids.models import AgreementSignature, AgreementVersion, Bid, BidMember

B = Bid.Status
M = BidMember.Status

# The worked examples every agreement shows before anyone signs.
OVERRUN_FACTOR = Decimal("1.2")
EARLY_FACTOR = Decimal("0.8")


def agreement_terms(bid: Bid, seats: list[BidMember]) -> dict:
    """The figures of the agreement for ``bid`` with ``seats`` as its team, as strings.

    Computed by the same functions that will settle the bid (``intake.bids.money``), so the
    planned payouts and the worked examples are what the split will really do.
    """
    pool = money.pool_after_share(bid.price, bid.alliance_share_percent)
    shares = [(seat.estimated_hours, seat.standard_rate) for seat in seats]
    planned_hours = sum((seat.estimated_hours for seat in seats), Decimal("0"))
    if bid.split_mode == Bid.SplitMode.RATE_WEIGHTED and not any(rate for _h, rate in shares):
        # Members may charge 0 (pro bono), but then there is nothing to weigh the pool by.
        raise ValidationError(
            {
                "split_mode": _(
                    "Rate weighted needs at least one member with a standard rate above 0; "
                    "every rate on this team is 0. Use equal rate."
                )
            }
        )
    planned = money.split_pool(pool, shares, bid.split_mode)
    overrun = money.worked_example(pool, shares, bid.split_mode, OVERRUN_FACTOR)
    early = money.worked_example(pool, shares, bid.split_mode, EARLY_FACTOR)
    members = []
    for index, seat in enumerate(seats):
        hours = seat.estimated_hours
        members.append(
            {
                "consultant": seat.consultant_id,
                "name": seat.consultant.display_name,
                "role": seat.role,
                "lead": seat.consultant_id == bid.lead_id,
                "estimated_hours": rules.money_text(hours),
                "standard_rate": rules.money_text(seat.standard_rate),
                "planned_payout": rules.money_text(planned[index]),
                "planned_rate": rules.money_text(money.effective_rate(planned[index], hours)),
                "overrun_hours": rules.money_text(hours * OVERRUN_FACTOR),
                "overrun_payout": rules.money_text(overrun[index]),
                "overrun_rate": rules.money_text(
                    money.effective_rate(overrun[index], hours * OVERRUN_FACTOR)
                ),
                "early_hours": rules.money_text(hours * EARLY_FACTOR),
                "early_payout": rules.money_text(early[index]),
                "early_rate": rules.money_text(
                    money.effective_rate(early[index], hours * EARLY_FACTOR)
                ),
            }
        )
    return {
        "reference": bid.request.reference,
        "title": bid.request.title,
        "currency": bid.currency,
        "price": rules.money_text(bid.price),
        "alliance_share_percent": rules.money_text(bid.alliance_share_percent),
        "alliance_amount": rules.money_text(bid.price - pool),
        "pool": rules.money_text(pool),
        "split_mode": bid.split_mode,
        # The signed text is one document for the whole team: its figures are kept in English.
        "split_mode_label": english(Bid.SplitMode(bid.split_mode).label),
        "planned_hours": rules.money_text(planned_hours),
        "planned_blended_rate": rules.money_text(money.planned_blended_rate(pool, planned_hours)),
        "overrun_percent": "20",
        "early_percent": "20",
        "members": members,
    }


def english(text) -> str:
    """``text`` (a translatable label) in English, as the agreement's stored figures keep it."""
    with translation.override("en"):
        return str(text)


def write_version(bid: Bid, actor, reason: str) -> AgreementVersion:
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
            raise rules.BidConflict(
                _("The agreement is in force and can no longer change."), bid=bid
            )
        AgreementVersion.objects.filter(pk=current.pk).update(voided_at=now)
    number = (current.number + 1) if current is not None else 1
    terms = agreement_terms(bid, rules.team_members(bid))
    document = documents.agreement_text(bid, terms, number)
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
        bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        rules.require_manager(
            actor, bid, _("Only the bid's lead or a coordinator may change the terms.")
        )
        changed: list[str] = []
        updates = {
            "price": rules.parse_price(price) if price is not None else None,
            "alliance_share_percent": rules.parse_share(alliance_share_percent)
            if alliance_share_percent is not None
            else None,
            "split_mode": rules.parse_split_mode(split_mode) if split_mode is not None else None,
        }
        for field_name, value in updates.items():
            if value is not None and value != getattr(bid, field_name):
                changed.append(field_name)
        if due_date is not None and due_date != bid.due_date:
            if due_date < timezone.localdate():
                raise ValidationError({"due_date": _("The due date has passed.")})
            if bid.status in Bid.CLOSED:
                raise rules.BidConflict(
                    _("The bid is %(status)s.") % {"status": rules.status_text(bid)}, bid=bid
                )
        if changed:
            rules.require_terms_open(bid)
        if not changed and (due_date is None or due_date == bid.due_date):
            return bid
        before = {
            name: rules.money_text(getattr(bid, name)) for name in changed if name != "split_mode"
        }
        for field_name in changed:
            setattr(bid, field_name, updates[field_name])
        fields = list(changed)
        if due_date is not None and due_date != bid.due_date:
            bid.due_date = due_date
            fields.append("due_date")
        rules.save_bid(bid, *fields)
        agreement = None
        if changed:
            labels = {"price": "price", "alliance_share_percent": "alliance share",
                      "split_mode": "split mode"}  # fmt: skip
            agreement = write_version(
                bid, actor, "Changed " + ", ".join(labels[name] for name in changed)
            )
        rules.record_event(
            bid, actor, "terms_changed", changed=fields, before=before,
            price=rules.money_text(bid.price), share=rules.money_text(bid.alliance_share_percent),
            split_mode=bid.split_mode, agreement=agreement.number if agreement else None,
        )  # fmt: skip
    return bid


def agreement_sign(*, bid_id: int, actor, agreement_version: int) -> AgreementSignature:
    """Sign version ``agreement_version`` of the bid's agreement.

    Refused with 403 for anyone not on the team, and with 409 when the version is no longer the
    current one (someone changed the terms since the member read them) or the agreement is not
    out for signature. Signing twice answers the first signature. When the last member signs,
    the version comes into force and the bid is signed.
    """
    consultant = rules.consultant_of(actor)
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        on_team = (
            consultant is not None
            and bid.members.filter(consultant=consultant, status=M.ACCEPTED).exists()
        )
        if not on_team:
            raise PermissionDenied(_("Only members on the bid's team sign its agreement."))
        agreement = (
            AgreementVersion.objects.select_for_update()
            .filter(bid=bid, voided_at__isnull=True)
            .order_by("-number")
            .first()
        )
        if agreement is None or agreement.number != agreement_version:
            current = agreement.number if agreement else pgettext("agreement version", "none")
            message = _(
                "Version %(number)s is no longer the agreement (the current version is "
                "%(current)s); read the current version and sign that."
            )
            raise rules.BidConflict(
                message % {"number": agreement_version, "current": current}, bid=bid
            )
        existing = agreement.signatures.filter(consultant=consultant).first()
        if existing is not None:
            return existing
        if bid.status != B.AGREEMENT_OUT:
            raise rules.BidConflict(
                _("The agreement has not been sent for signature yet.")
                if bid.status == B.DRAFT
                else _("A bid that is %(status)s takes no signatures.")
                % {"status": rules.status_text(bid)},
                bid=bid,
            )
        signature = AgreementSignature.objects.create(version=agreement, consultant=consultant)
        rules.record_event(
            bid, actor, "signed", consultant=consultant.pk, agreement=agreement.number
        )
        on_team_ids = set(
            bid.members.filter(status=M.ACCEPTED).values_list("consultant_id", flat=True)
        )
        signed_ids = set(agreement.signatures.values_list("consultant_id", flat=True))
        if on_team_ids <= signed_ids:
            now = timezone.now()
            AgreementVersion.objects.filter(pk=agreement.pk).update(in_force_at=now)
            from_status = bid.status
            bid.status = B.SIGNED
            rules.record_event(
                bid, None, "in_force", from_status=from_status, agreement=agreement.number
            )
            # The team is fixed now: an invitation still open could only be answered with a
            # 409, and would keep showing the invitee the money. Close it, on the record.
            pending = list(bid.members.select_for_update().filter(status=M.INVITED).order_by("pk"))
            for seat in pending:
                seat.status, seat.responded_at = M.REMOVED, now
                seat.save(update_fields=["status", "responded_at"])
                rules.record_event(bid, None, "invitation_closed", consultant=seat.consultant_id)
        rules.save_bid(bid, "status")
    return signature
