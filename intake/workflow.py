"""The request workflow: every change of a request's status goes through ``request_apply``.

The legal moves sit in one table (``MOVES``). ``request_apply`` locks the request row, checks the
caller's right to make the move, the expected ``version`` and the move's legality, applies the
move's effects, bumps the version and writes one ``RequestEvent``, all in one transaction;
notifications go out with ``transaction.on_commit`` so a rolled-back move tells nobody anything.

A request's skills change through the same kind of door without a move: ``request_skills_edit``
(named terms added or removed, skills recognised in the description confirmed, dismissed or put
back among the suggestions), with the same lock, role, version and event.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake import access, hooks, notifications
from intake.models import Engagement, Offer, OutsideReferral, Request, RequestEvent
from intake.skill_lists import MAX_SKILLS, SKILL_MAX_LENGTH, canonical_skills, skill_list
from matching.stamp import index_version_bump
from network.errors import Conflict
from network.models import Consultant, ConsultantGroup, ExternalProfessional
from network.states import Move, move_for, table
from network.text import fold

S = Request.Status
# A pro bono engagement's estimated hours count as free service days at this many hours a day
# when its completion names no days.
HOURS_PER_DAY = 8
FREE_DAYS_MAX = Decimal("365")


class WorkflowConflict(Conflict):
    """A stale version or a move the current status does not allow (HTTP 409)."""

    def __init__(self, message: str, *, request: Request):
        super().__init__(message, status=request.status, version=request.version)


def _system(user, request) -> bool:
    return user is None


def allowed_moves(user, request: Request) -> list[Move]:
    """The moves ``user`` may make on ``request`` now (for the request page's forms)."""
    return [
        move
        for action, move in MOVES.items()
        if action in PUBLIC_ACTIONS
        and request.status in move.sources
        and move.may(user, request)
        and not_now(action, request) is None
    ]


def is_final(move: Move) -> bool:
    """Does the move close the request for good (completed, referred out, withdrawn, spam, a
    lost bid)? The pages ask for a confirmation before making one."""
    return move.target not in Request.OPEN_STATUSES and move.target != S.ENGAGED


def not_now(action: str, request: Request) -> str | None:
    """Why a move the status allows cannot be made on ``request`` now, or None. The door
    answers such a move 409 with the reason; ``allowed_moves`` leaves it out."""
    check = _NOT_NOW.get(action)
    return check(request) if check is not None else None


def _report_done_not_now(request: Request) -> str | None:
    if request.done_reported_at is not None:
        return _(
            "The work on %(reference)s was already reported done; a coordinator confirms it by "
            "marking the request completed."
        ) % {"reference": request.reference}
    # A team's work ends with its settlement, not with a coordinator's confirmation.
    for reason in hooks.replies(hooks.request_completing, request=request):
        return reason
    return None


_NOT_NOW = {"report_done": _report_done_not_now}


def _stale(version: int, request: Request) -> str:
    return _(
        "The request changed since you loaded it (version %(version)s, now %(current)s); reload "
        "and try again."
    ) % {"version": version, "current": request.version}


def request_apply(
    *, request_id: int, action: str, actor, version: int | None, **fields
) -> RequestEvent:
    """Make one move on a request and return the event it wrote.

    Raises ``WorkflowConflict`` (stale version or illegal move), ``PermissionDenied`` (the actor
    may not make this move) or ``ValidationError`` (the move's fields are wrong); in every case
    nothing is changed.
    """
    move = move_for(MOVES, action, fields)
    with transaction.atomic():
        # The row lock makes concurrent moves on one request queue up; the version check then
        # refuses every one but the first, because each was decided on the page its actor saw.
        request = Request.objects.select_for_update().get(pk=request_id)
        # State before role: a member answering an offer that has since expired must hear
        # "this changed while you were looking" (409), not "you may not" (403).
        if version is not None and version != request.version:
            raise WorkflowConflict(_stale(version, request), request=request)
        if request.status not in move.sources:
            raise WorkflowConflict(
                _("A request that is %(status)s cannot be moved with %(action)s.")
                % {"status": request.get_status_display().lower(), "action": repr(action)},
                request=request,
            )
        if not move.may(actor, request):
            raise PermissionDenied(
                _("You may not %(move)s on this request.") % {"move": move.label.lower()}
            )
        reason = not_now(action, request)
        if reason is not None:
            raise WorkflowConflict(reason, request=request)
        from_status = request.status
        target, note, data = (move.effect or _no_effect)(request, actor, move, **fields)
        # The apps built on intake take their side of the move (a team bid closes with its
        # request); what they did goes into the same event.
        data.update(hooks.merged(hooks.request_moved, request=request, actor=actor, move=move))
        request.status = target or move.target
        request.version += 1
        if request.status not in Request.OPEN_STATUSES and request.status != S.ENGAGED:
            request.closed_at = timezone.now()
        request.save()
        event = RequestEvent.objects.create(
            request=request,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=request.status,
            note=note,
            data=data,
        )
        event_id = event.pk
        # robust: a failure to queue a notification is logged; it never turns a committed
        # move into an error answer, nor stops the timer loop that called this.
        transaction.on_commit(lambda: notifications.request_event(event_id), robust=True)
    return event


# --- The effects of each move -------------------------------------------------------------
# Each takes the locked request and the move's fields, changes related rows, and returns
# (target status or None for the move's own, the event note, the event data).


def _no_effect(request, actor, move, note: str = "", **fields):
    return None, note, {}


def _contact(request, actor, move, note: str = ""):
    request.first_contact_at = timezone.now()
    request.intake_coordinator = actor
    return None, note, {}


def _triage(
    request,
    actor,
    move,
    note: str = "",
    skills=None,
    confirmed_skills=None,
    dismissed_skills=None,
    urgency=None,
):
    data = {}
    if skills is not None:
        if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
            raise ValidationError({"skills": _("A list of skill names.")})
        if len(skills) > MAX_SKILLS:
            raise ValidationError(
                {"skills": _("At most %(count)s skills.") % {"count": MAX_SKILLS}}
            )
        request.skills = [skill.strip()[:SKILL_MAX_LENGTH] for skill in skills if skill.strip()]
        data["skills"] = request.skills
    # The suggestions' decisions, each list replacing the request's (the triage form shows the
    # suggestions with the confirmed ones ticked).
    confirmed = dismissed = None
    if confirmed_skills is not None:
        confirmed = canonical_skills(confirmed_skills, "confirmed_skills")
    if dismissed_skills is not None:
        dismissed = canonical_skills(dismissed_skills, "dismissed_skills")
    if confirmed is not None and dismissed is not None:
        both = [name for name in confirmed if name in dismissed]
        if both:
            raise ValidationError(
                {
                    "dismissed_skills": _("Confirmed and dismissed at once: %(skills)s.")
                    % {"skills": ", ".join(both)}
                }
            )
    if confirmed is not None:
        request.confirmed_skills = confirmed
        if dismissed is None:  # confirming a dismissed skill takes it off the dismissed list
            request.dismissed_skills = [n for n in request.dismissed_skills if n not in confirmed]
        data["confirmed_skills"] = request.confirmed_skills
    if dismissed is not None:
        request.dismissed_skills = dismissed
        if confirmed is None:
            request.confirmed_skills = [n for n in request.confirmed_skills if n not in dismissed]
        data["dismissed_skills"] = request.dismissed_skills
    if urgency:
        if urgency not in Request.Urgency.values:
            raise ValidationError(
                {
                    "urgency": _("%(value)s is not one of low, normal, high, emergency.")
                    % {"value": repr(urgency)}
                }
            )
        request.urgency = urgency
        data["urgency"] = urgency
    return None, note, data


def _pk(value, field_name: str) -> int:
    """An id from a form or JSON body; anything but a whole number is a field error, not a 500."""
    if isinstance(value, bool):
        raise ValidationError({field_name: _("Not a valid id.")})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field_name: _("Not a valid id.")}) from None


