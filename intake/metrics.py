"""The coordinators' figures: where requests stand, how fast the desk answers, how work spreads
across members, and the weekly intake, with server-rendered SVG charts.

``intake_metrics`` reads everything in six queries whatever the number of requests: counts are
grouped in the database, and the two medians read one duration per request of the window (a
desk sees hundreds of requests a quarter, not millions; a portable median needs the values, and
SQLite has no percentile aggregate). ``free_service_days`` is one year's pledged, given and left
free service days, per member and for the alliance, in two queries. ``mail_backlog`` is the
state of outgoing mail, in two queries (the page and the admin's notification list show it). The
SVG helpers take plain values and escape every label.
"""

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake.models import Engagement, Notification, Offer, Request, RequestEvent
from network.models import FreeServicePledge

WINDOW_DAYS = 90
WEEKS = 12

# Colours from the site's palette (switchboard.css): brand teal on white meets WCAG AA.
BAR_FILL = "#0b5563"
INK = "#1c2126"
MUTED = "#4f5963"
LINE = "#d5dce2"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


# --- The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ConsultantLoad:
    consultant_id: int
    name: str
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    engagements: int = 0


@dataclass(frozen=True)
class WeekCount:
    week_start: datetime.date
    count: int


@dataclass(frozen=True)
class IntakeMetrics:
    since: datetime.datetime
    until: datetime.datetime
    by_status: list[StatusCount]
    submitted: int
    referred_out: int
    # Spam is not a request anybody could serve, so it does not count for the referral share.
    not_spam: int
    median_to_first_contact: datetime.timedelta | None
    first_contacts: int
    median_to_engagement: datetime.timedelta | None
    engagements: int
    consultants: list[ConsultantLoad] = field(default_factory=list)
    weeks: list[WeekCount] = field(default_factory=list)

    @property
    def referred_out_share(self) -> float | None:
        return self.referred_out / self.not_spam if self.not_spam else None

    @property
    def is_empty(self) -> bool:
        return self.submitted == 0 and not self.consultants


@dataclass(frozen=True)
class MailBacklog:
    """Outgoing mail not sent: what waits, what was given up, and why the last attempt failed."""

    queued: int
    failed: int
    # The earliest next attempt among queued messages: in the past means mail is late.
    oldest_due: datetime.datetime | None
    last_error: str
    last_failed_at: datetime.datetime | None

    def overdue_by(self, at: datetime.datetime) -> datetime.timedelta | None:
        """How long the oldest queued message has been due at ``at`` (None if not yet due)."""
        if self.oldest_due is None or self.oldest_due > at:
            return None
        return at - self.oldest_due


def mail_backlog() -> MailBacklog:
    """Queued and failed notifications, the oldest due time and the last error, in two queries
    over the unsent rows (the status index): sent rows, nearly all of them, are not read."""
    unsent = Notification.objects.filter(
        status__in=[Notification.Status.QUEUED, Notification.Status.FAILED]
    ).order_by()
    queued = Q(status=Notification.Status.QUEUED)
    counts = unsent.aggregate(
        queued=Count("pk", filter=queued),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        oldest_due=Min("next_attempt_at", filter=queued),
    )
    last = (
        unsent.exclude(last_failed_at=None)
        .order_by("-last_failed_at", "-pk")
        .values_list("last_error", "last_failed_at")
        .first()
    )
    return MailBacklog(
        queued=counts["queued"],
        failed=counts["failed"],
        oldest_due=counts["oldest_due"],
        last_error=last[0] if last else "",
        last_failed_at=last[1] if last else None,
    )


