"""Bid pages: the bid board, offering to lead a bid, the bid workspace and its actions, and a
member's own bids.

Bids are loaded only through ``intake.bids.access.get_bid_for_user``. Each action is a POST to
its own URL that parses one form and calls one service (``intake.bids.team``, ``terms``,
``states``, ``work``, ``settlement``), then redirects back with a message; a refusal re-renders
the workspace: 400 with the form's errors, 409 with the current state when the bid changed under
the user (``BidConflict``), and 403 from the service's ``PermissionDenied``. What the pages show
is read by ``intake.bids.selectors`` and ``intake.bids.workspace``.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake import access
from intake.bids import access as bid_access
from intake.bids import forms, rules, selectors, settlement, states, team, terms, work
from intake.bids.models import Bid
from intake.bids.workspace import build_workspace
from intake.models import Request
from network import access as network_access
from network.forms import add_service_errors

B = Bid.Status


def bid_worker(view):
    """Signed-in users who work on bids (``bid_access.works_for_bids``); others get a 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not bid_access.works_for_bids(request.user):
            raise PermissionDenied("The bid pages are for members who may be offered work.")
        return view(request, *args, **kwargs)

    return wrapper


def _conflict(request, error: rules.BidConflict) -> None:
    messages.error(
        request,
        f"{error} Nothing was changed; here is the bid as it is now. Check it, then try again "
        "if your action still makes sense.",
    )


# --- The bid board --------------------------------------------------------------------------


def _board_page(request, *, status=200, failed_form=None, failed_request_id=None):
    context = {
        "rows": selectors.board_rows(request.user),
        "me": network_access.consultant_of(request.user),
        "failed_form": failed_form,
        "failed_request_id": failed_request_id,
    }
    return render(request, "bids/board.html", context, status=status)


@require_safe
@bid_worker
def board(request):
    return _board_page(request)


@require_POST
@bid_worker
def volunteer(request, request_id):
    client_request = get_object_or_404(Request, pk=request_id, status=Request.Status.BIDDING)
    form = forms.VolunteerForm(request.POST, auto_id=f"volunteer{request_id}_%s")
    if form.is_valid():
        try:
            team.bid_volunteer(
                request_id=client_request.pk, actor=request.user, note=form.cleaned_data["note"]
            )
        except rules.BidConflict as error:
            _conflict(request, error)
            return _board_page(request, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{client_request.reference}: you volunteered; the lead sees your note.",
            )
            return redirect("bid-board")
    return _board_page(request, status=400, failed_form=form, failed_request_id=request_id)


# --- Offering to lead -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@bid_worker
def start(request, request_id):
    client_request = get_object_or_404(Request, pk=request_id)
    if client_request.status != Request.Status.BIDDING:
        raise PermissionDenied("This request is not open for bids.")
    user = request.user
    staff = network_access.is_staff_coordinator(user)
    own = network_access.consultant_of(user)
    arguments = {"client_request": client_request, "staff": staff, "own": own}
    form = forms.BidStartForm(request.POST or None, **arguments)
    status = 200
    open_bid = client_request.bids.exclude(status__in=Bid.CLOSED).select_related("lead").first()
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                bid = team.bid_create(
                    request_id=client_request.pk, actor=user, **form.service_arguments()
                )
            except rules.BidConflict as error:
                _conflict(request, error)
                status = 409
                open_bid = (
                    client_request.bids.exclude(status__in=Bid.CLOSED)
                    .select_related("lead")
                    .first()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{client_request.reference}: your bid is started. Invite the team next.",
                )
                return redirect(bid)
    context = {"client_request": client_request, "form": form, "open_bid": open_bid}
    return render(request, "bids/start.html", context, status=status)


# --- My bids --------------------------------------------------------------------------------


@require_safe
@login_required
def my_bids(request):
    # Bids are for members who may be offered work (bid_access.works_for_bids), as every bid page.
    me = network_access.working_consultant_of(request.user)
    if me is None:
        raise PermissionDenied("This page is for active members and members on probation.")
    rows = selectors.my_bid_rows(me)
    context = {
        # An invitation can only be answered while the terms are open (team.bid_member_respond).
        "invited": [row for row in rows if row.answerable],
        "rows": [row for row in rows if not row.answerable],
        "decline_form": forms.DeclineForm(),
    }
    return render(request, "bids/my_bids.html", context)


# --- The workspace --------------------------------------------------------------------------


def _workspace_page(request, bid, *, failed=None, conflict=False, status=200):
    page = build_workspace(request, bid, failed=failed)
    context = {
        "page": page,
        "bid": bid,
        "client_request": bid.request,
        "conflict": conflict,
        "failed_form": failed[1] if failed else None,
        "can_submit": bid.status == B.SIGNED
        and (bid_access.leads_bid(request.user, bid) or access.is_intake_coordinator(request.user)),
        "can_decide": bid.status == B.SUBMITTED and access.is_intake_coordinator(request.user),
        "can_withdraw": page.manages and bid.status in (B.DRAFT, B.AGREEMENT_OUT, B.SIGNED),
        "statuses": B,
    }
    return render(request, "bids/workspace.html", context, status=status)


@require_safe
@bid_worker
def workspace(request, pk):
    return _workspace_page(request, bid_access.get_bid_for_user(request.user, pk))


# --- Workspace actions ----------------------------------------------------------------------


@dataclass(frozen=True)
class BidAction:
    """One POST on the workspace: its form, the service call, and the message when done."""

    form: Callable[..., Form]
    run: Callable[[Bid, object, dict], object]
    done: str
    auto_id: str = "%s"
    # Who may post it at all, checked before the form: (user, bid) -> bool. The services check
    # every right again; this only makes "you may not" a 403 whatever the form holds.
    may: Callable[[object, Bid], bool] | None = None


