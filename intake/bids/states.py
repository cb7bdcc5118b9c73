"""The moves of a team bid: one table (``BID_MOVES``) and one door (``bid_apply``).

A move names the statuses it starts from, the status it ends in, who may make it and its effect
(``network.states.Move``). ``bid_apply`` locks the bid (its request first, for the moves that
move the request too), checks the expected ``version``, the bid's status and the actor's right,
in that order, as ``intake.workflow.request_apply`` does for requests; then it runs the move's
effect, saves the bid with its version bumped and writes one ``BidEvent``, all in one
transaction. A stale version or a move the status does not allow raises ``BidConflict`` (409),
an actor without the right ``PermissionDenied`` (403), a bad field ``ValidationError`` (400);
in every case nothing is changed.

Submitting the bid and the client's answer (win, lose) are the request's moves as much as the
bid's: their effect makes the request's move (``submit_bid``, ``win_bid``, ``lose_bid``) through
``request_apply``, whose own effect (``intake.bids.request_moves``) moves the bid and writes its
event in the same transaction.

Other status changes follow from another step, and that step's service makes them: the last
signature puts the agreement in force (signed, ``intake.bids.terms``); taking the last member
besides the lead off an agreement out for signature puts it back to draft
(``intake.bids.team``); the statement's last approval settles the bid
(``intake.bids.settlement``); a request closed under the bid withdraws it
(``intake.bids.request_moves``).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import access
from intake.bids import access as bid_access
from intake.bids import rules, terms
from intake.bids.models import Bid, BidMember
from intake.workflow import WorkflowConflict
from network.states import Move, move_for, table

B = Bid.Status
M = BidMember.Status


@dataclass(frozen=True)
class Done:
    """What a move's effect did besides the status: the action of its ``BidEvent``, the other
    fields of the bid it changed, and the event's note and data."""

    event: str
    fields: tuple[str, ...] = ()
    note: str = ""
    data: dict = field(default_factory=dict)


# --- Who may make each move ------------------------------------------------------------------


def _manages(actor, bid: Bid) -> bool:
    return bid_access.manages_bid(actor, bid)


def _submits(actor, bid: Bid) -> bool:
    return bid_access.submits_bid(actor, bid.request)


def _records_the_answer(actor, bid: Bid) -> bool:
    return access.works_the_queue(actor, bid.request)


# --- The effects -----------------------------------------------------------------------------
# Each takes the locked bid, the actor, the move and its fields, and returns what it did
# (``Done``), or None when the request's move has moved the bid and written its event.


def _send(bid: Bid, actor, move: Move) -> Done:
    if bid.members.filter(status=M.ACCEPTED).count() < 2:
        raise ValidationError(
            {"team": _("A team bid needs at least one member besides the lead on the team.")}
        )
    return Done("sent", data={"agreement": terms.current_agreement(bid).number})


def _withdraw(bid: Bid, actor, move: Move, note: str = "") -> Done:
    bid.decided_at = timezone.now()
    return Done("withdrawn", ("decided_at",), note=(note or "").strip())


def _start(bid: Bid, actor, move: Move) -> Done:
    bid.work_started_on = timezone.localdate()
    return Done(
        "started",
        ("work_started_on",),
        data={"work_started_on": bid.work_started_on.isoformat()},
    )


def _request_move(request_action: str):
    """The effect of a move the request makes with the bid: ``request_action`` on the request."""

    def effect(bid: Bid, actor, move: Move, note: str = "") -> None:
        try:
            rules.request_move(bid, request_action, actor, note)
        except WorkflowConflict as refusal:
            # The request refused (its own state or version): the caller sent the bid's
            # version, so the answer gives the bid's state, as it is (nothing changed).
            raise rules.BidConflict(str(refusal), bid=bid) from None

    return effect


BID_MOVES: dict[str, Move] = table(
    Move("send", (B.DRAFT,), B.AGREEMENT_OUT, _manages,
         gettext_lazy("Send the agreement for signature"), effect=_send),
    Move("withdraw", (B.DRAFT, B.AGREEMENT_OUT, B.SIGNED), B.WITHDRAWN, _manages,
         gettext_lazy("Withdraw the bid"), ("note",), effect=_withdraw),
    Move("submit", (B.SIGNED,), B.SUBMITTED, _submits,
         gettext_lazy("Send the signed bid to the client"), ("note",),
         effect=_request_move("submit_bid")),
    Move("win", (B.SUBMITTED,), B.WON, _records_the_answer,
         gettext_lazy("The client took the bid"), ("note",), effect=_request_move("win_bid")),
    Move("lose", (B.SUBMITTED,), B.LOST, _records_the_answer,
         gettext_lazy("The client turned the bid down"), ("note",),
         effect=_request_move("lose_bid")),
    Move("start", (B.WON,), B.IN_PROGRESS, _manages,
         gettext_lazy("Start the work"), effect=_start),
)  # fmt: skip