def _median(durations) -> datetime.timedelta | None:
    values = [duration for duration in durations if duration is not None]
    return statistics.median(values) if values else None


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday, as TruncWeek counts them)."""
    return day - datetime.timedelta(days=day.weekday())


def intake_metrics(*, at: datetime.datetime | None = None) -> IntakeMetrics:
    """The figures for the WINDOW_DAYS before ``at`` (now by default), in six queries."""
    until = at or timezone.now()
    since = until - datetime.timedelta(days=WINDOW_DAYS)
    in_window = Request.objects.filter(submitted_at__gte=since, submitted_at__lte=until)

    # 1. Requests of the window by their current status, in the workflow's order.
    counts = dict(in_window.order_by().values_list("status").annotate(n=Count("pk")))
    by_status = [
        StatusCount(status, label, counts[status])
        for status, label in Request.Status.choices
        if counts.get(status)
    ]
    submitted = sum(counts.values())

    # 2. Time from submission to first contact.
    to_contact = (
        in_window.filter(first_contact_at__isnull=False)
        .order_by()
        .annotate(
            wait=ExpressionWrapper(
                F("first_contact_at") - F("submitted_at"), output_field=DurationField()
            )
        )
        .values_list("wait", flat=True)
    )
    contact_waits = list(to_contact)

    # 3. Time from submission to the accepted offer (the "accept" event of the audit trail).
    to_engagement = (
        RequestEvent.objects.filter(
            action="accept", request__submitted_at__gte=since, request__submitted_at__lte=until
        )
        .order_by()
        .annotate(
            wait=ExpressionWrapper(
                F("created_at") - F("request__submitted_at"), output_field=DurationField()
            )
        )
        .values_list("wait", flat=True)
    )
    engagement_waits = list(to_engagement)

    # 4 and 5. Offers made and engagements started in the window, per member.
    offers = (
        Offer.objects.filter(created_at__gte=since, created_at__lte=until)
        .order_by()
        .values("consultant_id", "consultant__display_name")
        .annotate(
            offers=Count("pk"),
            accepted=Count("pk", filter=Q(status=Offer.Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=Offer.Status.DECLINED)),
            expired=Count("pk", filter=Q(status=Offer.Status.EXPIRED)),
        )
    )
    engagements = (
        Engagement.objects.filter(
            start__gte=timezone.localdate(since), start__lte=timezone.localdate(until)
        )
        .order_by()
        .values("consultant_id", "consultant__display_name")
        .annotate(engagements=Count("pk"))
    )
    loads: dict[int, dict] = {}
    for row in [*offers, *engagements]:
        load = loads.setdefault(
            row["consultant_id"],
            {"consultant_id": row["consultant_id"], "name": row["consultant__display_name"]},
        )
        load.update({key: value for key, value in row.items() if not key.startswith("consult")})
    consultants = sorted(
        (ConsultantLoad(**load) for load in loads.values()),
        key=lambda load: (-load.offers, -load.engagements, load.name.casefold()),
    )

    # 6. Requests per week for the last WEEKS weeks, the current one included.
    this_week = week_start(timezone.localdate(until))
    first_week = this_week - datetime.timedelta(weeks=WEEKS - 1)
    first_moment = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time()))
    per_week = (
        Request.objects.filter(submitted_at__gte=first_moment, submitted_at__lte=until)
        .order_by()
        .annotate(week=TruncWeek("submitted_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
    )
    weekly = {timezone.localtime(week).date(): n for week, n in per_week}
    starts = [first_week + datetime.timedelta(weeks=n) for n in range(WEEKS)]
    weeks = [WeekCount(start, weekly.get(start, 0)) for start in starts]

    return IntakeMetrics(
        since=since,
        until=until,
        by_status=by_status,
        submitted=submitted,
        referred_out=counts.get(Request.Status.REFERRED_OUT, 0),
        not_spam=submitted - counts.get(Request.Status.CLOSED_SPAM, 0),
        median_to_first_contact=_median(contact_waits),
        first_contacts=len(contact_waits),
        median_to_engagement=_median(engagement_waits),
        engagements=len(engagement_waits),
        consultants=consultants,
        weeks=weeks,
    )


def duration_words(duration: datetime.timedelta | None) -> str:
    """``1 day 4 hours``, ``3 hours 20 minutes``, ``12 minutes``: two units at most."""
    if duration is None:
        return _("no data yet")
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)s day", "%(count)s days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts[:2]) or _("under a minute")


# --- Charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the same numbers as a table, for screen readers and for copying."""

    chart_id: str
    title: str
    description: str
    svg: SafeString
    columns: tuple[str, ...]
    rows: list[tuple]


