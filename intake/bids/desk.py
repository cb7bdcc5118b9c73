"""What team bids put on the desk (``network.desk``): a working member's invitations to answer,
agreements to sign, hours to log and statements to approve.

Registered by ``BidsConfig.ready``. The panel reads two queries whatever the number of bids: the
four counts in one (``network.desk.count_all``) and the most urgent bids in one.
"""

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, Value, When
from django.db.models import IntegerField as Integer
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.bids.models import AgreementSignature, Bid, BidMember, Settlement, StatementApproval
from network import access as network_access
from network import desk

B = Bid.Status
M = BidMember.Status

# What waits on a bid, most urgent first: the rank orders the panel's list.
KINDS = ("to_approve", "to_sign", "invited", "at_work")
NOTES = {
    "to_approve": gettext_lazy("The statement is ready: approve it, or dispute it with a reason"),
    "to_sign": gettext_lazy("The agreement is out for signature: read it and sign"),
    "invited": gettext_lazy("You are invited to the team: accept or decline"),
    "at_work": gettext_lazy("The work is under way: log your hours"),
}
LABELS = {
    "invited": gettext_lazy("Invitations to answer"),
    "to_sign": gettext_lazy("Agreements to sign"),
    "at_work": gettext_lazy("Bids at work: log your hours"),
    "to_approve": gettext_lazy("Statements to approve"),
}


def waiting_on(consultant) -> dict[str, Q]:
    """For each kind of thing that waits on ``consultant``, the condition a bid meets."""
    seat = BidMember.objects.filter(bid=OuterRef("pk"), consultant=consultant)
    on_team = Exists(seat.filter(status=M.ACCEPTED))
    signed = Exists(
        AgreementSignature.objects.filter(
            version__bid=OuterRef("pk"), version__voided_at__isnull=True, consultant=consultant
        )
    )
    proposed = Exists(
        Settlement.objects.filter(bid=OuterRef("pk"), state=Settlement.State.PROPOSED)
    )
    approved = Exists(
        StatementApproval.objects.filter(
            settlement__bid=OuterRef("pk"),
            settlement__state=Settlement.State.PROPOSED,
            consultant=consultant,
        )
    )
    return {
        "invited": Q(status__in=Bid.TERMS_OPEN) & Q(Exists(seat.filter(status=M.INVITED))),
        "to_sign": Q(status=B.AGREEMENT_OUT) & Q(on_team) & ~Q(signed),
        "to_approve": Q(status=B.IN_PROGRESS) & Q(proposed) & Q(on_team) & ~Q(approved),
        "at_work": Q(status=B.IN_PROGRESS) & Q(on_team) & ~Q(proposed),
    }


def bids_panel(user, consultant) -> desk.DeskPanel:
    conditions = waiting_on(consultant)
    counted = desk.count_all(
        user, {kind: Bid.objects.filter(condition) for kind, condition in conditions.items()}
    )
    flags = {
        kind: ExpressionWrapper(condition, output_field=BooleanField())
        for kind, condition in conditions.items()
    }
    rank = Case(
        *(When(Q(**{kind: True}), then=Value(index)) for index, kind in enumerate(KINDS)),
        default=Value(len(KINDS)),
        output_field=Integer(),
    )
    any_waiting = Q()
    for condition in conditions.values():
        any_waiting |= condition
    rows = (
        Bid.objects.filter(any_waiting)
        .annotate(**flags)
        .annotate(rank=rank)
        .select_related("request")
        .only("pk", "due_date", "status", "request__reference", "request__title")
        .order_by("rank", "due_date", "pk")[: desk.ITEMS_SHOWN]
    )
    items = []
    for bid in rows:
        kind = next(kind for kind in KINDS if getattr(bid, kind))
        note = str(NOTES[kind])
        if kind == "invited" and bid.due_date:
            note = _(
                "You are invited to the team: accept or decline; the proposal is due %(date)s"
            ) % {"date": date_format(bid.due_date, "j F Y")}
        items.append(
            desk.DeskItem(
                title=bid.request.title,
                reference=bid.request.reference,
                url=bid.get_absolute_url(),
                note=note,
                urgent=kind != "at_work",
            )
        )
    my_bids = reverse("my-bids")
    return desk.DeskPanel(
        key="bids",
        title=_("Your team bids"),
        order=40,
        intro=_("Bids that wait for your answer, your signature, your hours or your approval."),
        counts=[desk.DeskCount(str(LABELS[kind]), counted[kind], my_bids) for kind in LABELS],
        items=items,
        items_title=_("Waiting for you"),
        empty_text=_("No bid is waiting for you: no invitation, agreement, hours or statement."),
        link_url=my_bids,
        link_text=_("All my bids"),
    )


def panels(user):
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return None
    return [bids_panel(user, consultant)]


def counts(user):
    """My bids: bids with an invitation to answer, an agreement to sign or a statement to
    approve (hours to log are ongoing work, not a step waiting for the member)."""
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return None
    conditions = waiting_on(consultant)
    waiting = conditions["invited"] | conditions["to_sign"] | conditions["to_approve"]
    return [("my_bids", Bid.objects.filter(waiting))]


def register() -> None:
    desk.register("bids", panels, counts=counts)