def _text(value, field_name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field_name: _("Text expected.")})
    return value


def _consultant(consultant) -> Consultant:
    if isinstance(consultant, Consultant):
        found = consultant
    else:
        found = Consultant.objects.filter(pk=_pk(consultant, "consultant")).first()
    if found is None:
        raise ValidationError({"consultant": _("No such member.")})
    if not found.can_be_offered_work:
        raise ValidationError(
            {
                "consultant": _("%(member)s is %(status)s and cannot be offered work.")
                % {"member": found, "status": found.status_in_words}
            }  # fmt: skip
        )
    return found


def _offer_to(request, consultant: Consultant, actor) -> Offer:
    request.offered_consultant = consultant
    return Offer.objects.create(
        request=request,
        consultant=consultant,
        offered_by=actor,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.OFFER_EXPIRY_HOURS),
    )


def _route(request, actor, move, group=None, consultant=None, note: str = ""):
    if (group is None) == (consultant is None):
        raise ValidationError({"group": _("Route to a group or to one consultant (not both).")})
    if group is not None:
        target_group = group if isinstance(group, ConsultantGroup) else None
        if target_group is None:
            target_group = ConsultantGroup.objects.filter(pk=_pk(group, "group")).first()
        if target_group is None:
            raise ValidationError({"group": _("No such group.")})
        request.assigned_group = target_group
        return None, note, {"group": target_group.pk, "group_name": target_group.name}
    member = _consultant(consultant)
    offer = _offer_to(request, member, actor)
    return S.OFFERED, note, {"consultant": member.pk, "offer": offer.pk}