def _shorten(label: str, length: int) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="{font}" font-size="13">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        font=FONT,
        title=title,
        desc=description,
        body=body,
    )


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """Horizontal bars, one row per label, the value written after each bar."""
    width, label_width, row, value_room = 640, 200, 30, 48
    plot = width - label_width - value_room
    top = max((bar.value for bar in bars), default=0) or 1
    height = max(row * len(bars), row)
    rows = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" fill="{}">{}</text></g>',
        (
            (
                bar.label,
                bar.value,
                label_width - 8,
                index * row + 19,
                INK,
                _shorten(bar.label, 26),
                label_width,
                index * row + 5,
                round(plot * bar.value / top, 1),
                row - 10,
                BAR_FILL,
                label_width + round(plot * bar.value / top, 1) + 6,
                index * row + 19,
                INK,
                bar.value,
            )
            for index, bar in enumerate(bars)
        ),
    )
    axis = format_html(
        '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="{line}"/>',
        x=label_width,
        h=height,
        line=MUTED,
    )
    return _svg(chart_id, title, description, width, height, format_html("{}{}", axis, rows))


def column_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """Vertical columns over time, labelled below, the value written above each column."""
    width, height, left, bottom, top_room = 640, 220, 8, 36, 20
    slot = (width - 2 * left) / max(len(bars), 1)
    plot = height - bottom - top_room
    top = max((bar.value for bar in bars), default=0) or 1
    columns = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text></g>',
        (
            (
                bar.label,
                bar.value,
                round(left + index * slot + slot * 0.15, 1),
                round(top_room + plot - plot * bar.value / top, 1),
                round(slot * 0.7, 1),
                round(plot * bar.value / top, 1),
                BAR_FILL,
                round(left + index * slot + slot / 2, 1),
                round(top_room + plot - plot * bar.value / top - 5, 1),
                INK,
                bar.value,
                round(left + index * slot + slot / 2, 1),
                height - bottom + 16,
                MUTED,
                bar.label,
            )
            for index, bar in enumerate(bars)
        ),
    )
    baseline = format_html(
        '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{line}"/>',
        l=left,
        r=width - left,
        y=height - bottom,
        line=LINE,
    )
    return _svg(chart_id, title, description, width, height, format_html("{}{}", baseline, columns))


def status_chart(metrics: IntakeMetrics) -> Chart:
    title = _("Requests by current status")
    description = _(
        "%(count)s requests submitted in the last %(days)s days, by where each stands now: "
        "%(figures)s."
    ) % {
        "count": metrics.submitted,
        "days": WINDOW_DAYS,
        "figures": "; ".join(f"{row.label} {row.count}" for row in metrics.by_status),
    }
    bars = [Bar(row.label, row.count) for row in metrics.by_status]
    return Chart(
        chart_id="chart-status",
        title=title,
        description=description,
        svg=bar_chart(chart_id="chart-status", title=title, description=description, bars=bars),
        columns=(_("Status"), _("Requests")),
        rows=[(row.label, row.count) for row in metrics.by_status],
    )


def weekly_chart(metrics: IntakeMetrics) -> Chart:
    title = _("Requests per week, last %(weeks)s weeks") % {"weeks": WEEKS}
    description = _("Requests submitted each week (weeks start on Monday): %(figures)s.") % {
        "figures": "; ".join(
            _("week of %(week)s: %(count)s")
            % {"week": date_format(week.week_start, "M j"), "count": week.count}
            for week in metrics.weeks
        )
    }
    bars = [Bar(date_format(week.week_start, "M j"), week.count) for week in metrics.weeks]
    return Chart(
        chart_id="chart-weekly",
        title=title,
        description=description,
        svg=column_chart(chart_id="chart-weekly", title=title, description=description, bars=bars),
        columns=(_("Week starting"), _("Requests")),
        rows=[(week.week_start, week.count) for week in metrics.weeks],
    )


