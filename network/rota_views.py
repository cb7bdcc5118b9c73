"""The out-of-hours rota's pages: the coming weeks (/rota/), opting in, offering and answering
swaps, and the rota as an iCalendar file (/rota.ics). Services in ``network.services``."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from network import access, rota, services
from network.models import RotaSwap, RotaWeek

# How many coming weeks the page lists.
WEEKS_SHOWN = 12


def _readers_only(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_read_rota(request.user):
            raise PermissionDenied(_("The rota is open to working members of the alliance only."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def coming_weeks(today: datetime.date):
    """The week under way and those after it, with their holders."""
    return RotaWeek.objects.filter(start__gte=rota.monday_of(today)).select_related("consultant")


def _page(request, *, error: str = "", status: int = 200):
    today = timezone.localdate()
    member = access.working_consultant_of(request.user)
    weeks = list(coming_weeks(today)[:WEEKS_SHOWN])
    current = weeks[0] if weeks and weeks[0].start <= today else None
    swaps = []
    mine = []
    others = []
    if member is not None:
        mine = [week for week in weeks if week.consultant_id == member.pk and week.start > today]
        others = [week for week in weeks if week.consultant_id != member.pk and week.start > today]
        swaps = list(
            RotaSwap.objects.filter(status=RotaSwap.Status.PROPOSED).filter(
                Q(proposer=member) | Q(partner=member)
            )
        )
        by_pk = {week.pk: week for week in weeks}
        missing = {
            pk for swap in swaps for pk in (swap.week_id, swap.other_week_id) if pk not in by_pk
        }
        if missing:
            by_pk.update(RotaWeek.objects.select_related("consultant").in_bulk(missing))
        for swap in swaps:
            swap.week_row = by_pk.get(swap.week_id)
            swap.other_week_row = by_pk.get(swap.other_week_id)
            swap.asks_me = swap.partner_id == member.pk
    context = {
        "weeks": weeks,
        "current": current,
        "member": member,
        "my_weeks": mine,
        "other_weeks": others,
        "swaps": swaps,
        "today": today,
        "error": error,
    }
    return render(request, "network/rota.html", context, status=status)


@require_safe
@_readers_only
def rota_page(request):
    return _page(request)


@require_POST
@login_required
def rota_opt_in(request):
    member = access.rota_member(request.user)
    if request.POST.get("on_call") not in ("0", "1"):
        return _refused(request, _("Say whether you take out-of-hours duty."))
    on_call = request.POST["on_call"] == "1"
    services.rota_opt_in(consultant=member, on_call=on_call)
    if on_call:
        messages.success(request, _("You are on the out-of-hours rota from its next plan."))
    else:
        messages.success(request, _("You are off the out-of-hours rota from its next plan."))
    return redirect("rota")


def _row_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@require_POST
@login_required
def rota_swap_propose(request):
    member = access.rota_member(request.user)
    week_id, other_id = _row_id(request.POST.get("week")), _row_id(request.POST.get("other_week"))
    if week_id is None or other_id is None:
        return _refused(request, _("Choose your week and the week you would take instead."))
    try:
        services.rota_swap_propose(actor=member, week_id=week_id, other_week_id=other_id)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    messages.success(request, _("Swap offered. The other member can now accept or decline it."))
    return redirect("rota")


@require_POST
@login_required
def rota_swap_answer(request, pk):
    member = access.rota_member(request.user)
    accept = request.POST.get("answer") == "accept"
    try:
        swap = services.rota_swap_answer(actor=member, swap_id=pk, accept=accept)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    if swap.status == RotaSwap.Status.ACCEPTED:
        messages.success(request, _("Swap accepted: the two weeks changed hands."))
    else:
        messages.success(request, _("Swap closed: the weeks stay as they were."))
    return redirect("rota")


def _refused(request, message: str):
    """A refused change: the rota page again, saying why (HTTP 400)."""
    return _page(request, error=message, status=400)


@require_safe
@_readers_only
def rota_calendar(request):
    """The coming weeks as an iCalendar file; ``?mine=1``: the signed-in member's own weeks."""
    from icalendar import Calendar, Event

    today = timezone.localdate()
    weeks = coming_weeks(today)
    member = access.working_consultant_of(request.user)
    mine = request.GET.get("mine") == "1"
    if mine:
        weeks = weeks.filter(consultant=member) if member else weeks.none()
    calendar = Calendar()
    calendar.add("prodid", "-//Switchboard//On-call rota//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Out-of-hours rota"))
    stamp = timezone.now()
    host = request.get_host().split(":")[0] or "switchboard"
    for week in weeks:
        event = Event()
        event.add("uid", f"rota-week-{week.start.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", week.start)
        event.add("dtend", week.start + rota.WEEK)
        event.add("summary", _("On call: %(name)s") % {"name": week.consultant.display_name})
        if week.hard:
            event.add("description", _("A holiday week."))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    name = "my-on-call-weeks.ics" if mine else "on-call-rota.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
