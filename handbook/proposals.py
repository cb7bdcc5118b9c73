"""Policies change by decision: an edit of a governed page is proposed and voted, not saved.

A governed page is every policy, and any page the secretary marks (``Page.is_governed``). An
edit of one (or a revert) is kept as a ``Proposal``: its title and body, the revision they
were written against, and a decision opened for it under the alliance's rule for policy changes
(``HANDBOOK_PROPOSAL_RULE``, two thirds by default, open ``HANDBOOK_PROPOSAL_DAYS`` days).

A proposal is settled once its decision is closed, by whoever closes it early or by the
scheduled task for decisions that reached their closing time:

- **passed**, and the page is still at the proposal's base: the text becomes the page's next
  revision, by the proposal's author, and the decision records it as the revision it adopted;
- **passed**, but another change was adopted first: *not adopted: the page changed first*; the
  text stays on the proposal, and its author proposes it again on the latest revision;
- **failed**, **blocked** or **no quorum**: *not adopted*, the text kept in the page's history;
- **withdrawn** by its author (or the record keepers) while the vote is open: the decision is
  closed as withdrawn and the text kept.

Proposing against a revision that is no longer the latest is refused as any stale edit is
(``services.EditConflict``, 409): nothing the writer typed is lost.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from handbook import access, decisions, services
from handbook.models import Decision, Page, PageRevision, Proposal
from network.errors import Conflict

PROPOSE_REFUSED = _(
    "Only working members (active or on probation), the secretary and the staff coordinators "
    "propose changes to a page that is changed by decision."
)
WITHDRAW_REFUSED = _(
    "Only the member who proposed this change, the secretary and the staff coordinators "
    "withdraw it."
)
GOVERN_REFUSED = _("Only the secretary and the staff coordinators say which pages change by vote.")


class ProposalClosed(Conflict):
    """Withdrawing a proposal that is no longer being voted on (HTTP 409)."""


def proposal_rule() -> str:
    """The decision rule policy changes are voted under (``HANDBOOK_PROPOSAL_RULE``)."""
    rule = getattr(settings, "HANDBOOK_PROPOSAL_RULE", Decision.Rule.TWO_THIRDS)
    return rule if rule in Decision.Rule.values else Decision.Rule.TWO_THIRDS


def proposal_days() -> int:
    """How many days a proposal's vote stays open (``HANDBOOK_PROPOSAL_DAYS``, 14)."""
    return max(1, int(getattr(settings, "HANDBOOK_PROPOSAL_DAYS", 14)))


def motion_text(page: Page, title: str, summary: str) -> str:
    """The motion a proposal puts to the vote: the page's title (and its new one, when the
    change retitles it) and the proposer's summary. It is stored on the decision as the record's
    text, in no language of its own; the decision's page says in the reader's language that it
    decides a proposed change."""
    text = f"“{page.title}”"
    if title != page.title:
        text += f" → “{title}”"
    return f"{text}: {summary}" if summary else text


def proposal_create(
    *,
    actor,
    page_id: int,
    body: str,
    summary: str = "",
    title: str | None = None,
    base_revision: int | None = None,
    base_number: int | None = None,
    closes_at: datetime.datetime | None = None,
) -> Proposal:
    """Propose a change to a governed page: keep the text against its base revision and open a
    decision for it. A stale base is an ``EditConflict`` (409); an unchanged text a field
    error; the page must be governed (a page that is not is edited directly)."""
    if not access.may_propose(actor):
        raise PermissionDenied(PROPOSE_REFUSED)
    body, summary = services.clean_body(body), services.clean_summary(summary)
    if base_revision is None and base_number is None:
        raise ValidationError({"base_revision": _("Name the revision your edit is based on.")})
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The vote must close in the future.")})
    # A proposal whose vote has ended is settled first, on its own (it stands even if this
    # one is refused), so the base is checked against the page as the alliance decided it.
    with transaction.atomic():
        _settle_page(services.page_for_change(page_id))
    with transaction.atomic():
        page = services.page_for_change(page_id)
        if not page.is_governed:
            raise ValidationError(
                {"page": _("This page is not changed by decision: edit it directly.")}
            )
        services.check_base(page, base_revision, base_number)
        new_title = services.clean_title(title) if title is not None else page.title
        if new_title == page.title and body == page.body:
            raise ValidationError(
                {"body": _("Nothing changed: the text is the same as the latest.")}
            )
        decision = services.decision_create(
            actor=actor,
            text=motion_text(page, new_title, summary),
            rule=proposal_rule(),
            closes_at=closes_at or timezone.now() + datetime.timedelta(days=proposal_days()),
        )
        proposal = Proposal(
            page=page,
            base=page.latest_revision,
            title=new_title,
            body=body,
            summary=summary,
            author=actor,
            decision=decision,
        )
        proposal.full_clean(exclude=["page", "base", "author", "decision"])
        proposal.save()
    return proposal


def proposal_revert(
    *, actor, page_id: int, revision_id: int, base_revision=None, base_number=None
) -> Proposal:
    """Propose restoring an earlier revision of a governed page (a revert, put to the vote)."""
    old = PageRevision.objects.filter(page_id=page_id, pk=revision_id).first()
    if old is None:
        raise ValidationError({"revision": _("No such revision of this page.")})
    return proposal_create(
        actor=actor,
        page_id=page_id,
        body=old.body,
        title=old.title,
        summary=gettext("Restore revision %(number)s") % {"number": old.number},
        base_revision=base_revision,
        base_number=base_number,
    )