def _offer(request, actor, move, consultant=None, note: str = ""):
    if consultant is None:
        raise ValidationError({"consultant": _("Name the member to offer the request to.")})
    member = _consultant(consultant)
    offer = _offer_to(request, member, actor)
    return None, note, {"consultant": member.pk, "offer": offer.pk}


def _pending_offer(request) -> Offer:
    offer = request.offers.filter(status=Offer.Status.PENDING).first()
    if offer is None:  # a request in "offered" always has one; the constraint keeps it unique
        raise ValidationError(_("This request has no pending offer."))
    return offer


def _close_offer(request, status: str, reason: str = "") -> Offer:
    offer = _pending_offer(request)
    offer.status, offer.responded_at, offer.reason = status, timezone.now(), reason
    offer.save(update_fields=["status", "responded_at", "reason"])
    if status != Offer.Status.ACCEPTED:
        request.offered_consultant = None
    return offer


def _accept(request, actor, move, note: str = ""):
    offer = _close_offer(request, Offer.Status.ACCEPTED)
    request.engaged_consultant = offer.consultant
    engagement = Engagement.objects.create(request=request, consultant=offer.consultant)
    return None, note, {"offer": offer.pk, "engagement": engagement.pk}


def _decline(request, actor, move, reason: str = ""):
    reason = _text(reason, "reason")
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say briefly why, so the coordinator can route it well.")}
        )
    offer = _close_offer(request, Offer.Status.DECLINED, reason.strip())
    return None, reason.strip(), {"offer": offer.pk, "consultant": offer.consultant_id}


def _expire(request, actor, move, **fields):
    offer = _close_offer(request, Offer.Status.EXPIRED)
    return None, "", {"offer": offer.pk, "consultant": offer.consultant_id}


def _refer_out(request, actor, move, professionals=None, message: str = ""):
    message = _text(message, "message")
    if not message.strip():
        raise ValidationError({"message": _("Write the message the client will read.")})
    if not isinstance(professionals, list | tuple):
        raise ValidationError({"professionals": _("A list of outside professionals' ids.")})
    ids = [_pk(professional, "professionals") for professional in professionals]
    found = list(ExternalProfessional.objects.filter(pk__in=ids, active=True))
    if not ids or len(found) != len(set(ids)):
        raise ValidationError(
            {"professionals": _("Name one or more active outside professionals.")}
        )
    if request.status == S.OFFERED:
        _close_offer(request, Offer.Status.WITHDRAWN, str(_("Referred out.")))
    referral = OutsideReferral.objects.create(request=request, message=message, sent_by=actor)
    referral.professionals.set(found)
    ExternalProfessional.objects.filter(pk__in=ids).update(last_referred_at=timezone.now())
    return (
        None,
        "",
        {"referral": referral.pk, "professionals": sorted(p.pk for p in found)},
    )


def _close_open_offer(request, actor, move, note: str = ""):
    if request.status == S.OFFERED:
        _close_offer(request, Offer.Status.WITHDRAWN, str(move.label))
    return None, note, {}


