"""What the pages say after a move or a refused one, in plain words: what happened to what.

``move_message`` answers "REQ-2026-0009 routed to the Web group." rather than "route — done";
``refusal_message`` explains a refused move (``WorkflowConflict``) above the fresh state.
"""

from django.utils import timezone
from django.utils.formats import date_format

from intake.models import Offer, Request, RequestEvent
from network.models import ConsultantGroup, ExternalProfessional


def group_phrase(name: str) -> str:
    """ "Web" → "the Web group"; a name that says it is a group stays as it is."""
    return name if "group" in name.lower() else f"the {name} group"


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "l j F, H:i")


def _offer_made(reference: str, event: RequestEvent) -> str:
    offer = (
        Offer.objects.select_related("consultant")
        .filter(pk=event.data.get("offer"))
        .only("expires_at", "consultant__display_name")
        .first()
    )
    if offer is None:
        return f"{reference} offered to a member."
    return (
        f"Offer of {reference} made to {offer.consultant.display_name}; they have until "
        f"{_when(offer.expires_at)} to answer."
    )


def _routed(reference: str, event: RequestEvent) -> str:
    if event.data.get("offer"):  # routed straight to one member: an offer
        return _offer_made(reference, event)
    name = event.data.get("group_name")
    if not name:
        name = (
            ConsultantGroup.objects.filter(pk=event.data.get("group"))
            .values_list("name", flat=True)
            .first()
        )
    return f"{reference} routed to {group_phrase(name)}." if name else f"{reference} routed."


def _referred(reference: str, event: RequestEvent) -> str:
    names = list(
        ExternalProfessional.objects.filter(pk__in=event.data.get("professionals", []))
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
    if not names:
        return f"{reference} referred to outside professionals."
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{reference} referred to {listed}; the client has been sent their details."


_PLAIN = {
    "contact": "First contact with the client of {reference} recorded.",
    "triage": "{reference} triaged.",
    "accept": "You accepted {reference}: the client's contact details are in My engagements.",
    "decline": "You declined {reference}; it goes back to the coordinator.",
    "start_bidding": "{reference} opened for team bids.",
    "withdraw": "{reference} withdrawn.",
    "mark_spam": "{reference} closed as spam.",
    "report_done": "Work on {reference} reported done; a coordinator will confirm it with the "
    "client and mark it completed.",
    "complete": "{reference} marked completed.",
    "submit_bid": "The team's bid on {reference} sent to the client.",
    "win_bid": "The client took the team's bid on {reference}; the team is engaged.",
    "lose_bid": "The client turned down the team's bid on {reference}; the request is closed.",
}


def move_message(client_request: Request, event: RequestEvent) -> str:
    """The page's message once ``event`` (a move just made on ``client_request``) committed."""
    reference = client_request.reference
    if event.action == "route":
        return _routed(reference, event)
    if event.action == "offer":
        return _offer_made(reference, event)
    if event.action == "refer_out":
        return _referred(reference, event)
    template = _PLAIN.get(event.action)
    if template is not None:
        return template.format(reference=reference)
    return f"{reference}: {event.action.replace('_', ' ')} recorded."


def refusal_message(client_request: Request, conflict, version: int | None) -> str:
    """Why a move on ``client_request`` was refused (a ``WorkflowConflict``): a page read at an
    older ``version``, or the conflict's own reason; nothing was changed either way."""
    reference = client_request.reference
    if version is not None and conflict.version is not None and version != conflict.version:
        status = dict(Request.Status.choices).get(conflict.status, conflict.status or "")
        return (
            f"{reference} changed while you were looking at it, so nothing was done: it is now "
            f"{str(status).lower()}. Here is its current state; check it, then try again if "
            "your action still makes sense."
        )
    return f"Nothing was done to {reference}: {conflict}"
