"""Pages for changes put to the vote: a proposed change with its diff and decision, withdrawing
it, and marking a page as changed by decision (``handbook.proposals``).

Proposing itself goes through the page's editor (``handbook.views.page_edit``): on a governed
page its Save button proposes.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from handbook import access, decisions, proposals, services
from handbook.diff import diff_rows, stats
from handbook.models import Page, Proposal
from handbook.selectors import person_name
from network.errors import Conflict

DIFF_CONTEXT_LINES = 3


@dataclass(frozen=True)
class OpenProposal:
    """A change being voted on, as a page shows it: the proposal and its diff from its base."""

    proposal: Proposal
    author: str
    rows: list
    added: int
    removed: int
    stale: bool


def open_proposals(page: Page) -> list[OpenProposal]:
    """The page's proposals being voted on, oldest first, each with its diff (one query)."""
    rows = (
        page.proposals.filter(status=Proposal.Status.OPEN)
        .select_related("base", "author__consultant", "decision")
        .order_by("created_at", "pk")
    )
    shown = []
    for proposal in rows:
        added, removed = stats(proposal.base.body, proposal.body)
        shown.append(
            OpenProposal(
                proposal=proposal,
                author=person_name(proposal.author),
                rows=diff_rows(proposal.base.body, proposal.body, context=DIFF_CONTEXT_LINES),
                added=added,
                removed=removed,
                stale=proposal.base_id != page.latest_revision_id,
            )
        )
    return shown


def _proposal_for_user(user, slug: str, pk: int) -> tuple[Page, Proposal]:
    page = access.get_page_for_user(user, slug)
    proposal = (
        page.proposals.select_related(
            "base", "author__consultant", "decision", "revision", "page__latest_revision"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404(_("No such proposed change."))
    return page, proposal


def _proposal_page(request, page: Page, proposal: Proposal, *, problem: str = "", status=200):
    decision = proposal.decision
    outcome = services.decision_outcome(decision)
    added, removed = stats(proposal.base.body, proposal.body)
    latest = page.latest_revision
    context = {
        "page": page,
        "proposal": proposal,
        "author": person_name(proposal.author),
        "decision": decision,
        "outcome": outcome,
        "outcome_label": decisions.OUTCOME_LABELS[outcome],
        "voting_closed": services.decision_is_closed(decision),
        "rows": diff_rows(proposal.base.body, proposal.body, context=DIFF_CONTEXT_LINES),
        "added": added,
        "removed": removed,
        "stale": proposal.is_open and latest is not None and proposal.base_id != latest.pk,
        "latest": latest,
        "may_withdraw": proposal.is_open and access.may_withdraw_proposal(request.user, proposal),
        "may_propose_again": (
            proposal.status == Proposal.Status.SUPERSEDED and access.may_propose(request.user)
        ),
        "problem": problem,
    }
    return render(request, "handbook/proposal_detail.html", context, status=status)


@require_safe
@login_required
def proposal_detail(request, slug, pk):
    page, proposal = _proposal_for_user(request.user, slug, pk)
    return _proposal_page(request, page, proposal)


@require_POST
@login_required
def proposal_withdraw(request, slug, pk):
    page, proposal = _proposal_for_user(request.user, slug, pk)
    if not access.may_withdraw_proposal(request.user, proposal):
        problem = _("%(refusal)s Nothing changed.") % {"refusal": proposals.WITHDRAW_REFUSED}
        return _proposal_page(request, page, proposal, problem=problem, status=403)
    try:
        proposal = proposals.proposal_withdraw(actor=request.user, proposal_id=proposal.pk)
    except Conflict as refusal:
        page, proposal = _proposal_for_user(request.user, slug, pk)
        problem = _("%(refusal)s Nothing changed.") % {"refusal": refusal}
        return _proposal_page(request, page, proposal, problem=problem, status=409)
    messages.success(
        request,
        _("Withdrew your proposed change to %(title)s; its text stays in the page's history.")
        % {"title": page.title},
    )
    return redirect(proposal)


@require_POST
@login_required
def page_governed(request, slug):
    page = access.get_page_for_user(request.user, slug)
    governed = request.POST.get("governed") == "1"
    try:
        page = proposals.page_governed_set(actor=request.user, page_id=page.pk, governed=governed)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(page)
    except Conflict as refusal:
        messages.error(request, str(refusal))
        return redirect(page)
    if governed:
        text = _("%(title)s is now changed by decision: edits are proposed and voted.")
    else:
        text = _("%(title)s is now edited directly again.")
    messages.success(request, text % {"title": page.title})
    return redirect(page)