def _report_done(request, actor, move, note: str = ""):
    # The request stays engaged: a coordinator confirms the work done with "complete".
    request.done_reported_at = timezone.now()
    request.done_reported_by = actor
    return None, note, {}


def free_days_default(request: Request) -> Decimal | None:
    """The free service days a pro bono request's completion counts when nobody names them:
    its estimated hours over HOURS_PER_DAY, to the nearest half day (at most 365); None
    without an estimate (nothing counted)."""
    if not request.estimated_hours:
        return None
    halves = Decimal(request.estimated_hours * 2) / HOURS_PER_DAY
    days = halves.quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2
    return min(days, FREE_DAYS_MAX).quantize(Decimal("0.1"))


def _free_days(request: Request, days_given) -> Decimal | None:
    """The days named on the completion, checked: whole or half days, 0 to 365, and only on a
    pro bono request (a field error otherwise)."""
    if days_given in (None, ""):
        return free_days_default(request) if request.pro_bono else None
    if not request.pro_bono:
        raise ValidationError(
            {"days_given": _("Free service days are counted on pro bono requests only.")}
        )
    try:
        days = Decimal(str(days_given))
    except (InvalidOperation, ValueError):
        days = None
    if isinstance(days_given, bool) or days is None or not days.is_finite():
        raise ValidationError({"days_given": _("Enter a number of days.")})
    if not 0 <= days <= FREE_DAYS_MAX or (days * 2) % 1:
        raise ValidationError(
            {"days_given": _("Whole or half days, from 0 to 365 (for example 2 or 2.5).")}
        )
    return days.quantize(Decimal("0.1"))


def _complete(request, actor, move, note: str = "", days_given=None):
    # An app built on intake may hold the request open (a team bid's work ends with its
    # settlement, which completes the request itself).
    for reason in hooks.replies(hooks.request_completing, request=request):
        raise WorkflowConflict(reason, request=request)
    days = _free_days(request, days_given)
    data = {}
    open_engagements = request.engagements.filter(end__isnull=True)
    if days is not None:
        # Free service days given on a pro bono request, counted once: only engagements this
        # completion ends, and only those with none recorded (docs/architecture.md, "Free
        # service days").
        open_engagements.filter(free_days__isnull=True).update(free_days=days)
        data["free_days"] = str(days)
    open_engagements.update(end=timezone.localdate())
    # The member's hours are free again; a queryset update sends no signal, so tell the
    # matching index itself (the bump commits or rolls back with this move).
    index_version_bump()
    return None, note, data


MOVES: dict[str, Move] = table(
    Move("contact", (S.SUBMITTED,), S.CONTACTED, access.works_the_queue, _("Record first contact"),
         ("note",), effect=_contact),
    Move("triage", (S.CONTACTED,), S.TRIAGED, access.works_the_queue, _("Triage"),
         ("note", "skills", "confirmed_skills", "dismissed_skills", "urgency"), effect=_triage),
    # Route to a group (→ routed), or straight to one consultant (→ offered, with an offer).
    Move("route", (S.TRIAGED, S.ROUTED), S.ROUTED, access.works_the_queue, _("Route"),
         ("group", "consultant", "note"), effect=_route),
    Move("offer", (S.ROUTED,), S.OFFERED, access.makes_offers, _("Offer to a member"),
         ("consultant", "note"), effect=_offer),
    Move("accept", (S.OFFERED,), S.ENGAGED, access.holds_the_offer, _("Accept the offer"),
         ("note",), effect=_accept),
    Move("decline", (S.OFFERED,), S.ROUTED, access.holds_the_offer, _("Decline the offer"),
         ("reason",), effect=_decline),
    Move("expire", (S.OFFERED,), S.ROUTED, _system, _("Offer expired"),
         effect=_expire, public=False),
    Move("start_bidding", (S.TRIAGED, S.ROUTED), S.BIDDING, access.works_the_queue,
         _("Open for team bids"), ("note",)),
    Move("refer_out", Request.OPEN_STATUSES, S.REFERRED_OUT, access.works_the_queue,
         _("Refer to outside professionals"), ("professionals", "message"), effect=_refer_out),
    Move("withdraw", Request.OPEN_STATUSES, S.WITHDRAWN, access.works_the_queue,
         _("Withdraw (the client's wish)"), ("note",), effect=_close_open_offer),
    Move("mark_spam", (S.SUBMITTED, S.CONTACTED, S.TRIAGED), S.CLOSED_SPAM,
         access.works_the_queue, _("Close as spam"), ("note",), effect=_close_open_offer),
    # The member serving the client says the work is done; the request stays engaged until a
    # coordinator confirms it with "complete".
    Move("report_done", (S.ENGAGED,), S.ENGAGED, access.serves_the_request,
         _("Report the work done"), ("note",), effect=_report_done),
    Move("complete", (S.ENGAGED,), S.COMPLETED, access.may_complete, _("Mark completed"),
         ("note", "days_given"), effect=_complete),
)  # fmt: skip