def proposal_withdraw(*, actor, proposal_id: int) -> Proposal:
    """Withdraw an open proposal: its decision closes as withdrawn, its text stays on record."""
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("decision")
            .filter(pk=proposal_id)
            .first()
        )
        if proposal is None:
            raise ValidationError({"proposal": _("No such proposed change.")})
        if not access.may_withdraw_proposal(actor, proposal):
            raise PermissionDenied(WITHDRAW_REFUSED)
        decision = Decision.objects.select_for_update().get(pk=proposal.decision_id)
        if not proposal.is_open:
            raise ProposalClosed(
                _("This proposal is no longer being voted on: it is %(status)s.")
                % {"status": str(proposal.get_status_display()).lower()}
            )
        if services.decision_is_closed(decision):
            raise ProposalClosed(
                _("Voting on this proposal has closed: it can no longer be withdrawn.")
            )
        now = timezone.now()
        decision.closed_at = decision.withdrawn_at = now
        decision.closed_by = actor
        decision.save(update_fields=["closed_at", "withdrawn_at", "closed_by"])
        proposal.status = Proposal.Status.WITHDRAWN
        proposal.settled_at = now
        proposal.save(update_fields=["status", "settled_at"])
    return proposal


def decision_close(*, actor, decision_id: int) -> Decision:
    """Close a decision's vote now (``services.decision_close``) and, when it decides a proposed
    change, settle the proposal in the same transaction."""
    pending = Proposal.objects.filter(decision_id=decision_id, status=Proposal.Status.OPEN)
    proposal_id = pending.values_list("pk", flat=True).first()
    if proposal_id is None:
        return services.decision_close(actor=actor, decision_id=decision_id)
    with transaction.atomic():
        decision = services.decision_close(actor=actor, decision_id=decision_id)
        proposal_settle(proposal_id=proposal_id)
    return decision


def proposal_settle(*, proposal_id: int) -> Proposal:
    """Apply the result of a proposal whose vote has closed; an open vote or a proposal
    already settled is left as it is."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update(of=("self",)).filter(pk=proposal_id).first()
        if proposal is None or not proposal.is_open:
            return proposal
        decision = Decision.objects.select_for_update().get(pk=proposal.decision_id)
        if not services.decision_is_closed(decision):
            return proposal
        page = services.page_for_change(proposal.page_id)
        outcome = services.decision_outcome(decision)
        if outcome == decisions.WITHDRAWN:
            proposal.status = Proposal.Status.WITHDRAWN
        elif outcome != decisions.PASSED:
            proposal.status = Proposal.Status.NOT_ADOPTED
        elif page.latest_revision_id != proposal.base_id:
            proposal.status = Proposal.Status.SUPERSEDED
        else:
            revision = services.revise(
                page,
                proposal.author,
                title=proposal.title,
                body=proposal.body,
                summary=proposal.summary,
                based_on=page.latest_revision,
            )
            proposal.status = Proposal.Status.ADOPTED
            proposal.revision = revision
            decision.adopted_revision = revision
            decision.save(update_fields=["adopted_revision"])
        proposal.settled_at = timezone.now()
        proposal.save(update_fields=["status", "revision", "settled_at"])
    return proposal


def _closed_q(now: datetime.datetime) -> Q:
    return Q(decision__closed_at__isnull=False) | Q(decision__closes_at__lte=now)


def _settle_page(page: Page) -> int:
    """Settle the page's open proposals whose vote has ended, oldest decision first (so the
    first passed proposal on a base is the one adopted); how many were settled."""
    due = Proposal.objects.filter(page=page, status=Proposal.Status.OPEN).filter(
        _closed_q(timezone.now())
    )
    order = ("decision__closed_at", "decision__closes_at", "pk")
    settled = list(due.order_by(*order).values_list("pk", flat=True))
    for pk in settled:
        proposal_settle(proposal_id=pk)
    return len(settled)


def proposals_settle_due() -> int:
    """Settle every open proposal whose vote has ended (the scheduled task); how many were."""
    pages = (
        Proposal.objects.filter(status=Proposal.Status.OPEN)
        .filter(_closed_q(timezone.now()))
        .values_list("page_id", flat=True)
        .distinct()
    )
    settled = 0
    for page_id in list(pages):
        with transaction.atomic():
            settled += _settle_page(services.page_for_change(page_id))
    return settled


def page_governed_set(*, actor, page_id: int, governed: bool) -> Page:
    """Mark a page as changed by decision, or no longer (the record keepers). A policy is
    always governed; a page with a change being voted on keeps its mark until it is settled."""
    if not access.keeps_the_record(actor):
        raise PermissionDenied(GOVERN_REFUSED)
    if not isinstance(governed, bool):
        raise ValidationError({"governed": _("Say true or false.")})
    with transaction.atomic():
        page = services.page_for_change(page_id)
        if not governed and page.category == Page.Category.POLICY:
            raise ValidationError(
                {"governed": _("Every policy is changed by decision; this one stays so.")}
            )
        if not governed and page.proposals.filter(status=Proposal.Status.OPEN).exists():
            raise Conflict(
                _(
                    "A change to this page is being voted on: it stays changed by decision "
                    "until that vote is settled or the proposal withdrawn."
                )
            )
        if page.governed != governed:
            page.governed = governed
            page.save(update_fields=["governed"])
    return page
