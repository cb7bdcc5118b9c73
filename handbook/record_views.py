"""The alliance's record as pages: meetings, action items, the decisions register and voting
(the handbook's pages themselves are in ``handbook.views``).

Each view loads what it shows through ``handbook.access`` (404 for no such row, 403 for a change
the reader may not make), calls one service and renders. Who may change what:

- working members, the secretary, the staff coordinators and administrators record meetings
  and put motions (``access.may_record``);
- decisions and action items are added to a meeting by the member who recorded it and by the
  record keepers (``access.may_change_meeting``);
- a vote is closed by the decision's creator and the record keepers; anyone else who asks gets
  the decision page back with the refusal (403) and nothing changed;
- an action item is marked done by its owner, the meeting's creator and the record keepers.

Who votes and the quorum are never asked for: the alliance's rules set them when a decision is
opened (``services.decision_create``), and every decision page says how they were set.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from handbook import access, decisions, proposals, services
from handbook.forms import (
    ActionItemForm,
    DecisionForm,
    DecisionKindForm,
    MeetingForm,
    ProxyForm,
    VoteForm,
)
from handbook.models import ActionItem, Decision, Meeting, Proposal, Proxy, Vote
from handbook.selectors import person_name
from network import access as network_access
from network.decorators import members_only
from network.errors import Conflict
from network.forms import add_service_errors
from network.models import Consultant

# Anonymous visitors sign in first; signed-in people who are not members are refused with this.
for_members = members_only(
    message=_(
        "The handbook's meetings, decisions and editing are for members of the alliance only."
    )
)

MEETINGS_PAGE_SIZE = 25
DECISIONS_PAGE_SIZE = 50

# How each rule counts, stated on the decision pages exactly as ``handbook.decisions`` computes.
# They are English here (marked for the catalogs) and translated where they are shown; they
# keep ``str.format`` placeholders ({quorum}), filled with ``.format`` after translating.
QUORUM_EXPLANATION = gettext_noop(
    "At least {quorum} of the {eligible} eligible members must vote for there to be a result. "
    "Every vote counts towards quorum (for, against, abstain and block alike): abstaining is "
    "taking part. Below quorum the outcome is “No quorum”, whatever the votes say."
)
RULE_EXPLANATIONS = {
    decisions.CONSENSUS: gettext_noop(
        "Consensus: one block blocks the decision. Otherwise it passes when at least one "
        "member is for and nobody is against. An abstention is standing aside: it does not "
        "stop consensus."
    ),
    decisions.SIMPLE_MAJORITY: gettext_noop(
        "Simple majority: passes when more members vote for than against. Abstentions are not "
        "counted either way. A block counts as a vote against (only consensus gives a veto)."
    ),
    decisions.TWO_THIRDS: gettext_noop(
        "Two thirds: passes when the votes for are at least two thirds of the votes for and "
        "against together, and at least one member votes for. Abstentions are not counted "
        "either way; a block counts as a vote against."
    ),
    decisions.THREE_QUARTERS: gettext_noop(
        "Three quarters: passes when the votes for are at least three quarters of the votes "
        "for and against together, and at least one member votes for. Abstentions are not "
        "counted either way; a block counts as a vote against."
    ),
}
# How the eligible members and the quorum were set, on each decision's page.
SET_BY_RULES = gettext_noop(  # xgettext:no-python-format
    "Who votes was set by the alliance's rules, not by whoever opened this decision: the "
    "{eligible} working members (active or on probation) on {opened}, stored then, so later "
    "changes of anyone's status do not change the list. The quorum is {percent} % of them, "
    "rounded up: {quorum}. A member on the list who is no longer a working member does not vote."
)
CHOSEN_BY_CREATOR = gettext_noop(
    "This decision was opened before the alliance's rules set who votes and the quorum: whoever "
    "opened it chose these {eligible} members and a quorum of {quorum}, and the record keeps "
    "them. Only those of them who are working members (active or on probation) vote."
)
# For the motion form: what will be set when the decision is recorded.
RULES_PREVIEW = gettext_noop(  # xgettext:no-python-format
    "Who votes is not chosen here: every working member (active or on probation) when the "
    "decision is recorded may vote, {working} today, and the quorum is {percent} % of them, "
    "rounded up: {quorum} today."
)


def _short(text: str, length: int = 80) -> str:
    """A motion or an action item in a message: its first ``length`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class DecisionSummary:
    decision: Decision
    outcome: str
    outcome_label: str
    tally: decisions.Tally
    closed: bool
    by_proxy: int = 0


def _current_votes():
    return Prefetch(
        "votes",
        queryset=Vote.objects.filter(superseded_at__isnull=True),
        to_attr="current_votes",
    )


def _eligible_count():
    """The number of eligible members of each decision, as a subquery (no GROUP BY over the
    decisions and the rows joined to them)."""
    counted = (
        Decision.eligible.through.objects.filter(decision_id=OuterRef("pk"))
        .order_by()
        .values("decision_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def _summarise(decision: Decision) -> DecisionSummary:
    """Outcome and tally from the prefetched current votes (no query per decision)."""
    choices = [vote.choice for vote in decision.current_votes]
    outcome = decisions.outcome(
        decision.rule, decision.quorum, choices, withdrawn=decision.withdrawn_at is not None
    )
    return DecisionSummary(
        decision=decision,
        outcome=outcome,
        outcome_label=decisions.OUTCOME_LABELS[outcome],
        tally=decisions.tally(choices),
        closed=services.decision_is_closed(decision),
        by_proxy=sum(1 for vote in decision.current_votes if vote.cast_by_id is not None),
    )


# --- Meetings -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@for_members
def meeting_list(request):
    status = 200
    if request.method == "POST":
        if not access.may_record(request.user):
            raise PermissionDenied(services.RECORD_REFUSED)
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    actor=request.user,
                    title=data["title"],
                    date=data["date"],
                    attendees=[consultant.pk for consultant in data["attendees"]],
                    agenda=data["agenda"],
                    minutes_body=data["minutes"] if data["minutes"].strip() else None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if meeting.minutes_id:
                    recorded = _("Recorded the meeting %(title)s of %(date)s, with its minutes.")
                else:
                    recorded = _("Recorded the meeting %(title)s of %(date)s.")
                messages.success(
                    request,
                    recorded % {"title": meeting.title, "date": date_format(meeting.date, "j F Y")},
                )
                return redirect(meeting)
        status = 400
    else:
        form = MeetingForm(initial={"date": timezone.localdate()})
    meetings = (
        Meeting.objects.select_related("minutes")
        .annotate(
            attendee_count=Count("attendees", distinct=True),
            decision_count=Count("decisions", distinct=True),
        )
        .order_by("-date", "-pk")
    )
    listing = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "listing": listing, "may_record": access.may_record(request.user)}
    return render(request, "handbook/meetings.html", context, status=status)


@dataclass(frozen=True)
class ItemRow:
    item: ActionItem
    may_mark_done: bool


def _rules_preview() -> str:
    working = Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES).count()
    percent = settings.DECISION_QUORUM_PERCENT
    return gettext(RULES_PREVIEW).format(
        working=working, percent=percent, quorum=decisions.quorum_for(working, percent)
    )


def _meeting_page(
    request, meeting: Meeting, *, decision_form=None, kind_form=None, action_form=None, status=200
):
    user = request.user
    attendees = list(meeting.attendees.order_by("display_name", "pk"))
    summaries = [
        _summarise(decision)
        for decision in meeting.decisions.select_related("adopted_revision__page")
        .prefetch_related(_current_votes())
        .order_by("created_at", "pk")
    ]
    may_change = access.may_change_meeting(user, meeting)
    items = [
        ItemRow(item, access.may_mark_done(user, item))
        for item in meeting.action_items.select_related("owner", "meeting")
    ]
    context = {
        "meeting": meeting,
        "attendees": attendees,
        "summaries": summaries,
        "action_items": items,
        "decision_form": decision_form or DecisionForm(prefix="decision"),
        "kind_form": kind_form or DecisionKindForm(prefix="decision"),
        "meeting_proxy_form": _meeting_proxy_form(user, summaries),
        "action_form": action_form or ActionItemForm(prefix="action"),
        "may_edit": access.may_edit(user),
        "minutes_title": services.minutes_title(meeting.title, meeting.date),
        "may_change": may_change,
        "rules_preview": _rules_preview() if may_change else "",
        "today": timezone.localdate(),
    }
    return render(request, "handbook/meeting_detail.html", context, status=status)


def _meeting_proxy_form(user, summaries):
    """The form that gives one's proxy on the meeting's open decisions, for members while any
    decision is open; None otherwise."""
    me = network_access.consultant_of(user)
    if me is None or me.status not in WORKING or all(summary.closed for summary in summaries):
        return None
    others = Consultant.objects.filter(status__in=WORKING).exclude(pk=me.pk)
    return ProxyForm(prefix="meeting", holders=others.order_by("display_name", "pk"))


@require_POST
@for_members
def meeting_proxy_give(request, pk):
    meeting = access.get_meeting_for_user(request.user, pk)
    services.require_member(request.user)
    holders = Consultant.objects.filter(status__in=WORKING)
    form = ProxyForm(request.POST, prefix="meeting", holders=holders)
    if not form.is_valid():
        messages.error(request, _("Choose the member who is to hold your proxy."))
        return _meeting_page(request, meeting, status=400)
    try:
        given = services.proxy_give_for_meeting(
            actor=request.user, meeting_id=meeting.pk, holder=form.cleaned_data["holder"]
        )
    except Conflict as refused:
        messages.error(request, _("%(refusal)s Nothing changed.") % {"refusal": refused})
        return _meeting_page(request, meeting, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _meeting_page(request, meeting, status=400)
    messages.success(
        request,
        ngettext(
            "%(member)s holds your proxy on %(count)s open decision of this meeting.",
            "%(member)s holds your proxy on %(count)s open decisions of this meeting.",
            len(given),
        )
        % {"member": given[0].holder.display_name, "count": len(given)},
    )
    return redirect(meeting)


@require_POST
@for_members
def meeting_proxy_revoke(request, pk):
    meeting = access.get_meeting_for_user(request.user, pk)
    try:
        services.proxy_revoke_for_meeting(actor=request.user, meeting_id=meeting.pk)
    except Conflict as refused:
        messages.error(request, _("%(refusal)s Nothing changed.") % {"refusal": refused})
        return _meeting_page(request, meeting, status=409)
    messages.success(request, _("Your proxies on this meeting's open decisions are revoked."))
    return redirect(meeting)


@require_safe
@for_members
def meeting_detail(request, pk):
    return _meeting_page(request, access.get_meeting_for_user(request.user, pk))


@require_POST
@for_members
def decision_new(request, pk):
    meeting = access.get_meeting_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST, prefix="decision")
    kind_form = DecisionKindForm(request.POST, prefix="decision")
    if kind_form.is_valid() and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_create(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                rule=data["rule"],
                kind=kind_form.cleaned_data["kind"] or Decision.Kind.GENERAL,
                adopted_revision=data["adopted_revision"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Recorded the decision “%(motion)s”: its %(eligible)s eligible members can "
                    "vote now, and %(quorum)s votes make a quorum."
                )
                % {
                    "motion": _short(decision.text),
                    "eligible": decision.eligible.count(),
                    "quorum": decision.quorum,
                },
            )
            return redirect(decision)
    return _meeting_page(request, meeting, decision_form=form, kind_form=kind_form, status=400)


@require_POST
@for_members
def action_item_new(request, pk):
    meeting = access.get_meeting_for_user(request.user, pk, write=True)
    form = ActionItemForm(request.POST, prefix="action")
    if form.is_valid():
        try:
            item = services.action_item_create(
                actor=request.user, meeting_id=meeting.pk, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Added the action item “%(text)s” for %(owner)s, due %(due)s.")
                % {
                    "text": _short(item.text),
                    "owner": item.owner.display_name,
                    "due": date_format(item.due, "j F Y"),
                },
            )
            return redirect(reverse("handbook-meeting", args=[meeting.pk]) + "#actions")
    return _meeting_page(request, meeting, action_form=form, status=400)


@require_POST
@for_members
def action_item_done(request, pk):
    item = access.get_action_item_for_user(request.user, pk, write=True)
    services.action_item_done(actor=request.user, item_id=item.pk)
    messages.success(
        request, _("Marked the action item “%(text)s” as done.") % {"text": _short(item.text)}
    )
    return redirect(reverse("handbook-meeting", args=[item.meeting_id]) + "#actions")


# --- Decisions ------------------------------------------------------------------------------


@require_safe
@for_members
def decision_register(request):
    outcome_filter = request.GET.get("outcome", "")
    if outcome_filter and outcome_filter not in decisions.OUTCOME_LABELS:
        outcome_filter = ""
        messages.error(request, _("There is no such outcome to filter by: showing every decision."))
    # The outcome is computed from the votes, not stored, so the filter runs over the computed
    # summaries: one query for the decisions (with their eligible counts) and one for their
    # current votes.
    summaries = [
        _summarise(decision)
        for decision in Decision.objects.select_related("meeting", "adopted_revision__page")
        .annotate(eligible_count=_eligible_count())
        .prefetch_related(_current_votes())
    ]
    if outcome_filter:
        summaries = [summary for summary in summaries if summary.outcome == outcome_filter]
    listing = Paginator(summaries, DECISIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "listing": listing,
        "outcome_filter": outcome_filter,
        "outcomes": decisions.OUTCOME_LABELS,
        "quorum_percent": settings.DECISION_QUORUM_PERCENT,
    }
    return render(request, "handbook/decisions.html", context)


def how_set(decision: Decision, eligible: int) -> str:
    """How the decision's eligible members and quorum were set, in words."""
    if not decision.set_by_rules:
        return gettext(CHOSEN_BY_CREATOR).format(eligible=eligible, quorum=decision.quorum)
    opened = timezone.localtime(decision.created_at)
    return gettext(SET_BY_RULES).format(
        eligible=eligible,
        opened=date_format(opened, "j F Y"),
        percent=decision.quorum_percent,
        quorum=decision.quorum,
    )


@dataclass(frozen=True)
class HeldProxy:
    """A proxy the reader holds, with the form that casts the giver's vote."""

    giver: object
    form: VoteForm


def _decision_page(
    request, decision: Decision, *, vote_form=None, proxy_form=None, problem="", status=200
):
    eligible = list(decision.eligible.order_by("display_name", "pk"))
    votes = list(decision.votes.select_related("consultant", "cast_by").order_by("cast_at", "pk"))
    proxies = list(
        Proxy.objects.filter(decision=decision, ended_at__isnull=True).select_related(
            "giver", "holder"
        )
    )
    current = [vote for vote in votes if vote.superseded_at is None]
    choices = [vote.choice for vote in current]
    outcome = decisions.outcome(
        decision.rule, decision.quorum, choices, withdrawn=decision.withdrawn_at is not None
    )
    tally = decisions.tally(choices)
    closed = services.decision_is_closed(decision)
    me = network_access.consultant_of(request.user)
    mine = next((consultant for consultant in eligible if me and consultant.pk == me.pk), None)
    on_list = mine is not None
    may_vote = on_list and not services.why_not_voter(decision, mine.status)
    statuses = services.voting_statuses(decision)
    voters = [consultant for consultant in eligible if consultant.status in statuses]
    my_vote = next((vote for vote in current if me and vote.consultant_id == me.pk), None)
    voted_ids = {vote.consultant_id for vote in current}
    given = next((proxy for proxy in proxies if me and proxy.giver_id == me.pk), None)
    held = [
        HeldProxy(
            giver=proxy.giver,
            form=VoteForm(initial={"on_behalf_of": proxy.giver_id}, prefix=f"proxy{proxy.pk}"),
        )
        for proxy in proxies
        if me and proxy.holder_id == me.pk and proxy.giver.status in statuses
    ]
    holders = [consultant for consultant in voters if me is None or consultant.pk != me.pk]
    context = {
        "decision": decision,
        "eligible": eligible,
        "voters": voters,
        "not_voted": [consultant for consultant in eligible if consultant.pk not in voted_ids],
        "current": current,
        "superseded": [vote for vote in votes if vote.superseded_at is not None],
        "outcome": outcome,
        "outcome_label": decisions.OUTCOME_LABELS[outcome],
        "tally": tally,
        "quorum_reached": tally.voted >= decision.quorum,
        "closed": closed,
        "is_eligible": may_vote,
        "on_probation_only": on_list and not may_vote and mine.status in WORKING,
        "no_longer_working": on_list and mine.status not in WORKING,
        "my_status": me.get_status_display().lower() if me is not None else "",
        "my_vote": my_vote,
        "vote_form": vote_form or VoteForm(initial={"choice": my_vote.choice} if my_vote else None),
        "proxy_given": given,
        "proxies_held": held,
        "proxy_form": proxy_form or ProxyForm(holders=holders),
        "electorate_rule": services.electorate_rule(decision),
        "rule_explanation": gettext(RULE_EXPLANATIONS[decision.rule]),
        "quorum_explanation": gettext(QUORUM_EXPLANATION).format(
            quorum=decision.quorum, eligible=len(eligible)
        ),
        "how_set": how_set(decision, len(eligible)),
        "closed_by": person_name(decision.closed_by) if decision.closed_by_id else "",
        "may_close": access.may_close_decision(request.user, decision),
        "proposal": _proposal_of(decision),
        "problem": problem,
    }
    return render(request, "handbook/decision_detail.html", context, status=status)


WORKING = Consultant.WORKING_STATUSES


def _proposal_of(decision: Decision) -> Proposal | None:
    """The proposed change the decision votes on, if any (selected with the decision by
    ``access.get_decision_for_user``)."""
    try:
        return decision.proposal
    except ObjectDoesNotExist:
        return None


@require_safe
@for_members
def decision_detail(request, pk):
    return _decision_page(request, access.get_decision_for_user(request.user, pk))


@require_POST
@for_members
def vote_cast(request, pk):
    decision = access.get_decision_for_user(request.user, pk)
    # A vote by proxy comes from the holder's form for that giver, with its own prefix.
    prefix = next(
        (key.split("-")[0] for key in request.POST if key.endswith("-on_behalf_of")), None
    )
    form = VoteForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _decision_page(request, decision, vote_form=form, status=400)
    try:
        vote = services.vote_cast(
            actor=request.user,
            decision_id=decision.pk,
            choice=form.cleaned_data["choice"],
            reason=form.cleaned_data["reason"],
            on_behalf_of=form.cleaned_data.get("on_behalf_of"),
        )
    except services.DecisionClosed:
        decision.refresh_from_db()
        problem = _("Voting on this decision has closed: your vote was not recorded.")
        return _decision_page(request, decision, problem=problem, status=409)
    except Conflict as refused:
        problem = _("%(refusal)s Nothing was recorded.") % {"refusal": refused}
        return _decision_page(request, decision, problem=problem, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _decision_page(request, decision, vote_form=form, status=400)
    # PermissionDenied (not eligible) is the 403 page, with the service's explanation.
    if vote.cast_by_id is not None:
        messages.success(
            request,
            _("Your vote for %(member)s by proxy on “%(motion)s” is recorded: %(vote)s.")
            % {
                "member": vote.consultant.display_name,
                "motion": _short(decision.text),
                "vote": vote.get_choice_display(),
            },
        )
        return redirect(decision)
    messages.success(
        request,
        _("Your vote on “%(motion)s” is recorded: %(vote)s.")
        % {"motion": _short(decision.text), "vote": vote.get_choice_display()},
    )
    return redirect(decision)


@require_POST
@for_members
def proxy_give(request, pk):
    decision = access.get_decision_for_user(request.user, pk)
    services.require_voter(request.user, decision)
    form = ProxyForm(request.POST, holders=decision.eligible.all())
    if not form.is_valid():
        return _decision_page(request, decision, proxy_form=form, status=400)
    try:
        proxy = services.proxy_give(
            actor=request.user, decision_id=decision.pk, holder=form.cleaned_data["holder"]
        )
    except Conflict as refused:
        problem = _("%(refusal)s Nothing changed.") % {"refusal": refused}
        return _decision_page(request, decision, problem=problem, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _decision_page(request, decision, proxy_form=form, status=400)
    messages.success(
        request,
        _("%(member)s holds your proxy on this decision until you revoke it or vote yourself.")
        % {"member": proxy.holder.display_name},
    )
    return redirect(decision)


@require_POST
@for_members
def proxy_revoke(request, pk):
    decision = access.get_decision_for_user(request.user, pk)
    try:
        services.proxy_revoke(actor=request.user, decision_id=decision.pk)
    except Conflict as refused:
        problem = _("%(refusal)s Nothing changed.") % {"refusal": refused}
        return _decision_page(request, decision, problem=problem, status=409)
    messages.success(request, _("Your proxy is revoked: it can no longer be used."))
    return redirect(decision)


@require_POST
@for_members
def decision_close(request, pk):
    decision = access.get_decision_for_user(request.user, pk)
    # A reader who may not close sees the decision again with the refusal, and nothing changes.
    if not access.may_close_decision(request.user, decision):
        problem = _("%(refusal)s Voting stays as it was.") % {"refusal": access.CLOSE_REFUSED}
        return _decision_page(request, decision, problem=problem, status=403)
    try:
        decision = proposals.decision_close(actor=request.user, decision_id=decision.pk)
    except services.DecisionClosed as closed:
        decision.refresh_from_db()
        problem = _("%(refusal)s Nothing changed.") % {"refusal": closed}
        return _decision_page(request, decision, problem=problem, status=409)
    outcome = decisions.OUTCOME_LABELS[services.decision_outcome(decision)]
    messages.success(
        request,
        _("Closed the vote on “%(motion)s”. Final outcome: %(outcome)s.")
        % {"motion": _short(decision.text), "outcome": outcome},
    )
    return redirect(decision)
