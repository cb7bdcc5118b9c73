"""A request's page for coordinators and members, its moves and its skills.

``request_detail`` shows the request with one form per move the user may make; the forms post
to ``request_transition``, which calls the workflow's one door (``request_apply``). A move made
redirects with a message saying what happened; a refused one (``WorkflowConflict``) redirects
too (303), to the request's own page (or the member's page the form came from) with the reason,
so the address bar shows the request and its fresh state; a form error renders the form again
(400). A request the user may not see is a 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from intake import access, cover, hooks
from intake.cover_views import CoverForm
from intake.forms import SkillsEditForm, TransitionForm
from intake.matching_panel import skills_section_for
from intake.member_views import engagements_page, my_page_of, offers_page
from intake.models import Request
from intake.move_messages import move_message, refusal_message
from intake.notifications import person_name
from intake.workflow import (
    MOVES,
    PUBLIC_ACTIONS,
    SKILLS_EDIT,
    WorkflowConflict,
    allowed_moves,
    request_apply,
    request_skills_edit,
)
from network.forms import add_service_errors

# How the timeline names what is not a workflow move, and moves it words as what happened.
EVENT_LABELS = {
    "submit": _("Submitted"),
    "organization_merged": _("The client's details copied onto the organisation"),
    SKILLS_EDIT: _("Skills changed"),
    **{action: move.label for action, move in MOVES.items()},
    "report_done": _("Work reported done"),
}
# The stages before a request is routed: "Not routed yet" says something only there.
BEFORE_ROUTING = (Request.Status.SUBMITTED, Request.Status.CONTACTED, Request.Status.TRIAGED)


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
        return str(_("Switchboard"))
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
            else (
                _("The client, through the form") if event.action == "submit" else _("Switchboard")
            ),
            from_status=statuses.get(event.from_status, event.from_status),
            to_status=statuses.get(event.to_status, event.to_status),
            note=event.note,
            at=event.created_at,
        )
        for event in events
    ]


def _sees_member(user, internal: bool, consultant) -> bool:
    """Who holds an offer or serves the request: coordinators see it, a member only of
    themselves (a member who declined does not learn who came after them)."""
    return consultant is not None and (internal or consultant.user_id == user.pk)


def routing_facts(user, client_request: Request, internal: bool) -> list[tuple[str, str]]:
    """The request page's lines on where the request went: its group, or the member it was
    offered to straight away (no group), or "Not routed yet" while it is not."""
    if client_request.assigned_group_id is not None:
        return [(_("Group"), client_request.assigned_group.name)]
    direct = client_request.offered_consultant
    if direct is not None:
        name = direct.display_name if _sees_member(user, internal, direct) else _("a member")
        return [(_("Routing"), _("Offered directly to %(name)s") % {"name": name})]
    if client_request.status in BEFORE_ROUTING:
        return [(_("Group"), _("Not routed yet"))]
    return []


def _request_page(
    request, client_request, *, failed_form=None, skills_form=None, cover_form=None, status=200
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
    engaged = client_request.engaged_consultant
    reported_by_me = client_request.done_reported_by_id == user.pk
    context = {
        "client_request": client_request,
        "internal": internal,
        # Contact details go to coordinators and to the working member serving the client; a
        # member who is only offered the request sees them once they accept.
        "show_contact": access.may_reach_client(user, client_request),
        "languages": client_request.languages.all(),
        "move_forms": forms,
        "may_complete": any(form.action == "complete" for form in forms),
        "routing_facts": routing_facts(user, client_request, internal),
        "shows_consultant": _sees_member(user, internal, engaged),
        # The work reported done and waiting for a coordinator: for them and the reporter.
        "shows_work_reported": client_request.done_reported_at is not None
        and client_request.status == Request.Status.ENGAGED
        and (internal or reported_by_me),
        "reported_by_me": reported_by_me,
        "reported_by": person_name(client_request.done_reported_by),
        "skills_section": skills_section_for(user, client_request, failed_form=skills_form),
    }
    # Who the client contacts while the engaged member is away (or that nobody does): for
    # those who see the client's contact details, only during the time away.
    if context["show_contact"]:
        away_cover = cover.request_cover(client_request)
        context["away_cover"] = away_cover
        if away_cover is not None and cover.may_name_cover(user, away_cover.engagement):
            context["cover_form"] = cover_form or _cover_form(away_cover)
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


def _cover_form(away_cover) -> CoverForm:
    """The form naming who covers, with the member proposed when nobody does yet."""
    covering = away_cover.covering
    form = CoverForm(engagement=away_cover.engagement, auto_id="cover_%s")
    if covering is None:
        proposal = cover.propose(away_cover.engagement, away_cover.time_away)
        if proposal is not None:
            covering = proposal.consultant
            form.proposal = proposal
    form.initial = {"covering": covering.pk if covering else None, "version": away_cover.version}
    return form


@require_POST
@login_required
def request_cover(request, pk):
    """Name who covers the request's engaged member while they are away (intake coordinators
    and the member); a bad choice renders the page again (400), a stale one 409."""
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied(_("The request pages are for coordinators and members."))
    client_request = _load_request(request.user, pk)
    if not (
        access.is_intake_coordinator(request.user)
        or access.serves_the_request(request.user, client_request)
    ):
        raise PermissionDenied(_("Only intake coordinators and the member name who covers."))
    away_cover = cover.request_cover(client_request)
    if away_cover is None:
        raise cover.CoverConflict(_("The consultant is not away; nobody needs to cover."))
    form = CoverForm(request.POST, engagement=away_cover.engagement, auto_id="cover_%s")
    if form.is_valid():
        try:
            cover.cover_set(
                engagement_id=away_cover.engagement.pk,
                covering_id=form.cleaned_data["covering"].pk,
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s covers %(reference)s meanwhile; they are told by email.")
                % {
                    "name": form.cleaned_data["covering"].display_name,
                    "reference": client_request.reference,
                },
            )
            return redirect("intake-request", pk=client_request.pk)
    return _request_page(request, client_request, cover_form=form, status=400)


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
            "done_reported_by__consultant",
        )
        # The page, the suggestions and the teams panels all read the languages: read them once.
        .prefetch_related("languages")
        .filter(pk=client_request.pk)
        .get()
    )


def _see_other(url: str) -> HttpResponseRedirect:
    """A redirect that turns the POST into a GET of ``url`` (303 See Other)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _request_url_for(user, pk) -> str:
    """The request's own page, or the queue once the user may no longer see the request."""
    if access.visible_requests(user).filter(pk=pk).exists():
        return reverse("intake-request", args=[pk])
    return reverse("intake-queue")


