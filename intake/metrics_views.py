"""The coordinators' metrics page: requests by status, time to first contact and to engagement,
the share referred out, offers and engagements per member, requests per week, and the state of
outgoing mail and the matching index's version and age."""

import datetime

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import metrics
from matching import adapter
from network import access as network_access


def metrics_page(request):
    # Queries: session, user, role groups, the user's member record and whether they coordinate
    # a group (for non-staff), then the six of intake_metrics, whatever the number of requests,
    # the two of mail_backlog, and the matching index's stamp.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not network_access.is_coordinator(request.user):
        raise PermissionDenied(_("The metrics page is for coordinators."))
    # Free service days (pledged, given and left) in the year asked (``?year=``): three queries
    # (pledges, days given, the years pledged for).
    this_year = timezone.localdate().year
    try:
        year = metrics.year_asked(request.GET.get("year"), this_year)
    except ValueError:
        raise BadRequest(_("Choose a year between 2000 and 2100.")) from None
    figures = metrics.intake_metrics()
    charts = []
    if not figures.is_empty:
        charts = [
            metrics.status_chart(figures),
            metrics.weekly_chart(figures),
            metrics.consultant_chart(figures),
        ]
    mail = metrics.mail_backlog()
    mail_overdue = mail.overdue_by(timezone.now())
    index = adapter.index_status()
    index_age = (
        metrics.duration_words(datetime.timedelta(seconds=index["age_seconds"]))
        if index["age_seconds"] is not None
        else ""
    )
    return render(
        request,
        "intake/metrics.html",
        {
            "mail": mail,
            "mail_overdue": metrics.duration_words(mail_overdue) if mail_overdue else "",
            "figures": figures,
            "window_days": metrics.WINDOW_DAYS,
            "median_to_first_contact": metrics.duration_words(figures.median_to_first_contact),
            "median_to_engagement": metrics.duration_words(figures.median_to_engagement),
            "charts": charts,
            "index": index,
            "index_age": index_age,
            "free_days": metrics.free_service_days(year),
            "free_days_years": metrics.free_days_years(this_year),
        },
    )