ACTIONS: dict[str, BidAction] = {
    "invite": BidAction(
        forms.InviteForm,
        lambda bid, actor, data: team.bid_invite(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        "Invitation sent.",
        "invite_%s",
    ),
    "invite-team": BidAction(
        forms.InviteTeamForm,
        lambda bid, actor, data: team.bid_invite_team(
            bid_id=bid.pk, actor=actor, version=data["version"], members=data["members"]
        ),
        "The team is invited.",
    ),
    "accept": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: team.bid_member_respond(
            bid_id=bid.pk, actor=actor, accept=True, version=data["version"]
        ),
        "You joined the team.",
        "accept_%s",
    ),
    "decline": BidAction(
        forms.DeclineForm,
        lambda bid, actor, data: team.bid_member_respond(
            bid_id=bid.pk,
            actor=actor,
            accept=False,
            reason=data["reason"],
            version=data["version"],
        ),
        "You declined the invitation.",
        "decline_%s",
    ),
    "member": BidAction(
        forms.MemberChangeForm,
        lambda bid, actor, data: team.bid_member_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant_id=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        "The member's role and hours are changed.",
    ),
    "remove": BidAction(
        forms.MemberRemoveForm,
        lambda bid, actor, data: team.bid_member_remove(
            bid_id=bid.pk, actor=actor, version=data["version"], consultant_id=data["consultant"]
        ),
        "The member is off the team.",
    ),
    "terms": BidAction(
        forms.TermsForm,
        lambda bid, actor, data: terms.bid_terms_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            price=data["price"],
            alliance_share_percent=data["alliance_share_percent"],
            split_mode=data["split_mode"],
            due_date=data["due_date"],
        ),
        "The terms are changed.",
        "terms_%s",
    ),
    "send": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: states.bid_send(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        "The agreement is out for signature.",
    ),
    "sign": BidAction(
        forms.SignForm,
        lambda bid, actor, data: terms.agreement_sign(
            bid_id=bid.pk, actor=actor, agreement_version=data["agreement_version"]
        ),
        "You signed the agreement.",
    ),
    "withdraw": BidAction(
        forms.NoteForm,
        lambda bid, actor, data: states.bid_withdraw(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        "The bid is withdrawn.",
    ),
    "submit": BidAction(
        forms.NoteForm,
        lambda bid, actor, data: states.bid_submit(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        "The bid is submitted to the client.",
    ),
    "decide": BidAction(
        forms.DecideForm,
        lambda bid, actor, data: states.bid_decide(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            won=data["outcome"] == "won",
            note=data["note"],
        ),
        "The client's answer is recorded.",
    ),
    "start-work": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: states.bid_start(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        "The work has started: the team can log hours.",
    ),
    "hours": BidAction(
        forms.HoursForm,
        lambda bid, actor, data: work.hours_log(
            bid_id=bid.pk, actor=actor, date=data["date"], hours=data["hours"], note=data["note"]
        ),
        "Your hours are logged.",
        "hours_%s",
    ),
    "hours-delete": BidAction(
        forms.HoursDeleteForm,
        lambda bid, actor, data: work.hours_delete(
            bid_id=bid.pk, actor=actor, entry_id=data["entry"]
        ),
        "The entry is taken back.",
    ),
    "settle": BidAction(
        forms.SettleForm,
        lambda bid, actor, data: settlement.bid_settle(
            bid_id=bid.pk, actor=actor, version=data["version"], collector=data["collector"]
        ),
        "The statement is proposed: every member of the team now approves or disputes it.",
        "settle_%s",
    ),
    "approve": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: settlement.statement_approve(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        "You approved the statement.",
        "approve_%s",
    ),
    "approve-on-behalf": BidAction(
        forms.OnBehalfForm,
        lambda bid, actor, data: settlement.statement_approve_on_behalf(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            reason=data["reason"],
        ),
        "You approved the statement on the member's behalf; they are told by email.",
        "onbehalf_%s",
        may=bid_access.approves_for_absent_member,
    ),
    "dispute": BidAction(
        forms.DisputeForm,
        lambda bid, actor, data: settlement.statement_dispute(
            bid_id=bid.pk, actor=actor, version=data["version"], reason=data["reason"]
        ),
        "You disputed the statement: it is withdrawn and the hours are open again.",
        "dispute_%s",
    ),
}


@require_POST
@bid_worker
def bid_action(request, pk, action):
    bid = bid_access.get_bid_for_user(request.user, pk, write=True)
    spec = ACTIONS[action]
    if spec.may is not None and not spec.may(request.user, bid):
        raise PermissionDenied("You may not do this on this bid.")
    kwargs = {"auto_id": spec.auto_id}
    if spec.form is forms.SettleForm:
        kwargs["team"] = rules.team_members(bid)
    if spec.form is forms.HoursForm:
        kwargs["window"] = work.hours_window(bid)
    if spec.form is forms.OnBehalfForm:
        kwargs["away"] = settlement.members_away_from(bid)
    form = spec.form(request.POST, **kwargs)
    if form.is_valid():
        try:
            spec.run(bid, request.user, form.cleaned_data)
        except rules.BidConflict as error:
            _conflict(request, error)
            fresh = bid_access.get_bid_for_user(request.user, pk)
            return _workspace_page(request, fresh, conflict=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{bid.request.reference}: {spec.done}")
            return redirect("bid-workspace", pk=bid.pk)
    fresh = bid_access.get_bid_for_user(request.user, pk)
    return _workspace_page(request, fresh, failed=(action, form), status=400)