# Moves a person can ask for through the API and the pages (not the timer's own "expire").
PUBLIC_ACTIONS = [action for action, move in MOVES.items() if move.public]


def register_moves(moves: list[Move], *, after: str) -> None:
    """Add an app's moves on requests to the table, after the move ``after`` (the order the
    request page lists them in). Called from ``AppConfig.ready()``; adding one twice is a no-op."""
    rows = list(MOVES.values())
    new = [move for move in moves if move.action not in MOVES]
    at = [move.action for move in rows].index(after) + 1
    rows[at:at] = new
    MOVES.clear()
    MOVES.update(table(*rows))
    PUBLIC_ACTIONS[:] = [action for action, move in MOVES.items() if move.public]


# --- A request's skills -------------------------------------------------------------------
# Named skills (the client's or a coordinator's terms, as written) are required; skills the
# matching engine recognises in the description are suggestions until a coordinator confirms
# (required too) or dismisses (no longer suggested) them. See docs/architecture.md, "Matching".

SKILLS_EDIT = "skills_edit"  # the RequestEvent action of request_skills_edit


@dataclass(frozen=True)
class SkillsChange:
    """What one edit changed (each list empty when nothing of its kind)."""

    added: list[str]
    removed: list[str]
    confirmed: list[str]
    dismissed: list[str]
    restored: list[str]

    def as_data(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if value}

    def sentences(self) -> str:
        """The change in plain words, for the timeline and the page's message."""
        parts = [
            (_("Skills named: %(skills)s."), self.added),
            (_("Named skills removed: %(skills)s."), self.removed),
            (_("Suggestions confirmed: %(skills)s."), self.confirmed),
            (_("Suggestions dismissed: %(skills)s."), self.dismissed),
            (_("Back among the suggestions: %(skills)s."), self.restored),
        ]
        return " ".join(
            sentence % {"skills": ", ".join(names)} for sentence, names in parts if names
        )


def request_skills_edit(
    *,
    request_id: int,
    actor,
    version: int | None,
    add=None,
    remove=None,
    confirm=None,
    dismiss=None,
    restore=None,
) -> tuple[Request, SkillsChange]:
    """Change a request's skills and return the saved request and what changed.

    ``add``/``remove`` are named terms (as written; removal ignores case and spacing);
    ``confirm``/``dismiss``/``restore`` are canonical skill names (a suggestion confirmed as
    required, dismissed, or put back among the suggestions). Writes one ``skills_edit``
    ``RequestEvent`` (no status change, so the client's history never shows it) and bumps the
    version, in one transaction with the request's row locked.

    Raises ``ValidationError`` (bad lists, an unknown canonical name, a change that changes
    nothing), ``PermissionDenied`` (the actor does not work the queue) or ``WorkflowConflict``
    (stale version, or a request no longer open); in every case nothing is changed.
    """
    add = skill_list(add, "add")
    remove = skill_list(remove, "remove")
    confirm = canonical_skills(confirm, "confirm")
    dismiss = canonical_skills(dismiss, "dismiss")
    restore = canonical_skills(restore, "restore")
    if not (add or remove or confirm or dismiss or restore):
        raise ValidationError(
            _(
                "Nothing to change: send skills to add or remove, or suggestions to confirm, "
                "dismiss or restore."
            )
        )
    decided = {"confirm": confirm, "dismiss": dismiss, "restore": restore}
    for first, second in (("confirm", "dismiss"), ("confirm", "restore"), ("dismiss", "restore")):
        both = [name for name in decided[first] if name in decided[second]]
        if both:
            raise ValidationError(
                {
                    second: _("Also asked to %(action)s: %(skills)s.")
                    % {"action": first, "skills": ", ".join(both)}
                }
            )
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=request_id)
        if not access.works_the_queue(actor, request):
            raise PermissionDenied(_("Only intake coordinators change a request's skills."))
        if version is not None and version != request.version:
            raise WorkflowConflict(_stale(version, request), request=request)
        if not request.is_open:
            raise WorkflowConflict(
                _("A request that is %(status)s no longer takes skill changes.")
                % {"status": request.get_status_display().lower()},
                request=request,
            )
        change = _apply_skills_change(request, add, remove, confirm, dismiss, restore)
        request.version += 1
        request.save(update_fields=["skills", "confirmed_skills", "dismissed_skills", "version"])
        RequestEvent.objects.create(
            request=request,
            actor=actor,
            action=SKILLS_EDIT,
            note=change.sentences(),
            data={
                **change.as_data(),
                "skills": request.skills,
                "confirmed_skills": request.confirmed_skills,
                "dismissed_skills": request.dismissed_skills,
            },
        )
    return request, change


