"""The coordinators' metrics page: figures on a known history, who may see it, a fixed number of
queries, and charts that are well-formed, labelled SVG with the numbers also in tables."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.metrics import (
    WEEKS,
    duration_words,
    intake_metrics,
    week_start,
)
from intake.services import request_submit
from intake.workflow import request_apply
from tests.factories import ConsultantFactory, ConsultantGroupFactory, ExternalProfessionalFactory

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026, 10:00 in San Francisco (the site's time zone; daylight time began on
# Sunday 8 March).
NOW = datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SVG = "{http://www.w3.org/2000/svg}"
URL = "/coordination/metrics/"


class History:
    """Submits requests and makes moves at chosen moments, the clock moved with time-machine."""

    def __init__(self, admin):
        self.admin = admin
        self.group = ConsultantGroupFactory()
        self.count = 0

    def submit(self, at: datetime.datetime, *, name: str | None = None):
        self.count += 1
        with time_machine.travel(at, tick=False):
            return request_submit(
                organization_name=name or f"Organisation {self.count}",
                contact_name=f"Contact {self.count}",
                contact_email=f"contact{self.count}@org{self.count}.example.org",
                title=f"Request {self.count}",
                description="Help.",
            ).request

    def move(self, request, action: str, at: datetime.datetime, actor=None, **fields):
        with time_machine.travel(at, tick=False):
            request_apply(
                request_id=request.pk,
                action=action,
                actor=actor or self.admin,
                version=None,
                **fields,
            )

    def to_routed(self, request, start: datetime.datetime, contact_after: datetime.timedelta):
        self.move(request, "contact", start + contact_after)
        self.move(request, "triage", start + contact_after + HOUR)
        self.move(request, "route", start + contact_after + 2 * HOUR, group=self.group.pk)


@pytest.fixture
def history(admin):
    return History(admin)


@pytest.fixture
def known(history):
    """Five requests in the window and one before it.

    first contact: 2 h, 6 h, 4 h (median 4 h); engagement: 3 days, 1 day (median 2 days);
    statuses: completed, engaged, referred out, spam, submitted (referred out: 1 of 4);
    offers: first member 2 (1 accepted, 1 declined), second member 1 (accepted).
    """
    first = ConsultantFactory(display_name="Member Alpha")
    second = ConsultantFactory(display_name="Member Beta")

    start = NOW - 10 * DAY  # Saturday 28 February
    completed = history.submit(start)
    history.to_routed(completed, start, 2 * HOUR)
    history.move(completed, "offer", start + DAY, consultant=first.pk)
    history.move(completed, "accept", start + 3 * DAY, actor=first.user)
    history.move(completed, "complete", start + 5 * DAY)

    start = NOW - 5 * DAY  # Thursday 5 March
    engaged = history.submit(start)
    history.to_routed(engaged, start, 6 * HOUR)
    history.move(engaged, "offer", start + 8 * HOUR, consultant=first.pk)
    history.move(engaged, "decline", start + 9 * HOUR, actor=first.user, reason="Booked")
    history.move(engaged, "offer", start + 10 * HOUR, consultant=second.pk)
    history.move(engaged, "accept", start + DAY, actor=second.user)

    start = NOW - 3 * DAY  # Saturday 7 March
    referred = history.submit(start)
    history.move(referred, "contact", start + 4 * HOUR)
    history.move(
        referred,
        "refer_out",
        start + 5 * HOUR,
        professionals=[ExternalProfessionalFactory().pk],
        message="They can help.",
    )

    spam = history.submit(NOW - DAY)  # Monday 9 March
    history.move(spam, "mark_spam", NOW - DAY + HOUR)

    history.submit(NOW - 2 * HOUR)  # Tuesday 10 March, not contacted yet

    long_ago = history.submit(NOW - 100 * DAY)
    history.move(long_ago, "contact", NOW - 100 * DAY + 30 * DAY)
    return {"first": first, "second": second}


def sign_in(client, user):
    user.refresh_from_db()
    client.force_login(user)
    return client


def page(client, user):
    with time_machine.travel(NOW, tick=False):
        return sign_in(client, user).get(URL)


def svgs(content: bytes) -> list[ET.Element]:
    found = re.findall(rb"<svg\b.*?</svg>", content, flags=re.S)
    # Our own page's markup, parsed to prove it well-formed (no outside XML reaches this).
    return [ET.fromstring(svg) for svg in found]  # noqa: S314


# --- The figures ------------------------------------------------------------------------------


def test_the_route_is_the_named_one():
    assert reverse("intake-metrics") == URL


def test_figures_on_a_known_history(known):
    figures = intake_metrics(at=NOW)
    assert [(row.status, row.count) for row in figures.by_status] == [
        ("submitted", 1),
        ("engaged", 1),
        ("completed", 1),
        ("referred_out", 1),
        ("closed_spam", 1),
    ]
    assert figures.submitted == 5
    assert (figures.median_to_first_contact, figures.first_contacts) == (4 * HOUR, 3)
    assert (figures.median_to_engagement, figures.engagements) == (2 * DAY, 2)
    assert (figures.referred_out, figures.not_spam, figures.referred_out_share) == (1, 4, 0.25)
    loads = [
        (load.name, load.offers, load.accepted, load.declined, load.expired, load.engagements)
        for load in figures.consultants
    ]
    assert loads == [("Member Alpha", 2, 1, 1, 0, 1), ("Member Beta", 1, 1, 0, 0, 1)]


def test_requests_per_week_cover_twelve_weeks_ending_with_this_one(known):
    weeks = intake_metrics(at=NOW).weeks
    assert len(weeks) == WEEKS
    assert weeks[-1].week_start == datetime.date(2026, 3, 9)
    assert weeks[0].week_start == datetime.date(2025, 12, 22)
    counts = {week.week_start: week.count for week in weeks if week.count}
    assert counts == {
        datetime.date(2026, 2, 23): 1,
        datetime.date(2026, 3, 2): 2,
        datetime.date(2026, 3, 9): 2,
    }


def test_the_window_moves_with_the_clock(known):
    later = intake_metrics(at=NOW + 88 * DAY)  # only the last two requests are still inside
    assert later.submitted == 2
    assert later.median_to_first_contact is None
    assert later.median_to_engagement is None
    assert later.consultants == []


def test_an_empty_desk_has_no_figures(db):
    figures = intake_metrics(at=NOW)
    assert figures.is_empty
    assert figures.referred_out_share is None
    assert [week.count for week in figures.weeks] == [0] * WEEKS


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (None, "no data yet"),
        (datetime.timedelta(seconds=20), "under a minute"),
        (datetime.timedelta(minutes=1), "1 minute"),
        (datetime.timedelta(hours=3, minutes=20), "3 hours 20 minutes"),
        (datetime.timedelta(days=1, hours=4, minutes=5), "1 day 4 hours"),
        (datetime.timedelta(days=2), "2 days"),
    ],
)
def test_durations_read_as_words(duration, words):
    assert duration_words(duration) == words


def test_weeks_start_on_monday():
    assert week_start(datetime.date(2026, 3, 15)) == datetime.date(2026, 3, 9)
    assert week_start(datetime.date(2026, 3, 9)) == datetime.date(2026, 3, 9)


# --- Who may see it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/coordination/metrics/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 403),
        ("other_member", 403),
        ("group_coordinator", 200),
        ("intake_coordinator", 200),
        ("community_coordinator", 200),
        ("admin", 200),
    ],
)
def test_only_coordinators_see_the_metrics(client, request, role, status):
    user = request.getfixturevalue(role)
    assert page(client, user).status_code == status


# --- Cost -------------------------------------------------------------------------------------


def test_the_page_costs_the_same_whatever_the_history(client, history, intake_coordinator):
    sign_in(client, intake_coordinator)

    def cost() -> int:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    request = history.submit(NOW - DAY)
    history.to_routed(request, NOW - DAY, HOUR)
    few = cost()
    # Eight more weeks of requests, each offered to a different member who declines.
    for n in range(8):
        start = NOW - (n + 2) * 7 * DAY
        extra = history.submit(start)
        history.to_routed(extra, start, (n + 1) * HOUR)
        member = ConsultantFactory()
        history.move(extra, "offer", start + 4 * HOUR, consultant=member.pk)
        history.move(extra, "decline", start + 5 * HOUR, actor=member.user, reason="Booked")
        history.move(extra, "offer", start + 6 * HOUR, consultant=ConsultantFactory().pk)
    assert cost() == few


def test_the_page_runs_a_fixed_number_of_queries(
    client, known, intake_coordinator, django_assert_max_num_queries
):
    sign_in(client, intake_coordinator)
    # session, user, role groups, the six of intake_metrics (status counts, first-contact
    # waits, engagement waits, offers per member, engagements per member, requests per week),
    # the two of mail_backlog (counts and oldest due time, the last error), the matching
    # index's stamp, the three of the free service days (pledges, days given, the years pledged
    # for), and the user's member record and the counts (network.desk) for the site's navigation.
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(17):
        assert client.get(URL).status_code == 200


# --- What the page shows ----------------------------------------------------------------------


def test_the_page_shows_the_figures_charts_and_tables(client, known, intake_coordinator):
    response = page(client, intake_coordinator)
    text = response.content.decode()
    assert "4 hours" in text  # median to first contact
    assert "2 days" in text  # median to engagement
    assert "25&nbsp;%" in text
    charts = svgs(response.content)
    assert [chart.get("id") for chart in charts] == [
        "chart-status",
        "chart-weekly",
        "chart-consultants",
    ]
    for chart in charts:
        chart_id = chart.get("id")
        assert chart.get("role") == "img"
        assert chart.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        title = chart.find(f"{SVG}title")
        desc = chart.find(f"{SVG}desc")
        assert title.get("id") == f"{chart_id}-title" and title.text
        assert desc.get("id") == f"{chart_id}-desc" and desc.text
        assert f'id="{chart_id}-table"' in text  # the same numbers as a table
    status_bars = charts[0].findall(f"{SVG}g")
    assert [bar.find(f"{SVG}title").text for bar in status_bars] == [
        "Submitted: 1",
        "Engaged: 1",
        "Completed: 1",
        "Referred out: 1",
        "Closed as spam: 1",
    ]
    assert len(charts[1].findall(f"{SVG}g")) == WEEKS
    offers = [bar.find(f"{SVG}title").text for bar in charts[2].findall(f"{SVG}g")]
    assert offers == ["Member Alpha: 2", "Member Beta: 1"]
    assert "<script" not in text.split("<main", 1)[1]
    assert " style=" not in text


def test_bars_are_drawn_in_proportion(client, known, intake_coordinator):
    consultants = svgs(page(client, intake_coordinator).content)[2]
    widths = [float(rect.get("width")) for rect in consultants.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_names_are_escaped_in_charts_and_tables(client, history, intake_coordinator):
    sneaky = ConsultantFactory(display_name='<b onmouseover="x()">Bold & Co</b>')
    request = history.submit(NOW - DAY, name="<script>alert(1)</script> Org")
    history.to_routed(request, NOW - DAY, HOUR)
    history.move(request, "offer", NOW - 3 * HOUR, consultant=sneaky.pk)
    response = page(client, intake_coordinator)
    assert b"<b onmouseover" not in response.content
    assert b"&lt;b onmouseover=&quot;x()&quot;&gt;Bold &amp; Co&lt;/b&gt;" in response.content
    chart = svgs(response.content)[2]  # parses: the escaped name kept the XML well-formed
    assert chart.find(f"{SVG}g/{SVG}title").text == '<b onmouseover="x()">Bold & Co</b>: 1'


def test_an_empty_desk_shows_an_empty_state(client, intake_coordinator):
    response = page(client, intake_coordinator)
    assert response.status_code == 200
    assert b"No requests in the last 90 days" in response.content
    assert svgs(response.content) == []


# --- The matching index -----------------------------------------------------------------------


def test_the_page_shows_the_matching_index_version_and_age(client, intake_coordinator):
    from matching import adapter

    adapter.forget_index()
    text = page(client, intake_coordinator).content.decode()
    assert "Matching index" in text
    assert "none built yet" in text

    with time_machine.travel(NOW, tick=False):
        adapter.current_index()
    latest = adapter.read_stamp().version
    text = page(client, intake_coordinator).content.decode()
    section = text[text.index('id="matching-index"') :]
    assert f"<dd>{latest}</dd>" in section  # the version answering
    assert "(current)" in section
    assert "under a minute ago" in section
    adapter.forget_index()
