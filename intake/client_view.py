"""What a client may see of their own request, in plain words: for the status page and the API.

Clients follow their request by a private link and never sign in. They see the stage, what
happens next and by when, the path their request takes (a stepper) and the history of stages;
then one story for the kind of help they get: a single consultant's name and contact (they agree
the scope and the rate with them), a team's fixed-price proposal with the team's names and the
lead's contact, or the outside professionals recommended and the message. Never internal notes,
event data, who made a move, other candidates or anyone's rates (docs/architecture.md, "The
request workflow").
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from intake import cover, hooks
from intake.models import Offer, Request, RequestEvent
from network.db import FixedQuery

S = Request.Status

# The kinds of help a request leads to; each tells its own story and has its own path.
SINGLE = "single"  # one consultant (offered → engaged → completed); the default until it is not
TEAM = "team"  # a team's fixed-price proposal (bidding → bid_submitted → engaged or lost)
REFERRAL = "referral"  # outside professionals recommended (referred_out)
CLOSED = "closed"  # withdrawn or closed as spam (their links answer 404; kept for completeness)
KINDS = (SINGLE, TEAM, REFERRAL, CLOSED)

# The stage in the client's words, and what happens next. Withdrawn and spam requests are never
# shown (their link answers 404); their words are here so every status has some.
STAGE_LABELS: dict[str, str] = {
    S.SUBMITTED: _("Received"),
    S.CONTACTED: _("We have been in touch"),
    S.TRIAGED: _("Finding the right people"),
    S.ROUTED: _("With a group of consultants"),
    S.OFFERED: _("Offered to a consultant"),
    S.ENGAGED: _("A consultant is working with you"),
    S.COMPLETED: _("Completed"),
    S.BIDDING: _("A team is preparing a proposal"),
    S.BID_SUBMITTED: _("Team proposal sent"),
    S.LOST: _("Closed: the team proposal was not taken up"),
    S.REFERRED_OUT: _("Referred to outside professionals"),
    S.WITHDRAWN: _("Withdrawn"),
    S.CLOSED_SPAM: _("Closed"),
}
# Where a team's story reads differently from one consultant's.
TEAM_STAGE_LABELS: dict[str, str] = {S.ENGAGED: _("The team is working with you")}

NEXT_STEPS: dict[str, str] = {
    S.SUBMITTED: _("An intake coordinator will contact you to talk through your request."),
    S.CONTACTED: _("We are working out what you need and who could help."),
    S.TRIAGED: _("We are choosing the group of consultants or the member best placed to help."),
    S.ROUTED: _("A group coordinator is choosing a member to offer your request to."),
    S.OFFERED: _("A member is considering it."),
    S.ENGAGED: _("Your consultant works with you directly; contact them with any question."),
    S.COMPLETED: _("Nothing more to do. Write to us whenever you need help again."),
    S.BIDDING: _("Several members are preparing a joint proposal for you."),
    S.BID_SUBMITTED: _("Read the team's proposal; its lead will follow up with you."),
    S.LOST: _("Nothing more to do. Write to us whenever you need help again."),
    S.REFERRED_OUT: _(
        "Contact the professionals we recommend below; they are not part of the "
        "alliance and will agree terms with you directly."
    ),
    S.WITHDRAWN: _("Your request is closed. Write to us whenever you need help again."),
    S.CLOSED_SPAM: _("This request is closed."),
}
TEAM_NEXT_STEPS: dict[str, str] = {
    S.ENGAGED: _("The team works with you directly; write to its lead with any question."),
}


def stage_label(status: str, kind: str = SINGLE) -> str:
    if kind == TEAM and status in TEAM_STAGE_LABELS:
        return TEAM_STAGE_LABELS[status]
    return STAGE_LABELS.get(status, _("In progress"))


def next_step(status: str, kind: str = SINGLE) -> str:
    if kind == TEAM and status in TEAM_NEXT_STEPS:
        return TEAM_NEXT_STEPS[status]
    return NEXT_STEPS.get(status, "")


# --- The path: a stepper of plain-language stages --------------------------------------------


@dataclass(frozen=True)
class Step:
    """One stage of the path: ``state`` is "done", "current" or "upcoming"."""

    key: str
    label: str
    state: str

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def is_done(self) -> bool:
        return self.state == "done"


# Each kind's path: (key, label, the statuses at which this stage is where the request stands).
# Until a request becomes a team's or a referral it is on the single consultant's path, so the
# other paths name only the statuses a request of their kind can be in.
_RECEIVED = ("received", _("Received"), (S.SUBMITTED,))
_CONTACTED = ("contacted", _("We contacted you"), (S.CONTACTED,))
PATHS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    SINGLE: (
        _RECEIVED,
        _CONTACTED,
        ("matching", _("Finding your consultant"), (S.TRIAGED, S.ROUTED, S.OFFERED)),
        ("working", _("Work under way"), (S.ENGAGED,)),
        ("done", _("Done"), (S.COMPLETED,)),
    ),
    TEAM: (
        _RECEIVED,
        _CONTACTED,
        ("preparing", _("A team is preparing a proposal"), (S.BIDDING,)),
        ("proposed", _("Proposal sent"), (S.BID_SUBMITTED,)),
        ("working", _("Work under way"), (S.ENGAGED,)),
        ("done", _("Done"), (S.COMPLETED,)),
    ),
    REFERRAL: (
        _RECEIVED,
        _CONTACTED,
        ("referred", _("Referred to other professionals"), (S.REFERRED_OUT,)),
    ),
    CLOSED: (_RECEIVED, ("closed", _("Closed"), (S.WITHDRAWN, S.CLOSED_SPAM))),
}
# A team's proposal the client did not take ends the team's path early.
_TEAM_NOT_TAKEN = (
    *PATHS[TEAM][:4],
    ("not_taken", _("Proposal not taken up"), (S.LOST,)),
)
_WITHDRAWN_LABEL = _("Withdrawn")


def client_kind(status: str, *, team: bool = False) -> str:
    """The kind of help a request in ``status`` leads to; ``team``: a team's proposal was sent
    for it (an engaged or completed request may be a team's work)."""
    if status == S.REFERRED_OUT:
        return REFERRAL
    if status in Request.HIDDEN_FROM_CLIENT:
        return CLOSED
    if team or status in (S.BIDDING, S.BID_SUBMITTED, S.LOST):
        return TEAM
    return SINGLE


def client_steps(status: str, kind: str) -> list[Step]:
    """The path a request of ``kind`` goes through, each stage done, current or upcoming:
    the stage where a request in ``status`` stands is current, those before it done."""
    path = PATHS[kind]
    if kind == TEAM and status == S.LOST:
        path = _TEAM_NOT_TAKEN
    at = next(
        (index for index, (_key, _label, statuses) in enumerate(path) if status in statuses), None
    )
    steps = []
    for index, (key, label, _statuses) in enumerate(path):
        if key == "closed" and status == S.WITHDRAWN:
            label = _WITHDRAWN_LABEL
        if at is None or index > at:
            state = "upcoming"
        elif index == at:
            state = "current"
        else:
            state = "done"
        steps.append(Step(key, label, state))
    return steps


# --- What the client reads -------------------------------------------------------------------


def _next_step_by(request: Request) -> datetime.datetime | None:
    if request.status == S.SUBMITTED:
        return request.response_due_at
    if request.status == S.OFFERED:
        # Only the deadline is shown; who holds the offer stays private.
        offer = request.offers.filter(status=Offer.Status.PENDING).only("expires_at").first()
        return offer.expires_at if offer else None
    return None


# Every visit to a status page reads them: compiled once (network.db.FixedQuery).
_STAGES = FixedQuery(
    lambda request_id: (
        RequestEvent.objects.filter(request_id=request_id)
        .exclude(to_status="")
        .order_by("created_at", "pk")
        .values_list("to_status", "created_at")
    ),
    -1,
)


def _history(request: Request, kind: str) -> list[dict]:
    """One entry per stage reached; a move that keeps the stage (re-routing, the work reported
    done) adds none."""
    history: list[dict] = []
    for stage, at in _STAGES.rows(request.pk):
        if history and history[-1]["stage"] == stage:
            continue
        history.append({"stage": stage, "stage_label": stage_label(stage, kind), "at": at})
    return history


def _consultant(request: Request, kind: str) -> dict | None:
    """The one consultant serving the client; a team's members are the team's story."""
    if kind != SINGLE or request.status not in (S.ENGAGED, S.COMPLETED):
        return None
    consultant = request.engaged_consultant
    if consultant is None:
        return None
    return {
        "display_name": consultant.display_name,
        "email": consultant.user.email,
        "website": consultant.website,
    }


def _cover(request: Request, kind: str) -> dict | None:
    """Who to contact while the consultant is away (``intake.cover``), only during that time."""
    if kind != SINGLE or request.status != S.ENGAGED:
        return None
    if hasattr(request, "cover_display_name"):  # read with the request (the status token's)
        if request.cover_display_name is None or request.cover_until is None:
            return None
        return {name: getattr(request, f"cover_{name}") for name in cover.CLIENT_COVER_FIELDS}
    found = cover.request_cover(request)
    if found is None or found.covering is None:
        return None
    return {
        "display_name": found.covering.display_name,
        "email": found.covering.user.email,
        "website": found.covering.website,
        "until": found.time_away.end,
    }


def _referral(request: Request) -> dict | None:
    if request.status != S.REFERRED_OUT:
        return None
    referral = request.referrals.prefetch_related("professionals").first()
    if referral is None:
        return None
    return {
        "message": referral.message,
        "sent_at": referral.sent_at,
        "professionals": [
            {
                "name": professional.name,
                "organization": professional.organization,
                "email": professional.email,
                "phone": professional.phone,
                "website": professional.website,
            }
            for professional in sorted(referral.professionals.all(), key=lambda p: (p.name, p.pk))
        ],
    }


def client_status(request: Request) -> dict:
    """The client's view of ``request`` (as loaded by ``services.request_for_status_token``).

    Keys: ``kind`` (single, team, referral or closed), ``stage``, ``stage_label``,
    ``next_step``, ``next_step_by`` (datetime or None), ``steps`` ([Step]: the kind's path),
    ``history`` ([{stage, stage_label, at}]), ``consultant`` ({display_name, email, website}
    once one consultant is engaged, else None), ``cover`` ({display_name, email, website,
    until}: who to contact while that consultant is away, only then; else None), ``referral``
    ({message, sent_at, professionals: [{name, organization, email, phone, website}]} once
    referred out, else None), ``bid``
    ({price, currency, team: [names], members: [{display_name, lead, email}], submitted_at}
    once a team's proposal is sent, else None; from the ``client_status`` hook, whose receivers
    decide what a client may see of it).
    """
    extra = hooks.merged(hooks.client_status, request=request)
    kind = client_kind(request.status, team=extra.pop("kind", None) == TEAM)
    return {
        "kind": kind,
        "stage": request.status,
        "stage_label": stage_label(request.status, kind),
        "next_step": next_step(request.status, kind),
        "next_step_by": _next_step_by(request),
        "steps": client_steps(request.status, kind),
        "history": _history(request, kind),
        "consultant": _consultant(request, kind),
        "cover": _cover(request, kind),
        "referral": _referral(request),
        "bid": None,
        **extra,
    }
