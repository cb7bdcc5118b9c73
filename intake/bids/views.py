"""Bid pages: the bid board, offering to lead a bid, the bid workspace and its actions, and a
member's own bids.

Bids are loaded only through ``intake.bids.access.get_bid_for_user``. The workspace shows one
section at a time (``?section=``, ``intake.bids.stages``). Each action is a POST to its own URL
that parses one form and calls one service (``intake.bids.actions``), then redirects back to the
section its form lives in with a message saying what happened. A refusal: bad input re-renders
that section with the form's errors (400); a move the bid refused because it is not as the page
showed it (``BidConflict``) redirects to the section (303) with a message saying what changed
(the API answers 409); the service's ``PermissionDenied`` is a 403. What the pages show is read by
``intake.bids.selectors`` and ``intake.bids.workspace``.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake.bids import access as bid_access
from intake.bids import forms, rules, selectors, settlement, team, work
from intake.bids.actions import ACTIONS, NOT_DONE
from intake.bids.models import Bid
from intake.bids.stages import ACTION_SECTIONS
from intake.bids.workspace import build_workspace
from intake.bids.workspace_parts import event_row
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
            raise PermissionDenied(_("The bid pages are for members who may be offered work."))
        return view(request, *args, **kwargs)

    return wrapper


def _conflict(request, error: rules.BidConflict) -> None:
    messages.error(
        request,
        _(
            "%(refusal)s Nothing was changed; here is the page as it is now. Check it, then try "
            "again if it still makes sense."
        )
        % {"refusal": error},
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
                _(
                    "You volunteered to join the team bidding on %(reference)s; the lead sees "
                    "your note."
                )
                % {"reference": client_request.reference},
            )
            return redirect("bid-board")
    return _board_page(request, status=400, failed_form=form, failed_request_id=request_id)


# --- Offering to lead -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@bid_worker
def start(request, request_id):
    client_request = get_object_or_404(Request, pk=request_id)
    if client_request.status != Request.Status.BIDDING:
        raise PermissionDenied(_("This request is not open for bids."))
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
                    _("Your bid on %(reference)s is started. Invite the team next.")
                    % {"reference": client_request.reference},
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
        raise PermissionDenied(_("This page is for active members and members on probation."))
    rows = selectors.my_bid_rows(me)
    context = {
        # An invitation can only be answered while the terms are open (team.bid_member_respond).
        "invited": [row for row in rows if row.answerable],
        "rows": [row for row in rows if not row.answerable],
        "decline_form": forms.DeclineForm(),
    }
    return render(request, "bids/my_bids.html", context)


# --- The workspace --------------------------------------------------------------------------


def workspace_url(bid: Bid, section: str) -> str:
    return f"{reverse('bid-workspace', args=[bid.pk])}?section={section}"


def _workspace_page(request, bid, *, section=None, failed=None, status=200):
    page = build_workspace(request, bid, section=section, failed=failed)
    context = {
        "page": page,
        "bid": bid,
        "client_request": bid.request,
        "failed_form": failed[1] if failed else None,
        "statuses": B,
    }
    return render(request, "bids/workspace.html", context, status=status)


@require_safe
@bid_worker
def workspace(request, pk):
    bid = bid_access.get_bid_for_user(request.user, pk)
    return _workspace_page(request, bid, section=request.GET.get("section"))


# --- Workspace actions ----------------------------------------------------------------------


def _refused(action: str, error: rules.BidConflict, posted_version, bid: Bid) -> str:
    """What the reader is told after a move the bid refused: what was not done, and what
    changed since they opened the page."""
    not_done = NOT_DONE[action]
    if posted_version is not None and posted_version != bid.version:
        latest = bid.events.select_related("actor__consultant").order_by("-created_at", "-pk")
        latest = latest.first()
        said = [
            _("%(not_done)s: the bid changed after you opened the page.") % {"not_done": not_done}
        ]
        if latest is not None:
            row = event_row(latest, [])
            said.append(
                _("The latest change: %(label)s (%(actor)s).")
                % {"label": str(row["label"]).rstrip("."), "actor": row["actor"]}
            )
        said.append(
            _(
                "It is now %(status)s. Check it as it is now, then try again if it still makes "
                "sense."
            )
            % {"status": rules.status_text(bid)}
        )
        return " ".join(said)
    return _("%(not_done)s. %(refusal)s Nothing was changed.") % {
        "not_done": not_done,
        "refusal": error,
    }


@require_POST
@bid_worker
def bid_action(request, pk, action):
    bid = bid_access.get_bid_for_user(request.user, pk, write=True)
    spec = ACTIONS[action]
    section = ACTION_SECTIONS[action]
    if spec.may is not None and not spec.may(request.user, bid):
        raise PermissionDenied(_("You may not do this on this bid."))
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
            result = spec.run(bid, request.user, form.cleaned_data)
        except rules.BidConflict as error:
            # Refused because the bid is not as the page showed it: back to the workspace as it
            # is now (303, so a reload does not post again), saying what changed.
            fresh = bid_access.get_bid_for_user(request.user, pk)
            posted = form.cleaned_data.get("version")
            messages.error(request, _refused(action, error, posted, fresh))
            return HttpResponseRedirect(workspace_url(bid, section), status=303)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, spec.done(bid, result, form.cleaned_data))
            return redirect(workspace_url(bid, section))
    fresh = bid_access.get_bid_for_user(request.user, pk)
    return _workspace_page(request, fresh, section=section, failed=(action, form), status=400)
