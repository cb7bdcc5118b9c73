"""What the pages say after a move or a refused one, in plain words: what happened to what.

``move_message`` answers "REQ-2026-0009 routed to the Web group." rather than "route — done";
``refusal_message`` explains a refused move (``WorkflowConflict``) above the fresh state.
"""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from intake.models import Offer, Request, RequestEvent
from network.models import ConsultantGroup, ExternalProfessional


def group_phrase(name: str) -> str:
    """ "Web" → "the Web group"; a name that says it is a group stays as it is."""
    if "group" in name.lower():
        return name
    return _("the %(name)s group") % {"name": name}


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
        return _("%(reference)s offered to a member.") % {"reference": reference}
    return _("Offer of %(reference)s made to %(name)s; they have until %(deadline)s to answer.") % {
        "reference": reference,
        "name": offer.consultant.display_name,
        "deadline": _when(offer.expires_at),
    }


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
    if not name:
        return _("%(reference)s routed.") % {"reference": reference}
    return _("%(reference)s routed to %(group)s.") % {
        "reference": reference,
        "group": group_phrase(name),
    }


def _referred(reference: str, event: RequestEvent) -> str:
    names = list(
        ExternalProfessional.objects.filter(pk__in=event.data.get("professionals", []))
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
    if not names:
        return _("%(reference)s referred to outside professionals.") % {"reference": reference}
    listed = names[0]
    if len(names) > 1:
        listed = _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
    return _("%(reference)s referred to %(names)s; the client has been sent their details.") % {
        "reference": reference,
        "names": listed,
    }


_PLAIN = {
    "contact": _("First contact with the client of %(reference)s recorded."),
    "triage": _("%(reference)s triaged."),
    "accept": _("You accepted %(reference)s: the client's contact details are in My engagements."),
    "decline": _("You declined %(reference)s; it goes back to the coordinator."),
    "start_bidding": _("%(reference)s opened for team bids."),
    "withdraw": _("%(reference)s withdrawn."),
    "mark_spam": _("%(reference)s closed as spam."),
    "report_done": _(
        "Work on %(reference)s reported done; a coordinator will confirm it with the "
        "client and mark it completed."
    ),
    "complete": _("%(reference)s marked completed."),
    "submit_bid": _("The team's bid on %(reference)s sent to the client."),
    "win_bid": _("The client took the team's bid on %(reference)s; the team is engaged."),
    "lose_bid": _("The client turned down the team's bid on %(reference)s; the request is closed."),
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
        return template % {"reference": reference}
    return _("%(reference)s: %(action)s recorded.") % {
        "reference": reference,
        "action": event.action.replace("_", " "),
    }


def refusal_message(client_request: Request, conflict, version: int | None) -> str:
    """Why a move on ``client_request`` was refused (a ``WorkflowConflict``): a page read at an
    older ``version``, or the conflict's own reason; nothing was changed either way."""
    reference = client_request.reference
    if version is not None and conflict.version is not None and version != conflict.version:
        status = dict(Request.Status.choices).get(conflict.status, conflict.status or "")
        return _(
            "%(reference)s changed while you were looking at it, so nothing was done: it is now "
            "%(status)s. Here is its current state; check it, then try again if your action "
            "still makes sense."
        ) % {"reference": reference, "status": str(status).lower()}
    return _("Nothing was done to %(reference)s: %(reason)s") % {
        "reference": reference,
        "reason": conflict,
    }