BID_ACTIONS = [action for action, move in BID_MOVES.items() if move.public]
# The moves that move the request too: the request's row is locked before the bid's.
MOVES_THE_REQUEST = ("submit", "win", "lose")
# action: (the refusal in another status, with the bid's status as %(status)s; the refusal of an
# actor without the right)
_DECIDED = gettext_lazy("A bid that is %(status)s cannot be decided.")
_ANSWER = gettext_lazy("Only intake coordinators record the client's answer.")
REFUSALS = {
    "send": (
        gettext_lazy("A bid that is %(status)s cannot be sent for signature."),
        gettext_lazy("Only the bid's lead or a coordinator may send the agreement."),
    ),
    "withdraw": (
        gettext_lazy("A bid that is %(status)s cannot be withdrawn."),
        gettext_lazy("Only the bid's lead or a coordinator may withdraw the bid."),
    ),
    "submit": (
        gettext_lazy("A bid that is %(status)s cannot be submitted."),
        gettext_lazy("Only the bid's lead or an intake coordinator submits it."),
    ),
    "win": (_DECIDED, _ANSWER),
    "lose": (_DECIDED, _ANSWER),
    "start": (
        gettext_lazy("A bid that is %(status)s cannot start."),
        gettext_lazy("Only the bid's lead or a coordinator may start the work."),
    ),
}


def bid_apply(*, bid_id: int, action: str, actor, version: int | None, **fields) -> Bid:
    """Make one move on a bid and return the bid as it is now.

    Raises ``BidConflict`` (a stale version, a move the status does not allow, or one the
    request refuses), ``PermissionDenied`` (the actor may not make this move) or
    ``ValidationError`` (a field the move does not take, or a team too small to send); in every
    case nothing is changed.
    """
    move = move_for(BID_MOVES, action, fields)
    with transaction.atomic():
        if action in MOVES_THE_REQUEST:
            bid = rules.lock_for_request_move(bid_id)
        else:
            bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        # The state before the right, as for requests: someone acting on a bid that has moved
        # on since they looked hears "this changed" (409), not "you may not" (403).
        rules.require_status(bid, move.sources, REFUSALS[action][0])
        if not move.may(actor, bid):
            raise PermissionDenied(str(REFUSALS[action][1]))
        from_status = bid.status
        done = move.effect(bid, actor, move, **fields)
        if done is None:  # the request's move has moved the bid and written its event
            return Bid.objects.get(pk=bid_id)
        bid.status = move.target
        rules.save_bid(bid, "status", *done.fields)
        rules.record_event(
            bid, actor, done.event, from_status=from_status, note=done.note, **done.data
        )
    return bid


# --- The services the pages call, one per move -------------------------------------------------
# They answer in the order the bid's services always did: a stale version (409), then the right
# (403), then the state (409); recording the client's answer checks the right even before the
# version. The door checks all three again under its lock.


def _as_before(action: str, *, bid_id: int, actor, version, right_first=False, **fields) -> Bid:
    move = move_for(BID_MOVES, action, fields)
    bid = Bid.objects.select_related("request").filter(pk=bid_id).first()
    if bid is not None:
        if not right_first:
            rules.check_version(bid, version)
        if not move.may(actor, bid):
            raise PermissionDenied(str(REFUSALS[action][1]))
        if right_first:
            rules.check_version(bid, version)
    return bid_apply(bid_id=bid_id, action=action, actor=actor, version=version, **fields)


def bid_send(*, bid_id: int, actor, version: int | None = None) -> Bid:
    """Send the current agreement to the team for signature (draft → agreement out)."""
    return _as_before("send", bid_id=bid_id, actor=actor, version=version)


def bid_withdraw(*, bid_id: int, actor, note: str = "", version: int | None = None) -> Bid:
    """The team gives up before the bid reaches the client; the request stays open for bids."""
    return _as_before("withdraw", bid_id=bid_id, actor=actor, version=version, note=note)


def bid_submit(*, bid_id: int, actor, note: str = "", version: int | None = None) -> Bid:
    """Send the signed bid to the client: the request moves to ``bid_submitted``."""
    return _as_before("submit", bid_id=bid_id, actor=actor, version=version, note=note)


def bid_decide(*, bid_id: int, actor, won: bool, note: str = "", version: int | None = None) -> Bid:
    """Record the client's answer: won (the request is engaged) or lost (the request is lost)."""
    return _as_before(
        "win" if won else "lose",
        bid_id=bid_id,
        actor=actor,
        version=version,
        right_first=True,
        note=note,
    )


def bid_start(*, bid_id: int, actor, version: int | None = None) -> Bid:
    """The lead starts the work of a won bid: members log hours from today on."""
    return _as_before("start", bid_id=bid_id, actor=actor, version=version)
