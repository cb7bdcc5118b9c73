"""What a client may see of their own request, in plain words: for the status page and the API.

Clients follow their request by a private link and never sign in. They see the stage, what
happens next and by when, and the history of stages; once a member serves them, that member's
name and contact; once referred out, the professionals recommended and the message. Never
internal notes, event data, who made a move, other candidates or anyone's rates
(docs/architecture.md,
"The request workflow").
"""

import datetime

from intake import hooks
from intake.models import Offer, Request

S = Request.Status

# The stage in the client's words, and what happens next. Withdrawn and spam requests are never
# shown (their link answers 404), so they need no words here.
STAGE_LABELS: dict[str, str] = {
    S.SUBMITTED: "Received",
    S.CONTACTED: "We have been in touch",
    S.TRIAGED: "Finding the right people",
    S.ROUTED: "With a group of consultants",
    S.OFFERED: "Offered to a consultant",
    S.ENGAGED: "A consultant is working with you",
    S.COMPLETED: "Completed",
    S.BIDDING: "A team is preparing a proposal",
    S.BID_SUBMITTED: "Team proposal sent",
    S.LOST: "Closed: the team proposal was not taken up",
    S.REFERRED_OUT: "Referred to outside professionals",
}

NEXT_STEPS: dict[str, str] = {
    S.SUBMITTED: "An intake coordinator will contact you to talk through your request.",
    S.CONTACTED: "We are working out what you need and who could help.",
    S.TRIAGED: "We are choosing the group of consultants or the member best placed to help.",
    S.ROUTED: "A group coordinator is choosing a member to offer your request to.",
    S.OFFERED: "A member is considering it.",
    S.ENGAGED: "Your consultant works with you directly; contact them with any question.",
    S.COMPLETED: "Nothing more to do. Write to us whenever you need help again.",
    S.BIDDING: "Several members are preparing a joint proposal for you.",
    S.BID_SUBMITTED: "Read the team's proposal; they will follow up with you.",
    S.LOST: "Nothing more to do. Write to us whenever you need help again.",
    S.REFERRED_OUT: "Contact the professionals we recommend below; they are not part of the "
    "alliance and will agree terms with you directly.",
}


def stage_label(status: str) -> str:
    return STAGE_LABELS.get(status, "In progress")


def _next_step_by(request: Request) -> datetime.datetime | None:
    if request.status == S.SUBMITTED:
        return request.response_due_at
    if request.status == S.OFFERED:
        # Only the deadline is shown; who holds the offer stays private.
        offer = request.offers.filter(status=Offer.Status.PENDING).only("expires_at").first()
        return offer.expires_at if offer else None
    return None


def _history(request: Request) -> list[dict]:
    """One entry per stage reached; a move that keeps the stage (re-routing) adds none."""
    history: list[dict] = []
    stages = (
        request.events.exclude(to_status="")
        .order_by("created_at", "pk")
        .values_list("to_status", "created_at")
    )
    for stage, at in stages:
        if history and history[-1]["stage"] == stage:
            continue
        history.append({"stage": stage, "stage_label": stage_label(stage), "at": at})
    return history


def _consultant(request: Request) -> dict | None:
    if request.status not in (S.ENGAGED, S.COMPLETED) or request.engaged_consultant is None:
        return None
    consultant = request.engaged_consultant
    return {
        "display_name": consultant.display_name,
        "email": consultant.user.email,
        "website": consultant.website,
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

    Keys: ``stage``, ``stage_label``, ``next_step``, ``next_step_by`` (datetime or None),
    ``history`` ([{stage, stage_label, at}]), ``consultant`` ({display_name, email, website}
    once engaged, else None), ``referral`` ({message, sent_at, professionals: [{name,
    organization, email, phone, website}]} once referred out, else None), ``bid``
    ({price, currency, team: [names], submitted_at} once a team bid is sent, else None).
    """
    return {
        "stage": request.status,
        "stage_label": stage_label(request.status),
        "next_step": NEXT_STEPS.get(request.status, ""),
        "next_step_by": _next_step_by(request),
        "history": _history(request),
        "consultant": _consultant(request),
        "referral": _referral(request),
        "bid": None,
        **hooks.merged(hooks.client_status, request=request),
    }