def _apply_skills_change(request, add, remove, confirm, dismiss, restore) -> SkillsChange:
    """Apply an edit to the locked request's lists; an edit that changes nothing is refused."""
    named = list(request.skills or [])
    confirmed = list(request.confirmed_skills or [])
    dismissed = list(request.dismissed_skills or [])
    errors: dict[str, str] = {}

    def key(term: str) -> str:
        return fold(term) or term.strip().casefold()

    removed = [term for term in named if key(term) in {key(t) for t in remove}]
    missing = [t for t in remove if key(t) not in {key(term) for term in named}]
    if missing:
        errors["remove"] = _("Not among the named skills: %(skills)s.") % {
            "skills": ", ".join(missing)
        }
    named = [term for term in named if term not in removed]
    already = [t for t in add if key(t) in {key(term) for term in named}]
    if already:
        errors["add"] = _("Already named: %(skills)s.") % {"skills": ", ".join(already)}
    if len(named) + len(add) > MAX_SKILLS:
        errors["add"] = _("A request names at most %(count)s skills.") % {"count": MAX_SKILLS}
    repeated = [name for name in confirm if name in confirmed]
    if repeated:
        errors["confirm"] = _("Already confirmed: %(skills)s.") % {"skills": ", ".join(repeated)}
    repeated = [name for name in dismiss if name in dismissed]
    if repeated:
        errors["dismiss"] = _("Already dismissed: %(skills)s.") % {"skills": ", ".join(repeated)}
    undecided = [name for name in restore if name not in confirmed and name not in dismissed]
    if undecided:
        errors["restore"] = _("Neither confirmed nor dismissed: %(skills)s.") % {
            "skills": ", ".join(undecided)
        }
    if errors:
        raise ValidationError(errors)
    named += add
    confirmed = [n for n in confirmed if n not in dismiss and n not in restore] + confirm
    dismissed = [n for n in dismissed if n not in confirm and n not in restore] + dismiss
    if len(confirmed) > MAX_SKILLS or len(dismissed) > MAX_SKILLS:
        raise ValidationError(
            _("A request keeps at most %(count)s confirmed or dismissed skills.")
            % {"count": MAX_SKILLS}
        )
    request.skills, request.confirmed_skills, request.dismissed_skills = named, confirmed, dismissed
    return SkillsChange(
        added=add, removed=removed, confirmed=confirm, dismissed=dismiss, restored=restore
    )


def offers_expire_due(*, at: datetime.datetime | None = None) -> int:
    """The timer: expire every pending offer past its deadline; returns how many expired."""
    at = at or timezone.now()
    expired = 0
    due = Offer.objects.filter(status=Offer.Status.PENDING, expires_at__lte=at)
    for request_id in due.values_list("request_id", flat=True):
        try:
            request_apply(request_id=request_id, action="expire", actor=None, version=None)
            expired += 1
        except WorkflowConflict:
            # Answered between the query and the lock: nothing to expire.
            continue
    return expired
