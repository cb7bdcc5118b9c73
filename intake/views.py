"""Intake pages: the public request form and the client's status page; the coordinators' queue
and request page; a member's offers and engagements.

Each view parses the request, loads requests through ``intake.access``, calls one service (or
the workflow's ``request_apply``) and renders. Staff pages send anonymous visitors to sign in
and answer 403 to signed-in people who have no business there; a request the user may not see
is a 404.
"""

import datetime
import functools
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake import access, hooks
from intake.client_view import client_status
from intake.forms import (
    SORTS,
    URGENCY_RANK,
    QueueFilterForm,
    RequestHelpForm,
    SkillsEditForm,
    TransitionForm,
)
from intake.matching_panel import skills_section_for
from intake.models import Engagement, Offer, Request
from intake.services import request_for_status_token, request_submit
from intake.throttling import submission_allowed, submission_counted, submission_retry_after
from intake.workflow import (
    MOVES,
    PUBLIC_ACTIONS,
    SKILLS_EDIT,
    WorkflowConflict,
    allowed_moves,
    request_apply,
    request_skills_edit,
)
from network import access as network_access
from network.forms import add_service_errors
from network.limits import LimitReached

logger = logging.getLogger(__name__)

# A screenful to triage at once; the same size as the member directory's pages.
QUEUE_PAGE_SIZE = 25
# Past offers on "My offers": enough to remember recent ones, not a full archive.
PAST_OFFERS_SHOWN = 50
# The session key that carries a new request's reference and status link to the thanks page,
# once: the thanks page removes it, so a reload or a shared screen does not show it again.
# The cookie that carries a new request's status link to the thanks page, and how long it lasts.
SUBMISSION_COOKIE = "intake_submission"
SUBMISSION_COOKIE_SECONDS = 600


def intake_email() -> str:
    return getattr(settings, "INTAKE_EMAIL", settings.DEFAULT_FROM_EMAIL)


# --- The public request form ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def request_help(request):
    context = {"intake_email": intake_email()}
    if request.method != "POST":
        return render(request, "intake/request_form.html", {**context, "form": RequestHelpForm()})
    if not submission_allowed(request):
        return _throttled(request, context)
    form = RequestHelpForm(request.POST)
    if form.caught_a_bot:
        # Answer exactly as for a person, so the bot learns nothing, and keep nothing; it counts
        # against the address's limit as a person's submission would.
        logger.info("Discarded a request for help that filled the honeypot field.")
        if not submission_counted(request):
            return _throttled(request, context)
        return redirect("request-thanks")
    if form.is_valid():
        try:
            # Counted once accepted, inside its transaction: over the limit (another submission
            # from the address took the last place meanwhile) it is rolled back, messages too.
            with transaction.atomic():
                submission = request_submit(**form.service_arguments())
                if not submission_counted(request):
                    raise LimitReached
        except ValidationError as error:
            add_service_errors(form, error)
        except LimitReached:
            return _throttled(request, context)
        else:
            # The link is on the host that served the form (emails use SITE_URL).
            response = redirect("request-thanks")
            _thanks_cookie_set(
                request,
                response,
                {
                    "reference": submission.request.reference,
                    "status_url": request.build_absolute_uri(
                        reverse("request-status", args=[submission.status_token])
                    ),
                },
            )
            return response
    return render(request, "intake/request_form.html", {**context, "form": form}, status=400)


def _throttled(request, context):
    response = render(request, "intake/throttled.html", context, status=429)
    response["Retry-After"] = str(submission_retry_after())
    return response


