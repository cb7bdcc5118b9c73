"""Membership applications: someone asks to join; the community coordinator reviews, admits on
probation, confirms or declines. Every status change goes through ``application_apply`` and the
``APPLICATION_MOVES`` table (the shape every state machine of the project shares,
``network.states``)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.errors import Conflict
from network.models import Consultant, MembershipApplication
from network.services import add_months, consultant_create, consultant_set_status
from network.states import Move, move_for, table
from network.tasks import task_enqueue

User = get_user_model()


class IllegalTransition(Conflict):
    """A move that the current state does not allow; the API answers 409."""

    def __init__(self, message: str, *, current_status: str):
        super().__init__(message, status=current_status)
        self.current_status = current_status


def application_submit(
    *,
    name: str,
    email: str,
    statement: str,
    website: str = "",
    location: str = "",
    skills_text: str = "",
) -> MembershipApplication | None:
    """Open an application, or, when ``email`` already belongs to an account, open none.

    An application never changes an existing member (admitting one used to move an active
    member to probation, and declining it made them former). For a known address nothing is
    stored and the address's owner is told by email, through the task queue so the answer takes
    the same time either way; the caller answers "we will be in touch" in both cases, so the
    form does not tell a stranger who has an account. Returns None in that case.
    """
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        transaction.on_commit(
            lambda: task_enqueue("network.tasks.application_known_email_notify", email)
        )
        return None
    application = MembershipApplication(
        name=name,
        email=email,
        statement=statement,
        website=website,
        location=location,
        skills_text=skills_text,
    )
    application.full_clean()
    application.save()
    return application


A = MembershipApplication.Status


def _reviewer(actor, application) -> bool:
    """Who may review: the callers (the admin's actions, the demo seed) have checked the
    reviewer's rights before; the table keeps the shape every state machine shares."""
    return True


def _known_account(application: MembershipApplication) -> None:
    """Refuse to act on an application whose address belongs to an account (one stored before
    the form refused them, or an account made since): it must not touch that member."""
    existing = User.objects.filter(email__iexact=application.email).first()
    if existing is None:
        return
    consultant = Consultant.objects.filter(user=existing).first()
    if consultant is not None:
        message = _(
            "%(email)s belongs to the member record of %(name)s. An application never changes "
            "an existing member: decline this application, and change the member's status on "
            "their own record."
        ) % {"email": application.email, "name": consultant}
    else:
        message = _(
            "%(email)s belongs to an existing account. An application never changes an existing "
            "member: decline this application, and change the member's status on their own "
            "record."
        ) % {"email": application.email}
    raise ValidationError(message)


def _declined(application, actor, move) -> None:
    # Only the record this application opened on admission, and only while it is still on the
    # probation the admission started: declining never reaches another member (applications
    # stored before known addresses were refused may point at an older record).
    opened_here = (
        application.consultant_id is not None
        and application.consultant.created_at >= application.submitted_at
    )
    if opened_here and application.consultant.status == Consultant.Status.PROBATION:
        consultant_set_status(
            consultant=application.consultant,
            status=Consultant.Status.FORMER,
            actor=actor,
            reason="Not confirmed after probation.",
        )


def _admitted(application, actor, move) -> None:
    """Admit on probation: creates the member record (status probation, end date set).

    Refused when the address already has an account: a returning alumnus is moved back to
    probation on their own record (the status actions), never through an application.
    """
    _known_account(application)  # raises inside the transaction: the move is undone
    consultant = consultant_create(
        email=application.email,
        display_name=application.name,
        status=Consultant.Status.PROBATION,
        actor=actor,
        reason="Admitted on probation.",
        website=application.website,
        location=application.location,
        probation_ends=add_months(timezone.localdate(), settings.PROBATION_MONTHS),
    )
    application.consultant = consultant
    application.save(update_fields=["consultant"])


def _confirmed(application, actor, move) -> None:
    """End probation: the member becomes active."""
    consultant_set_status(
        consultant=application.consultant,
        status=Consultant.Status.ACTIVE,
        actor=actor,
        reason="Probation completed.",
    )


# The legal moves of a membership application; application_apply refuses any other.
APPLICATION_MOVES = table(
    Move("start_review", (A.SUBMITTED,), A.UNDER_REVIEW, _reviewer,
         gettext_lazy("Start the review"), ("notes",)),
    Move("admit", (A.UNDER_REVIEW,), A.PROBATION, _reviewer,
         gettext_lazy("Admit on probation"), ("notes",), effect=_admitted),
    Move("confirm", (A.PROBATION,), A.ACTIVE, _reviewer,
         gettext_lazy("Confirm after probation"), ("notes",), effect=_confirmed),
    Move("decline", (A.SUBMITTED, A.UNDER_REVIEW, A.PROBATION), A.DECLINED, _reviewer,
         gettext_lazy("Decline"), ("notes",), effect=_declined),
)  # fmt: skip


def application_apply(*, application_id: int, action: str, actor, notes: str = ""):
    """Make one move on a membership application and return it as stored.

    Locks the row, checks the move is legal from its status (``IllegalTransition``, 409) and the
    actor's right, records the reviewer and their notes, then runs the move's effect, all in one
    transaction: a refusal in the effect (an address that already has an account) undoes it.
    """
    move = move_for(APPLICATION_MOVES, action, {"notes": notes})
    with transaction.atomic():
        locked = MembershipApplication.objects.select_for_update().get(pk=application_id)
        if locked.status not in move.sources:
            raise IllegalTransition(
                _("An application that is %(status)s cannot move to %(target)s.")
                % {
                    "status": locked.get_status_display().lower(),
                    "target": A(move.target).label.lower(),
                },
                current_status=locked.status,
            )
        if not move.may(actor, locked):
            raise PermissionDenied(_("You may not %(action)s.") % {"action": move.label.lower()})
        locked.status = move.target
        locked.reviewer = actor
        if notes:
            locked.review_notes = (locked.review_notes + "\n\n" + notes).strip()
        if move.target in (A.PROBATION, A.DECLINED):
            locked.decided_at = timezone.now()
        locked.save()
        if move.effect is not None:
            move.effect(locked, actor, move)
    return locked


def application_start_review(*, application, actor, notes: str = "") -> MembershipApplication:
    return application_apply(
        application_id=application.pk, action="start_review", actor=actor, notes=notes
    )


def application_decline(*, application, actor, notes: str = "") -> MembershipApplication:
    return application_apply(
        application_id=application.pk, action="decline", actor=actor, notes=notes
    )


def application_admit(*, application, actor, notes: str = "") -> MembershipApplication:
    return application_apply(
        application_id=application.pk, action="admit", actor=actor, notes=notes
    )


def application_confirm(*, application, actor, notes: str = "") -> MembershipApplication:
    return application_apply(
        application_id=application.pk, action="confirm", actor=actor, notes=notes
    )