def consultant_chart(metrics: IntakeMetrics) -> Chart:
    title = _("Offers per member, last %(days)s days") % {"days": WINDOW_DAYS}
    description = _("Offers made to each member: %(figures)s.") % {
        "figures": "; ".join(f"{load.name} {load.offers}" for load in metrics.consultants)
    }
    bars = [Bar(load.name, load.offers) for load in metrics.consultants]
    return Chart(
        chart_id="chart-consultants",
        title=title,
        description=description,
        svg=bar_chart(
            chart_id="chart-consultants", title=title, description=description, bars=bars
        ),
        columns=(
            _("Member"),
            _("Offers"),
            _("Accepted"),
            _("Declined"),
            _("Expired"),
            _("Engagements started"),
        ),
        rows=[
            (load.name, load.offers, load.accepted, load.declined, load.expired, load.engagements)
            for load in metrics.consultants
        ],
    )


# --- Free service days ------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeDaysRow:
    """One member's free service days in a year: pledged, given (on pro bono requests completed
    that year) and left (never below zero)."""

    consultant_id: int
    name: str
    pledged: Decimal
    given: Decimal

    @property
    def left(self) -> Decimal:
        return max(Decimal("0"), self.pledged - self.given)


@dataclass(frozen=True)
class FreeServiceDays:
    year: int
    members: list[FreeDaysRow]

    @property
    def pledged(self) -> Decimal:
        return sum((row.pledged for row in self.members), Decimal("0"))

    @property
    def given(self) -> Decimal:
        return sum((row.given for row in self.members), Decimal("0"))

    @property
    def left(self) -> Decimal:
        """The alliance's days left: each member's left, summed (a member who gave more than
        they pledged does not use up a colleague's pledge)."""
        return sum((row.left for row in self.members), Decimal("0"))

    @property
    def is_empty(self) -> bool:
        return not self.members


def free_service_days(year: int) -> FreeServiceDays:
    """Every member's pledge for ``year`` and the days they gave that year, in two queries:
    members who pledged, and members who gave (with or without a pledge), by name."""
    pledged = FreeServicePledge.objects.filter(year=year).values_list(
        "consultant_id", "consultant__display_name", "days"
    )
    given = (
        Engagement.objects.filter(free_days__isnull=False, end__year=year)
        .order_by()
        .values_list("consultant_id", "consultant__display_name")
        .annotate(days=Sum("free_days"))
    )
    rows: dict[int, dict] = {}
    for consultant_id, name, days in pledged.order_by():
        rows[consultant_id] = {"name": name, "pledged": days, "given": Decimal("0")}
    for consultant_id, name, days in given:
        row = rows.setdefault(consultant_id, {"name": name, "pledged": Decimal("0")})
        row["given"] = days or Decimal("0")
    members = sorted(
        (FreeDaysRow(consultant_id, **row) for consultant_id, row in rows.items()),
        key=lambda row: (row.name.casefold(), row.consultant_id),
    )
    return FreeServiceDays(year=year, members=members)


def year_asked(value, default: int) -> int:
    """``?year=`` as a calendar year (2000 to 2100), ``default`` when absent; ``ValueError``
    for anything else."""
    if value in (None, ""):
        return default
    if not str(value).isdigit() or not 2000 <= int(value) <= 2100:
        raise ValueError(value)
    return int(value)


def free_days_years(year: int) -> list[int]:
    """The years the page's filter offers: every year with a pledge, and ``year``, newest
    first (one query)."""
    years = set(FreeServicePledge.objects.values_list("year", flat=True).distinct().order_by())
    return sorted(years | {year}, reverse=True)