def _thanks_cookie_set(request, response, submission: dict) -> None:
    """Hand the status link to the thanks page in the client's own browser.

    A session would keep the token in the database (encoded, not encrypted) until it expired if
    the thanks page were never opened; this cookie is signed, lives ten minutes, goes only to the
    thanks page (its path) and is never readable by scripts. The server keeps no copy.
    """
    response.set_signed_cookie(
        SUBMISSION_COOKIE,
        json.dumps(submission),
        salt=SUBMISSION_COOKIE,
        max_age=SUBMISSION_COOKIE_SECONDS,
        path=reverse("request-thanks"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


@require_safe
@never_cache
def request_thanks(request):
    signed = request.get_signed_cookie(
        SUBMISSION_COOKIE, default=None, salt=SUBMISSION_COOKIE, max_age=SUBMISSION_COOKIE_SECONDS
    )
    submission = json.loads(signed) if signed else None
    response = render(
        request,
        "intake/request_thanks.html",
        {"submission": submission, "intake_email": intake_email()},
    )
    # Shown once: a reload or a later visitor on this browser sees the plain thanks page.
    response.delete_cookie(SUBMISSION_COOKIE, path=reverse("request-thanks"), samesite="Strict")
    return response


# --- The client's status page ---------------------------------------------------------------


@require_safe
@never_cache
def request_status(request, token):
    client_request = request_for_status_token(token)
    if client_request is None:
        raise Http404("No such request.")
    context = {
        "client_request": client_request,
        "status": client_status(client_request),
        "intake_email": intake_email(),
    }
    response = render(request, "intake/status.html", context)
    # The link is the client's key: no Referer carries it to another site, no index keeps it.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- The coordinators' queue ----------------------------------------------------------------


def queue_requests(user, filters: dict):
    """The queue's rows for ``user``, filtered and sorted (a lazy queryset)."""
    # Only what a row shows (intake/_queue_results.html): not the descriptions, the row's nor
    # its possible duplicate's. A field missing here costs a query per row, which the queue's
    # query-count test catches.
    requests = (
        access.queue_requests(user)
        .select_related("organization", "assigned_group", "possible_duplicate_of")
        .only(
            *("reference", "title", "status", "urgency", "submitted_at", "response_due_at"),
            *("organization__name", "assigned_group__name", "possible_duplicate_of__reference"),
        )
    )
    search = (filters.get("search") or "").strip()
    if search:
        requests = requests.filter(
            Q(reference__iexact=search)
            | Q(title__icontains=search)
            | Q(organization__name__icontains=search)
            | Q(contact__name__icontains=search)
            | Q(contact__email__iexact=search)
        )
    status = filters.get("status")
    if status == "open":
        requests = requests.filter(status__in=Request.OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    if filters.get("urgency"):
        requests = requests.filter(urgency=filters["urgency"])
    if filters.get("group"):
        requests = requests.filter(assigned_group=filters["group"])
    if filters.get("age"):
        since = timezone.now() - datetime.timedelta(days=filters["age"])
        requests = requests.filter(submitted_at__gte=since)
    if filters.get("overdue"):
        requests = requests.filter(
            status=Request.Status.SUBMITTED, response_due_at__lt=timezone.now()
        )
    order = SORTS.get(filters.get("sort") or "newest", SORTS["newest"])
    if "urgency_rank" in order:
        requests = requests.annotate(urgency_rank=URGENCY_RANK)
    return requests.order_by(*order)


@require_safe
@login_required
def queue(request):
    if not access.may_use_queue(request.user):
        raise PermissionDenied("The queue is for intake and group coordinators.")
    form = QueueFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read (a group that no longer exists) must not widen the list.
        requests = Request.objects.none()
        filters_active = True
    else:
        filters = form.cleaned_data if form.is_bound else {}
        requests = queue_requests(request.user, filters)
        filters_active = any(value for name, value in filters.items() if name != "sort")
    # The queries, whatever the number of requests: the count and one page of rows with their
    # organisation, group and possible duplicate joined in (plus the group filter's choices and
    # the session, user and role look-ups every page makes).
    page = Paginator(requests, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "filters_active": filters_active,
        "page": page,
        "sees_all": network_access.is_staff_coordinator(request.user),
    }
    # htmx swaps only the results; a history restore or a plain request gets the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context["partial"] = partial
    template = "intake/_queue_results.html" if partial else "intake/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- The request page -----------------------------------------------------------------------

# How the timeline names the submission, which is not a workflow move.
EVENT_LABELS = {
    "submit": "Submitted",
    "organization_merged": "The client's details copied onto the organisation",
    SKILLS_EDIT: "Skills changed",
    **{action: move.label for action, move in MOVES.items()},
}


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    actor: str
    from_status: str
    to_status: str
    note: str
    at: object


def _actor_name(user) -> str:
    if user is None:
        return "Switchboard"
    consultant = getattr(user, "consultant", None)
    return consultant.display_name if consultant else user.get_username()


def _timeline(client_request) -> list[TimelineEntry]:
    statuses = dict(Request.Status.choices)
    events = client_request.events.select_related("actor__consultant")
    return [
        TimelineEntry(
            label=EVENT_LABELS.get(event.action, event.action),
            actor=_actor_name(event.actor)
            if event.actor_id
            else ("The client, through the form" if event.action == "submit" else "Switchboard"),
            from_status=statuses.get(event.from_status, event.from_status),
            to_status=statuses.get(event.to_status, event.to_status),
            note=event.note,
            at=event.created_at,
        )
        for event in events
    ]


def _request_page(
    request, client_request, *, failed_form=None, skills_form=None, conflict=None, status=200
):
    """The request page; a move's (or the skills') form that failed is passed in so its errors
    show."""
    user = request.user
    internal = access.sees_internal_detail(user, client_request)
    forms = []
    for move in allowed_moves(user, client_request):
        if failed_form is not None and failed_form.action == move.action:
            forms.append(failed_form)
        else:
            forms.append(TransitionForm(move.action, client_request))
    context = {
        "client_request": client_request,
        "internal": internal,
        # Contact details go to coordinators and to the working member serving the client; a
        # member who is only offered the request sees them once they accept.
        "show_contact": access.may_reach_client(user, client_request),
        "languages": client_request.languages.all(),
        "move_forms": forms,
        "conflict": conflict,
        "skills_section": skills_section_for(user, client_request, failed_form=skills_form),
    }
    context.update(hooks.merged(hooks.request_page, request=client_request, user=user))
    if internal:
        context.update(
            timeline=_timeline(client_request),
            offers=client_request.offers.select_related("consultant", "offered_by__consultant"),
            referrals=client_request.referrals.prefetch_related("professionals"),
            engagements=client_request.engagements.select_related("consultant__user"),
            duplicate_visible=client_request.possible_duplicate_of_id is not None
            and access.visible_requests(user)
            .filter(pk=client_request.possible_duplicate_of_id)
            .exists(),
        )
    return render(request, "intake/request_detail.html", context, status=status)


def _load_request(user, pk):
    client_request = access.get_request_for_user(user, pk)
    # The gate's queryset does not join these; the page shows them.
    return (
        Request.objects.select_related(
            "organization",
            "contact",
            "assigned_group",
            "offered_consultant",
            "engaged_consultant__user",
            "possible_duplicate_of",
        )
        # The page, the suggestions and the teams panels all read the languages: read them once.
        .prefetch_related("languages")
        .filter(pk=client_request.pk)
        .get()
    )


@require_safe
@login_required
def request_detail(request, pk):
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied("The request pages are for coordinators and members.")
    return _request_page(request, _load_request(request.user, pk))


@require_POST
@login_required
def request_transition(request, pk, action):
    if action not in PUBLIC_ACTIONS:
        raise Http404("No such action.")
    # Refused as the request page is (403), before any look-up, for those it is not for.
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied("The request pages are for coordinators and members.")
    client_request = _load_request(request.user, pk)
    back_to_offers = request.POST.get("next") == reverse("my-offers")
    # On "My offers" the ids carry the request, so a failed form shows next to its offer.
    auto_id = f"offer{client_request.pk}_%s" if back_to_offers else "id_%s"
    form = TransitionForm(action, client_request, request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            request_apply(
                request_id=client_request.pk,
                action=action,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.workflow_fields(),
            )
        except WorkflowConflict:
            messages.error(
                request,
                "This request changed while you were looking at it — here is the current "
                "state. Check it, then try again if your action still makes sense.",
            )
            if back_to_offers:
                return _offers_page(request, status=409)
            return _request_page(
                request, _load_request(request.user, pk), conflict=True, status=409
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{client_request.reference}: {MOVES[action].label.lower()} — done."
            )
            if back_to_offers:
                return redirect("my-offers")
            if access.visible_requests(request.user).filter(pk=pk).exists():
                return redirect("intake-request", pk=pk)
            return redirect("intake-queue")
    if back_to_offers:
        return _offers_page(request, failed_form=form, status=400)
    return _request_page(request, client_request, failed_form=form, status=400)


@require_POST
@login_required
def request_skills(request, pk):
    """One change to a request's skills from its page's Skills section (name a skill, remove
    one, confirm, dismiss or restore a suggestion), through ``request_skills_edit``."""
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied("The request pages are for coordinators and members.")
    client_request = _load_request(request.user, pk)
    if not access.works_the_queue(request.user, client_request):
        raise PermissionDenied("Only intake coordinators change a request's skills.")
    form = SkillsEditForm(client_request, request.POST)
    if form.is_valid():
        try:
            _, change = request_skills_edit(
                request_id=client_request.pk,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except WorkflowConflict as conflict:
            messages.error(
                request,
                f"The skills were not changed: {conflict} Here is the current state; check it, "
                "then try again if your change still makes sense.",
            )
            return _request_page(
                request, _load_request(request.user, pk), conflict=True, status=409
            )
        except ValidationError as error:
            # The buttons' fields are hidden: their errors go to the top of the section.
            hidden = {name: "__all__" for name in ("remove", "confirm", "dismiss", "restore")}
            add_service_errors(form, error, renames=hidden)
        else:
            messages.success(request, f"{client_request.reference}: {change.sentences()}")
            return redirect(reverse("intake-request", args=[pk]) + "#skills")
    return _request_page(request, client_request, skills_form=form, status=400)


# --- A member's offers and engagements ------------------------------------------------------


def own_consultant(view):
    """Runs ``view`` for a member with a member record (applicants and former members are not
    members); others get a 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_use_request_pages(request.user) or (
            network_access.consultant_of(request.user) is None
        ):
            raise PermissionDenied("This page is for members of the alliance.")
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class PendingOffer:
    offer: Offer
    accept_form: TransitionForm
    decline_form: TransitionForm


def _offers_page(request, *, failed_form=None, status=200):
    consultant = network_access.consultant_of(request.user)
    offers = Offer.objects.filter(consultant=consultant).select_related(
        "request", "request__assigned_group"
    )
    pending = []
    for offer in offers.filter(status=Offer.Status.PENDING).order_by("expires_at", "pk"):
        forms = {}
        for action in ("accept", "decline"):
            failed = (
                failed_form is not None
                and failed_form.action == action
                and failed_form.request.pk == offer.request_id
            )
            # Names carry the action (what the transition view reads); ids carry the request,
            # so several offers' forms can share the page.
            forms[action] = (
                failed_form
                if failed
                else TransitionForm(action, offer.request, auto_id=f"offer{offer.request_id}_%s")
            )
        pending.append(PendingOffer(offer, forms["accept"], forms["decline"]))
    past = offers.exclude(status=Offer.Status.PENDING).order_by("-created_at", "-pk")
    context = {"pending": pending, "past": past[:PAST_OFFERS_SHOWN]}
    return render(request, "intake/my_offers.html", context, status=status)


@require_safe
@own_consultant
def my_offers(request):
    return _offers_page(request)


@require_safe
@own_consultant
def my_engagements(request):
    consultant = network_access.consultant_of(request.user)
    engagements = Engagement.objects.filter(consultant=consultant).select_related(
        "request", "request__organization", "request__contact"
    )
    context = {
        "current": [engagement for engagement in engagements if engagement.end is None],
        "past": [engagement for engagement in engagements if engagement.end is not None],
        # The clients' details belong to working members (access.may_reach_client): a member on
        # leave, an alumnus or a former member sees the record of their work, not the contacts.
        "reaches_clients": network_access.working_consultant_of(request.user) is not None,
    }
    return render(request, "intake/my_engagements.html", context)
