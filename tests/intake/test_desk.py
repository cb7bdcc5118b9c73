"""What intake puts on the desk (``intake.desk``): the intake coordinators' queue by stage with
its overdue replies and offers about to expire, a group coordinator's requests and offers, a
member's offers and engagements, and the navigation's queue and offer counts."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import desk as intake_desk
from intake.models import Engagement, Offer, Request
from network import desk
from network.models import ConsultantGroup
from tests.factories import ConsultantFactory, OfferFactory, RequestFactory
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

S = Request.Status
DESK = "/desk/"


def counts_of(panel) -> dict[str, int]:
    return {count.label: count.value for count in panel.counts}


def section(response, key: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="desk-{key}"')
    return html[start : html.index("</section>", start)]


def nav_count(response, label: str) -> int | None:
    match = re.search(
        rf">{label}<span class=\"nav-count\">(\d+)<",
        response.content.decode(),
    )
    return int(match.group(1)) if match else None


# --- The intake coordinators' panel --------------------------------------------------------


def test_the_queue_is_counted_by_stage_and_each_count_opens_the_queue_filtered(
    signed_in, intake_coordinator
):
    RequestFactory.create_batch(2, status=S.SUBMITTED)
    triaged = RequestFactory(status=S.TRIAGED)
    RequestFactory(status=S.COMPLETED)
    panel = intake_desk.intake_panel(fresh(intake_coordinator))
    counted = counts_of(panel)
    assert counted["Submitted"] == 2 and counted["Triaged"] == 1 and counted["Contacted"] == 0
    assert "Completed" not in counted

    triaged_count = next(count for count in panel.counts if count.label == "Triaged")
    assert triaged_count.url == reverse("intake-queue") + "?status=triaged"
    queue = signed_in(intake_coordinator).get(triaged_count.url).content.decode()
    assert triaged.reference in queue
    assert queue.count('class="reference"') >= 1


def test_overdue_replies_are_listed_first_with_the_queues_overdue_filter(
    signed_in, intake_coordinator
):
    now = timezone.now()
    late = RequestFactory(status=S.SUBMITTED, response_due_at=now - datetime.timedelta(hours=3))
    RequestFactory(status=S.SUBMITTED, response_due_at=now + datetime.timedelta(hours=3))
    RequestFactory(status=S.CONTACTED, response_due_at=now - datetime.timedelta(hours=9))
    panel = intake_desk.intake_panel(fresh(intake_coordinator))

    overdue = next(count for count in panel.counts if count.label == "Overdue for first contact")
    assert overdue.value == 1
    assert overdue.url == reverse("intake-queue") + "?overdue=on"
    assert late.reference in signed_in(intake_coordinator).get(overdue.url).content.decode()
    [item] = panel.items
    assert (item.reference, item.url, item.urgent) == (
        late.reference,
        reverse("intake-request", args=[late.pk]),
        True,
    )
    assert item.note == "First contact overdue by 3\xa0hours"


def test_offers_about_to_expire_are_listed(intake_coordinator):
    now = timezone.now()
    soon = OfferFactory(expires_at=now + datetime.timedelta(hours=5))
    OfferFactory(expires_at=now + datetime.timedelta(hours=30))
    OfferFactory(expires_at=now + datetime.timedelta(hours=2), status=Offer.Status.DECLINED)
    panel = intake_desk.intake_panel(fresh(intake_coordinator))

    assert counts_of(panel)["Offers expiring within 24 hours"] == 1
    [item] = panel.items
    assert item.reference == soon.request.reference
    assert item.note.startswith(f"Offer to {soon.consultant.display_name} runs out in 4\xa0hours")

    # Past its time, an offer waits for the expiry timer: it has run out.
    late = OfferFactory(expires_at=now - datetime.timedelta(minutes=5))
    first = intake_desk.intake_panel(fresh(intake_coordinator)).items[0]
    assert (first.reference, first.note) == (
        late.request.reference,
        f"Offer to {late.consultant.display_name} has run out",
    )


def test_work_reported_done_waits_for_a_coordinators_confirmation(signed_in, intake_coordinator):
    member = ConsultantFactory(display_name="Serving Member")
    reported = RequestFactory(
        status=S.ENGAGED,
        engaged_consultant=member,
        done_reported_at=timezone.now() - datetime.timedelta(hours=2),
    )
    RequestFactory(status=S.ENGAGED, engaged_consultant=member)  # still at work
    panel = intake_desk.intake_panel(fresh(intake_coordinator))

    label = "Work reported done, awaiting your confirmation"
    assert counts_of(panel)[label] == 1
    [item] = panel.items
    assert (item.reference, item.url) == (
        reported.reference,
        reverse("intake-request", args=[reported.pk]),
    )
    assert item.note == (
        "Serving Member reported the work done 2\xa0hours ago: confirm it by marking the request "
        "completed"
    )
    response = signed_in(intake_coordinator).get(DESK)
    assert label in section(response, "intake")
    assert nav_count(response, "Queue") == 1


def test_the_intake_panel_lists_a_few_rows_and_counts_them_all(intake_coordinator):
    due = timezone.now() - datetime.timedelta(hours=1)
    RequestFactory.create_batch(desk.ITEMS_SHOWN + 2, status=S.SUBMITTED, response_due_at=due)
    panel = intake_desk.intake_panel(fresh(intake_coordinator))
    assert len(panel.items) == desk.ITEMS_SHOWN
    assert counts_of(panel)["Overdue for first contact"] == desk.ITEMS_SHOWN + 2


def test_an_empty_queue_says_so_in_plain_words(signed_in, intake_coordinator):
    response = signed_in(intake_coordinator).get(DESK)
    panel = section(response, "intake")
    assert (
        "The queue is empty: no requests, no late replies, no offers running out, no work "
        "waiting to be confirmed." in panel
    )
    assert f'href="{reverse("intake-queue")}"' in panel


# --- A group coordinator's panel -------------------------------------------------------------


def test_a_group_coordinator_sees_requests_waiting_for_an_offer_and_offers_out(
    signed_in, group_coordinator
):
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    waiting = RequestFactory(status=S.ROUTED, assigned_group=group)
    RequestFactory(status=S.ROUTED)  # another group's
    offered = RequestFactory(status=S.OFFERED, assigned_group=group)
    member = ConsultantFactory(display_name="Offered Member")
    OfferFactory(request=offered, consultant=member)
    response = signed_in(group_coordinator).get(DESK)
    panel = section(response, "group")

    assert "Your group&#x27;s requests" in panel or "Your group's requests" in panel
    assert re.search(r">1</span> <span class=\"desk-count-label\">Waiting for an offer", panel)
    assert re.search(r">1</span> <span class=\"desk-count-label\">Offers out", panel)
    assert f'href="{reverse("intake-request", args=[waiting.pk])}"' in panel
    assert f"Routed to {group.name}: offer it to a member" in panel
    assert "Offered to Offered Member" in panel
    assert nav_count(response, "Queue") == 1


def test_a_group_coordinator_with_nothing_routed_reads_the_empty_state(
    signed_in, group_coordinator
):
    panel = section(signed_in(group_coordinator).get(DESK), "group")
    assert "No request is waiting for an offer, and no offer is out." in panel


# --- A member's panel --------------------------------------------------------------------------


def test_a_member_sees_their_offers_and_engagements(signed_in, member):
    consultant = member.consultant
    offer = OfferFactory(consultant=consultant, request=RequestFactory(status=S.OFFERED))
    OfferFactory(consultant=consultant, status=Offer.Status.DECLINED)
    engaged = RequestFactory(status=S.ENGAGED, engaged_consultant=consultant)
    Engagement.objects.create(request=engaged, consultant=consultant)
    ended = RequestFactory(status=S.COMPLETED)
    Engagement.objects.create(
        request=ended, consultant=consultant, start=datetime.date(2025, 1, 6),
        end=datetime.date(2025, 2, 6),
    )  # fmt: skip
    response = signed_in(member).get(DESK)
    panel = section(response, "member")

    assert re.search(r">1</span> <span class=\"desk-count-label\">Offers to answer", panel)
    assert re.search(r">1</span> <span class=\"desk-count-label\">Engagements in progress", panel)
    assert f'href="{reverse("intake-request", args=[offer.request.pk])}"' in panel
    assert f'href="{reverse("intake-request", args=[engaged.pk])}"' in panel
    assert ended.reference not in panel
    assert "accept or decline within" in panel
    # Each line opens a page the member may read.
    client = signed_in(member)
    for request in (offer.request, engaged):
        assert client.get(reverse("intake-request", args=[request.pk])).status_code == 200
    assert nav_count(response, "My offers") == 1


def test_a_member_with_nothing_waiting_reads_the_empty_state(signed_in, member):
    panel = section(signed_in(member).get(DESK), "member")
    assert "No offer is waiting for your answer, and you have no engagement in progress." in panel


# --- The navigation's counts ------------------------------------------------------------------


def test_the_queue_count_is_what_waits_for_the_intake_coordinators(signed_in, intake_coordinator):
    for status in (S.SUBMITTED, S.CONTACTED, S.TRIAGED, S.ROUTED, S.ENGAGED):
        RequestFactory(status=status)
    response = signed_in(intake_coordinator).get(reverse("home"))
    assert nav_count(response, "Queue") == 3


def test_a_member_has_no_queue_count(signed_in, member):
    RequestFactory(status=S.SUBMITTED)
    response = signed_in(member).get(reverse("home"))
    assert ">Queue<" not in response.content.decode()
