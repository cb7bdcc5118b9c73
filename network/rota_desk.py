"""The out-of-hours rota on the desk (``network.desk``): a working member's own coming weeks,
and who is on call now for coordinators. One query, whatever the number of weeks."""

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from network import access, desk, rota
from network.models import RotaWeek


def panels(user):
    member = access.working_consultant_of(user)
    coordinator = access.is_coordinator(user)
    if member is None and not coordinator:
        return None
    this_monday = rota.monday_of(timezone.localdate())
    wanted = Q(start=this_monday)
    if member is not None:
        wanted |= Q(consultant=member, start__gte=this_monday)
    weeks = list(
        RotaWeek.objects.filter(wanted).select_related("consultant")[: desk.ITEMS_SHOWN + 1]
    )
    current = next((week for week in weeks if week.start == this_monday), None)
    found = []
    url = reverse("rota")
    if member is not None:
        mine = [week for week in weeks if week.consultant_id == member.pk][: desk.ITEMS_SHOWN]
        if mine or member.on_call_opt_in:
            found.append(
                desk.DeskPanel(
                    key="rota",
                    title=_("Your on-call weeks"),
                    order=70,
                    items=[
                        desk.DeskItem(
                            title=_("Week of %(date)s")
                            % {"date": formats.date_format(week.start, "DATE_FORMAT")},
                            url=url,
                            note=_("On call now") if week.start == this_monday else "",
                            urgent=week.start == this_monday,
                        )
                        for week in mine
                    ],
                    empty_text=_("You hold no coming on-call week."),
                    items_title=_("Coming weeks"),
                    link_url=url,
                    link_text=_("The out-of-hours rota"),
                )
            )
    if coordinator and current is not None:
        found.append(
            desk.DeskPanel(
                key="rota-now",
                title=_("On call now"),
                order=71,
                intro=_("%(name)s is on call until %(date)s.")
                % {
                    "name": current.consultant.display_name,
                    "date": formats.date_format(current.end, "DATE_FORMAT"),
                },
                counts=[desk.DeskCount(label=_("Week under way"), value=1, url=url)],
                link_url=url,
                link_text=_("The out-of-hours rota"),
            )
        )
    return found


def register() -> None:
    desk.register("rota", panels)