@require_safe
@login_required
def request_detail(request, pk):
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied(_("The request pages are for coordinators and members."))
    return _request_page(request, _load_request(request.user, pk))


@require_POST
@login_required
def request_transition(request, pk, action):
    if action not in PUBLIC_ACTIONS:
        raise Http404(_("No such action."))
    # Refused as the request page is (403), before any look-up, for those it is not for.
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied(_("The request pages are for coordinators and members."))
    client_request = _load_request(request.user, pk)
    my_page = my_page_of(request)
    # On a member's own page the ids carry the request, so a failed form shows next to it.
    auto_id = f"offer{client_request.pk}_%s" if my_page else "id_%s"
    form = TransitionForm(action, client_request, request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            event = request_apply(
                request_id=client_request.pk,
                action=action,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.workflow_fields(),
            )
        except WorkflowConflict as conflict:
            messages.error(
                request, refusal_message(client_request, conflict, form.cleaned_data["version"])
            )
            if my_page:
                return _see_other(reverse(my_page))
            return _see_other(_request_url_for(request.user, pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, move_message(client_request, event))
            if my_page:
                return redirect(my_page)
            return redirect(_request_url_for(request.user, pk))
    if my_page == "my-offers":
        return offers_page(request, failed_form=form, status=400)
    if my_page == "my-engagements":
        return engagements_page(request, failed_form=form, status=400)
    return _request_page(request, client_request, failed_form=form, status=400)


@require_POST
@login_required
def request_skills(request, pk):
    """One change to a request's skills from its page's Skills section (name a skill, remove
    one, confirm, dismiss or restore a suggestion), through ``request_skills_edit``."""
    if not access.can_use_request_pages(request.user):
        raise PermissionDenied(_("The request pages are for coordinators and members."))
    client_request = _load_request(request.user, pk)
    if not access.works_the_queue(request.user, client_request):
        raise PermissionDenied(_("Only intake coordinators change a request's skills."))
    form = SkillsEditForm(client_request, request.POST)
    skills_url = reverse("intake-request", args=[pk]) + "#skills"
    if form.is_valid():
        try:
            _request, change = request_skills_edit(
                request_id=client_request.pk,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except WorkflowConflict as conflict:
            stale = conflict.version != form.cleaned_data["version"]
            reason = _("it changed while you were looking at it.") if stale else str(conflict)
            messages.error(
                request,
                _(
                    "The skills of %(reference)s were not changed: %(reason)s Here is its current "
                    "state; check it, then try again if your change still makes sense."
                )
                % {"reference": client_request.reference, "reason": reason},
            )
            return _see_other(skills_url)
        except ValidationError as error:
            # The buttons' fields are hidden: their errors go to the top of the section.
            hidden = {name: "__all__" for name in ("remove", "confirm", "dismiss", "restore")}
            add_service_errors(form, error, renames=hidden)
        else:
            messages.success(request, f"{client_request.reference}: {change.sentences()}")
            return redirect(skills_url)
    return _request_page(request, client_request, skills_form=form, status=400)
