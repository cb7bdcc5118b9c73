"""Intake's public pages (the request form, the thanks page, the client's status page) and the
coordinators' queue. A request's own page and its moves are in ``intake.request_views``; a
member's offers and engagements in ``intake.member_views``.

Each view parses the request, loads requests through ``intake.access``, calls one service and
renders. Staff pages send anonymous visitors to sign in and answer 403 to signed-in people who
have no business there.
"""

import datetime
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from intake import access
from intake.client_view import client_status
from intake.forms import SORTS, URGENCY_RANK, QueueFilterForm, RequestHelpForm
from intake.models import Request
from intake.services import request_for_status_token, request_submit
from intake.throttling import submission_allowed, submission_counted, submission_retry_after
from network import access as network_access
from network.forms import add_service_errors
from network.language import supported
from network.limits import LimitReached

logger = logging.getLogger(__name__)

# A screenful to triage at once; the same size as the member directory's pages.
QUEUE_PAGE_SIZE = 25
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
                # The language the form was shown in: the client's emails and status page use it.
                submission = request_submit(
                    **form.service_arguments(), language=translation.get_language()
                )
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
        raise Http404(_("No such request."))
    # In the client's language, unless this visitor chose one with the footer's switcher.
    language = translation.get_language()
    if not supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        language = client_request.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "client_request": client_request,
            "status": client_status(client_request),
            "intake_email": intake_email(),
        }
        response = render(request, "intake/status.html", context)
    response["Content-Language"] = language
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
        .select_related(
            "organization", "assigned_group", "offered_consultant", "possible_duplicate_of"
        )
        .only(
            *("reference", "title", "status", "urgency", "submitted_at", "response_due_at"),
            "language",
            *("organization__name", "assigned_group__name", "possible_duplicate_of__reference"),
            "offered_consultant__display_name",
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
        raise PermissionDenied(_("The queue is for intake and group coordinators."))
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
