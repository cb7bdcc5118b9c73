"""Pages: the public front door, sign-in, the member directory and a member's own profile.

Each view parses the request, loads objects through ``network.access``, calls one service and
renders. Members-only pages send anonymous visitors to sign in and answer 403 to signed-in
people who are not members; a member the viewer may not see is a 404.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from network import access, applications, selectors, services
from network.cache import counter_increment
from network.client_ip import client_ip_address
from network.decorators import members_only
from network.forms import (
    MembershipApplicationForm,
    ProfileForm,
    QueuedPasswordResetForm,
    SkillDetailsForm,
    SkillEntryForm,
    TimeAwayForm,
    add_service_errors,
    directory_filterset,
)
from network.limits import AddressLimit, LimitReached
from network.models import Consultant, ConsultantSkill, Skill, TimeAway
from network.pagination import CappedPaginator

logger = logging.getLogger(__name__)

# Enough cards to scan at once, few enough that a page stays light on a phone.
DIRECTORY_PAGE_SIZE = 25


def own_profile(view):
    """Runs ``view`` with the signed-in user's own member record, or explains why there is none.

    The record still comes through the access gate with ``write=True``, so the rule for who may
    change a profile lives in one place.
    """

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        consultant = access.consultant_of(request.user)
        if consultant is None:
            return render(request, "network/no_profile.html", {"inactive": False})
        try:
            consultant = access.get_consultant_for_user(request.user, consultant.pk, write=True)
        except Http404:
            # Applicants and former members have a record but no member pages.
            return render(request, "network/no_profile.html", {"inactive": True}, status=403)
        return view(request, consultant, *args, **kwargs)

    return wrapper


# --- Public pages ---------------------------------------------------------------------------


@require_safe
def home(request):
    return render(request, "network/home.html")


def _application_limit() -> AddressLimit:
    """Applications accepted from one client address per clock hour (network.limits)."""
    return AddressLimit("membership_application", settings.MEMBERSHIP_APPLICATIONS_PER_HOUR, 3600)


def _join_refused(request, limit: AddressLimit):
    response = render(request, "network/join_throttled.html", status=429)
    response["Retry-After"] = str(limit.seconds_left())
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    if request.method != "POST":
        return render(request, "network/join.html", {"form": MembershipApplicationForm()})
    limit = _application_limit()
    if not limit.has_room(request):
        return _join_refused(request, limit)
    form = MembershipApplicationForm(request.POST)
    if form.caught_a_bot:
        # Answer exactly as for a person, so the bot learns nothing, and keep nothing; it counts
        # against the address's limit as a person's application would.
        logger.info("Discarded a membership application that filled the honeypot field.")
        if not limit.take(request):
            return _join_refused(request, limit)
        return redirect("join-thanks")
    if form.is_valid():
        try:
            # Counted once accepted, inside its transaction: over the limit (another application
            # from the address took the last place meanwhile) it is rolled back.
            with transaction.atomic():
                applications.application_submit(
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    statement=form.cleaned_data["statement"],
                    website=form.cleaned_data["website"],
                    location=form.cleaned_data["location"],
                    skills_text=form.cleaned_data["skills"],
                )
                if not limit.take(request):
                    raise LimitReached
        except ValidationError as error:
            add_service_errors(form, error, renames={"skills_text": "skills"})
        except LimitReached:
            return _join_refused(request, limit)
        else:
            return redirect("join-thanks")
    return render(request, "network/join.html", {"form": form})


@require_safe
def join_thanks(request):
    return render(request, "network/join_thanks.html")


# --- The member directory -------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    consultant: Consultant
    show_rate: bool


def _filters_active(filterset) -> bool:
    if not filterset.is_bound:
        return False
    if not filterset.is_valid():
        return True
    # "No" for remote work is a filter; an empty box, an empty list or "Either" is not.
    return any(value or value is False for value in filterset.form.cleaned_data.values())


@require_safe
@members_only
def member_list(request):
    filterset = directory_filterset(
        request.GET or None,
        queryset=selectors.consultant_directory(request.user),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        # A filter that cannot be read (a date like 2024-13-01) must not widen the list.
        consultants = Consultant.objects.none()
    else:
        consultants = filterset.qs
    # At most DIRECTORY_COUNT_CAP + 1 rows are counted: "of more than 1,000 members".
    page = CappedPaginator(consultants, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filterset.form,
        "filters_active": _filters_active(filterset),
        "page": page,
        "entries": [
            DirectoryEntry(consultant, access.can_see_rates(request.user, consultant))
            for consultant in selectors.with_directory_details(page.object_list)
        ],
        "skill_names": Skill.objects.values_list("name", flat=True),
    }
    # htmx swaps only the results; a history restore or a plain request gets the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context["partial"] = partial
    template = "network/_member_results.html" if partial else "network/member_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@members_only
def member_detail(request, pk):
    consultant = access.get_consultant_for_user(request.user, pk)
    today = timezone.localdate()
    context = {
        "consultant": consultant,
        "skills": consultant.skills.select_related("skill"),
        "languages": consultant.languages.all(),
        "groups": consultant.consultant_groups.all(),
        "time_away": consultant.time_away.filter(end__gte=today).select_related("covering"),
        "covering_for": TimeAway.objects.filter(
            covering=consultant,
            end__gte=today,
            consultant__in=access.visible_consultants(request.user),
        ).select_related("consultant"),
        "show_rate": access.can_see_rates(request.user, consultant),
        "is_self": consultant.user_id == request.user.pk,
    }
    return render(request, "network/member_detail.html", context)


# --- A member's own profile -----------------------------------------------------------------


def _covering_choices(user, consultant):
    """Members who can take over a client meanwhile: working members the user can see."""
    return (
        access.visible_consultants(user)
        .filter(status__in=Consultant.WORKING_STATUSES)
        .exclude(pk=consultant.pk)
    )


def _profile_page(
    request,
    consultant,
    *,
    profile_form=None,
    new_skill_form=None,
    skill_forms=None,
    time_away_form=None,
):
    """The profile editor; a form that failed is passed in so its errors show."""
    skill_forms = skill_forms or {}
    skill_rows = [
        (
            entry,
            skill_forms.get(entry.skill_id)
            or SkillDetailsForm(
                prefix=f"skill-{entry.skill_id}",
                initial={"level": entry.level, "years": entry.years, "note": entry.note},
            ),
        )
        for entry in consultant.skills.select_related("skill")
    ]
    context = {
        "consultant": consultant,
        "profile_form": profile_form
        or ProfileForm(
            instance=consultant,
            prefix="profile",
            initial={
                "language": request.user.language,
                "free_service_days": _pledged_this_year(consultant),
            },
        ),
        "skill_rows": skill_rows,
        "new_skill_form": new_skill_form or SkillEntryForm(prefix="new-skill"),
        "time_away": consultant.time_away.filter(end__gte=timezone.localdate()).select_related(
            "covering"
        ),
        "time_away_form": time_away_form
        or TimeAwayForm(
            prefix="away", covering_choices=_covering_choices(request.user, consultant)
        ),
        "skill_names": Skill.objects.values_list("name", flat=True),
        "can_view_listing": access.is_member(request.user),
    }
    return render(request, "network/my_profile.html", context)


def _pledged_this_year(consultant):
    """The days the member pledged for this calendar year, or None before they pledge."""
    year = timezone.localdate().year
    return consultant.pledges.filter(year=year).values_list("days", flat=True).first()


def _profile_extras_save(consultant, form) -> None:
    """A working member's rota choice and this year's pledge, when the form changes them."""
    data = form.cleaned_data
    if data["on_call_opt_in"] != consultant.on_call_opt_in:
        services.rota_opt_in(consultant=consultant, on_call=data["on_call_opt_in"])
    days = data.get("free_service_days")
    if days is not None and days != _pledged_this_year(consultant):
        services.pledge_set(consultant=consultant, year=timezone.localdate().year, days=days)


def _back_to_profile(section: str = ""):
    return redirect(reverse("my-profile") + (f"#{section}" if section else ""))


@require_http_methods(["GET", "HEAD", "POST"])
@own_profile
def my_profile(request, consultant):
    if request.method != "POST":
        return _profile_page(request, consultant)
    # The form checks a copy, so a refused edit never touches the record the page shows.
    form = ProfileForm(
        request.POST, instance=Consultant.objects.get(pk=consultant.pk), prefix="profile"
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                services.consultant_update(consultant=consultant, **form.service_arguments())
                if form.working:
                    _profile_extras_save(consultant, form)
        except ValidationError as error:
            consultant.refresh_from_db()
            add_service_errors(form, error)
        else:
            language = form.cleaned_data["language"]
            if request.user.language != language:
                request.user.language = language
                request.user.save(update_fields=["language"])
                # The confirmation below already reads in the language just chosen.
                translation.activate(language or translation.get_language_from_request(request))
            messages.success(request, _("Your profile is saved."))
            return _back_to_profile()
    return _profile_page(request, consultant, profile_form=form)


@require_POST
@own_profile
def my_skill_add(request, consultant):
    form = SkillEntryForm(request.POST, prefix="new-skill")
    if form.is_valid():
        skill = form.cleaned_data["skill"]
        already_listed = consultant.skills.filter(skill=skill).exists()
        try:
            entry = services.consultant_skill_set(
                consultant=consultant,
                skill=skill,
                level=form.cleaned_data["level"],
                years=form.cleaned_data["years"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if already_listed:
                message = _("%(skill)s updated at level %(level)s.")
            else:
                message = _("%(skill)s added at level %(level)s.")
            messages.success(request, message % {"skill": skill.name, "level": entry.level})
            return _back_to_profile("skills")
    return _profile_page(request, consultant, new_skill_form=form)


@require_POST
@own_profile
def my_skill_update(request, consultant, skill_pk):
    entry = get_object_or_404(
        ConsultantSkill.objects.select_related("skill"), consultant=consultant, skill_id=skill_pk
    )
    form = SkillDetailsForm(request.POST, prefix=f"skill-{skill_pk}")
    if form.is_valid():
        try:
            services.consultant_skill_set(
                consultant=consultant,
                skill=entry.skill,
                level=form.cleaned_data["level"],
                years=form.cleaned_data["years"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(skill)s saved.") % {"skill": entry.skill.name})
            return _back_to_profile("skills")
    return _profile_page(request, consultant, skill_forms={entry.skill_id: form})


@require_POST
@own_profile
def my_skill_remove(request, consultant, skill_pk):
    entry = get_object_or_404(
        ConsultantSkill.objects.select_related("skill"), consultant=consultant, skill_id=skill_pk
    )
    services.consultant_skill_remove(consultant=consultant, skill=entry.skill)
    messages.success(
        request, _("%(skill)s removed from your profile.") % {"skill": entry.skill.name}
    )
    return _back_to_profile("skills")


@require_POST
@own_profile
def my_time_away_add(request, consultant):
    form = TimeAwayForm(
        request.POST,
        prefix="away",
        covering_choices=_covering_choices(request.user, consultant),
    )
    if form.is_valid():
        try:
            services.time_away_save(consultant=consultant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your time away is saved."))
            return _back_to_profile("time-away")
    return _profile_page(request, consultant, time_away_form=form)


@require_POST
@own_profile
def my_time_away_delete(request, consultant, pk):
    entry = get_object_or_404(TimeAway, pk=pk, consultant=consultant)
    services.time_away_delete(time_away=entry)
    messages.success(request, _("Time away removed."))
    return _back_to_profile("time-away")


# --- Password reset --------------------------------------------------------------------------

RESET_WINDOW_SECONDS = 3600


def _hourly_count(key: str) -> int:
    """Count one more event under ``key`` in the cache, for an hour from the first (one atomic
    step on Redis: network.cache.counter_increment)."""
    return counter_increment(cache, key, RESET_WINDOW_SECONDS)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email with two hourly limits (settings ``PASSWORD_RESET_*``).

    Per email address: beyond the limit the same "sent" page and no mail, so the page still
    says nothing about who has an account and nobody can flood a member's inbox. Per client
    address: beyond the limit the form again with a message, status 429. The mail goes out from
    the task queue (``QueuedPasswordResetForm``), so the time the answer takes tells nothing
    either.
    """

    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        client = client_ip_address(request) or "unknown"
        if _hourly_count(f"password-reset:client:{client}") > (
            settings.PASSWORD_RESET_REQUESTS_PER_HOUR
        ):
            form = self.get_form()
            form.is_valid()  # bound, so the address typed stays in the field
            form.add_error(
                None,
                _(
                    "Too many password reset requests from your network. Wait an hour, then try "
                    "again, or ask the alliance's administrator."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        # Hashed: the cache never holds the addresses people typed.
        digest = hashlib.sha256(address.encode()).hexdigest()
        if _hourly_count(f"password-reset:email:{digest}") > (
            settings.PASSWORD_RESET_EMAILS_PER_HOUR
        ):
            logger.warning("Password reset not sent: hourly limit reached for one address.")
            return redirect(self.get_success_url())
        return super().form_valid(form)
