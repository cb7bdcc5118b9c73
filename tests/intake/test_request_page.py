"""The intake pages: the public form and status page, the queue, the request page with its move
forms, and a member's offers and engagements. Who may open each, what it shows, what it writes."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from intake.models import Offer, Organization, Request, RequestEvent
from intake.services import request_submit
from intake.workflow import request_apply
from network import services as network_services
from network.models import Consultant, ConsultantGroup, User
from tests.factories import (
    ConsultantFactory,
    ExternalProfessionalFactory,
    RequestFactory,
)
from tests.helpers import REQUEST_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _languages_and_cache(db):
    network_services.languages_ensure()
    # The submission throttle counts in the cache; each test starts with a fresh allowance.
    cache.clear()


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        if user is not None:
            client.force_login(User.objects.get(pk=user.pk))
        return client

    return sign_in


def consultant(user) -> Consultant:
    return Consultant.objects.get(user=user)


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


def submit(**overrides):
    fields = {
        "organization_name": "Harbour Literacy Project",
        "contact_name": "Contact Person",
        "contact_email": "office@harbour.example.org",
        "title": "Donor database needs cleaning up",
        "description": "Duplicates everywhere in the donor records.",
        **overrides,
    }
    return request_submit(**fields)


def move(request, action, actor, **fields):
    request.refresh_from_db()
    return request_apply(
        request_id=request.pk, action=action, actor=actor, version=request.version, **fields
    )


def routed_to_group(group_coordinator, intake_coordinator, **overrides):
    """A submitted request moved through contact and triage to the group coordinator's group."""
    submission = submit(**overrides)
    request = submission.request
    group = ConsultantGroup.objects.get(coordinator=consultant(group_coordinator))
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    move(request, "route", intake_coordinator, group=group.pk)
    request.refresh_from_db()
    return submission


@pytest.fixture
def offered(group_coordinator, intake_coordinator, member):
    """A request the group coordinator offered to ``member``."""
    submission = routed_to_group(group_coordinator, intake_coordinator)
    move(submission.request, "offer", group_coordinator, consultant=consultant(member).pk)
    submission.request.refresh_from_db()
    return submission


# --- The public request form ----------------------------------------------------------------


def test_request_form_is_public_and_shows_the_intake_email(client, settings):
    settings.INTAKE_EMAIL = "intake@alliance.test"
    response = client.get(reverse("request-help"))
    assert response.status_code == 200
    assert reverse("request-help") == "/request/"
    assert b'name="organization_name"' in response.content
    assert b'name="fax"' in response.content  # the honeypot
    assert b"mailto:intake@alliance.test" in response.content


def test_submitting_the_form_stores_the_request_and_shows_the_status_link_once(client):
    response = client.post(reverse("request-help"), REQUEST_FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("request-thanks")

    stored = Request.objects.get()
    assert stored.title == REQUEST_FORM["title"]
    assert stored.skills == ["Google Sheets", "volunteer management"]
    assert stored.urgency == "high"
    assert stored.estimated_hours == 20
    assert stored.desired_start == datetime.date(2030, 1, 15)
    assert list(stored.languages.values_list("code", flat=True)) == ["es"]
    assert stored.organization.website == "https://riverside-food.example.org"

    thanks = client.get(reverse("request-thanks"))
    assert thanks.status_code == 200
    assert stored.reference.encode() in thanks.content
    link = re.search(rb'href="(https?://[^"]+/status/([^/"]+)/)"', thanks.content)
    assert link is not None
    # The link opens the status page; a reload of the thanks page no longer shows it.
    status_path = reverse("request-status", args=[link.group(2).decode()])
    assert client.get(status_path).status_code == 200
    again = client.get(reverse("request-thanks"))
    assert stored.reference.encode() not in again.content
    assert b"/status/" not in again.content


def test_the_honeypot_shows_the_thanks_page_and_stores_nothing(client):
    response = client.post(
        reverse("request-help"), {**REQUEST_FORM, "fax": "555-0100"}, follow=True
    )
    assert response.redirect_chain == [(reverse("request-thanks"), 302)]
    assert b"your request has arrived" in response.content
    assert Request.objects.count() == 0
    assert Organization.objects.count() == 0


def test_too_many_submissions_get_a_friendly_429_page(client, settings):
    settings.REQUEST_SUBMIT_RATE = "2/hour"
    settings.INTAKE_EMAIL = "intake@alliance.test"
    for number in range(2):
        response = client.post(
            reverse("request-help"), {**REQUEST_FORM, "title": f"Request {number}"}
        )
        assert response.status_code == 302
    response = client.post(reverse("request-help"), {**REQUEST_FORM, "title": "One too many"})
    assert response.status_code == 429
    assert b"Too many requests from your connection" in response.content
    assert b"mailto:intake@alliance.test" in response.content
    assert Request.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", b"This field is required."),
        ("title", "x" * 201, b"at most 200 characters"),
        ("description", "x" * 30_000, b"at most 10000 characters"),
        ("contact_email", "not-an-address", b"Enter a valid email address."),
        ("urgency", "whenever", b"Select a valid choice."),
        ("budget_max", "-5", b"greater than or equal to 0"),
        ("languages", ["xx"], b"Select a valid choice."),
        ("desired_start", "2030-13-01", b"Enter a valid date."),
    ],
)
def test_bad_input_shows_errors_next_to_the_field_and_stores_nothing(client, field, value, message):
    response = client.post(reverse("request-help"), {**REQUEST_FORM, field: value})
    assert response.status_code == 400
    assert message in response.content
    assert f'id="id_{field}_error"'.encode() in response.content
    assert b"data-error-summary" in response.content
    assert Request.objects.count() == 0
    assert Organization.objects.count() == 0


def test_markup_is_stored_as_typed_and_rendered_escaped(client, signed_in, intake_coordinator):
    markup = '<script>alert("x")</script><b>Bold</b>'
    client.post(
        reverse("request-help"),
        {
            **REQUEST_FORM,
            "title": f"Help {markup}",
            "description": markup,
            "organization_name": markup,
        },
    )
    stored = Request.objects.get()
    assert stored.title == f"Help {markup}"
    assert stored.description == markup
    assert stored.organization.name == markup
    signed_in(intake_coordinator)
    for url in (reverse("intake-queue"), reverse("intake-request", args=[stored.pk])):
        page = client.get(url).content
        assert b"<script>alert" not in page and b"<b>Bold" not in page
        assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Bold" in page


def test_the_old_request_help_name_points_at_the_form(client):
    assert reverse("request-help") == "/request/"
    home = client.get(reverse("home"))
    assert b'href="/request/"' in home.content


# --- The client's status page ---------------------------------------------------------------


def test_status_page_shows_the_stage_and_no_private_detail(
    client, group_coordinator, intake_coordinator, member
):
    submission = routed_to_group(group_coordinator, intake_coordinator)
    request = submission.request
    Organization.objects.filter(pk=request.organization_id).update(notes="SECRET ORG NOTE")
    move(request, "offer", group_coordinator, consultant=consultant(member).pk, note="INTERNAL")
    move(request, "decline", member, reason="TOO BUSY REASON")
    colleague = ConsultantFactory(display_name="Second Candidate")
    move(request, "offer", group_coordinator, consultant=colleague.pk)

    response = client.get(reverse("request-status", args=[submission.status_token]))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert b'<meta name="referrer" content="no-referrer">' in response.content
    assert b'<meta name="robots" content="noindex' in response.content
    assert request.reference.encode() in response.content
    assert b"Offered to a consultant" in response.content
    for private in (
        b"SECRET ORG NOTE",
        b"INTERNAL",
        b"TOO BUSY REASON",
        b"Second Candidate",
        consultant(member).display_name.encode(),
        b"95.00",  # the factories' hourly rate
        b"Version",
    ):
        assert private not in response.content


def test_status_page_shows_the_consultant_once_engaged(client, offered, member):
    move(offered.request, "accept", member)
    response = client.get(reverse("request-status", args=[offered.status_token]))
    assert consultant(member).display_name.encode() in response.content
    assert member.email.encode() in response.content
    assert b"95.00" not in response.content


def test_status_page_shows_the_professionals_and_message_once_referred(client, intake_coordinator):
    submission = submit()
    professional = ExternalProfessionalFactory(name="Outside Practice", email="help@out.test")
    move(
        submission.request,
        "refer_out",
        intake_coordinator,
        professionals=[professional.pk],
        message="They know your donor system well.",
    )
    response = client.get(reverse("request-status", args=[submission.status_token]))
    assert b"Outside Practice" in response.content
    assert b"help@out.test" in response.content
    assert b"They know your donor system well." in response.content


def test_unknown_and_withdrawn_tokens_are_the_plain_404(client, intake_coordinator):
    submission = submit()
    unknown = client.get(reverse("request-status", args=["not-a-real-token"]))
    move(submission.request, "withdraw", intake_coordinator)
    withdrawn = client.get(reverse("request-status", args=[submission.status_token]))
    assert unknown.status_code == withdrawn.status_code == 404
    assert b"Page not found" in withdrawn.content


# --- Access per role ------------------------------------------------------------------------


@pytest.fixture
def roles(member, other_member, group_coordinator, intake_coordinator, admin):
    return {
        "anonymous": None,
        "member without offers": other_member,
        "member with an offer": member,
        "group coordinator": group_coordinator,
        "intake coordinator": intake_coordinator,
        "admin": admin,
    }


QUEUE_CODES = {
    "anonymous": 302,
    "member without offers": 403,
    "member with an offer": 403,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 200,
}
REQUEST_PAGE_CODES = {
    "anonymous": 302,
    "member without offers": 404,
    "member with an offer": 200,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 200,
}
# The admin has no member record, so no offers or engagements of their own.
MY_PAGE_CODES = {
    "anonymous": 302,
    "member without offers": 200,
    "member with an offer": 200,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 403,
}


@pytest.mark.parametrize("role", QUEUE_CODES)
def test_who_may_open_the_queue(client, signed_in, roles, offered, role):
    signed_in(roles[role])
    url = reverse("intake-queue")
    response = client.get(url)
    assert response.status_code == QUEUE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize("role", REQUEST_PAGE_CODES)
def test_who_may_open_the_request_page(client, signed_in, roles, offered, role):
    signed_in(roles[role])
    url = reverse("intake-request", args=[offered.request.pk])
    response = client.get(url)
    assert response.status_code == REQUEST_PAGE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize("page", ["my-offers", "my-engagements"])
@pytest.mark.parametrize("role", MY_PAGE_CODES)
def test_who_may_open_my_offers_and_engagements(client, signed_in, roles, offered, role, page):
    signed_in(roles[role])
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == MY_PAGE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


def test_a_group_coordinator_sees_only_the_groups_requests(
    client, signed_in, group_coordinator, intake_coordinator
):
    mine = routed_to_group(group_coordinator, intake_coordinator, title="Routed to my group")
    other = submit(organization_name="Another Org", title="Not routed anywhere yet")
    response = signed_in(group_coordinator).get(reverse("intake-queue"))
    assert mine.request.reference.encode() in response.content
    assert other.request.reference.encode() not in response.content
    assert client.get(reverse("intake-request", args=[other.request.pk])).status_code == 404


def test_nav_links_follow_the_roles(client, signed_in, member, intake_coordinator, admin):
    anonymous = client.get(reverse("home")).content
    assert b">Queue<" not in anonymous and b">My offers<" not in anonymous
    as_member = signed_in(member).get(reverse("home")).content
    assert b">My offers<" in as_member and b">My engagements<" in as_member
    assert b">Queue<" not in as_member and b">Metrics<" not in as_member
    as_coordinator = signed_in(intake_coordinator).get(reverse("home")).content
    assert b">Queue<" in as_coordinator and b">Metrics<" in as_coordinator


# --- The queue ------------------------------------------------------------------------------


def test_queue_filters_by_status_urgency_group_age_overdue_and_search(
    client, signed_in, intake_coordinator, group_coordinator
):
    routed = routed_to_group(
        group_coordinator, intake_coordinator, organization_name="Routed Org", title="Routed one"
    ).request
    urgent = submit(organization_name="Urgent Org", title="Server down", urgency="emergency")
    # Factory rows take references from another year, apart from the submitted ones.
    old = RequestFactory(
        reference="REQ-2001-0001",
        title="Old and overdue",
        submitted_at=timezone.now() - datetime.timedelta(days=20),
        response_due_at=timezone.now() - datetime.timedelta(days=18),
    )
    signed_in(intake_coordinator)

    def shown(**query) -> set[str]:
        content = client.get(reverse("intake-queue"), query).content.decode()
        return set(re.findall(r"REQ-\d{4}-\d{4}", content))

    everyone = {routed.reference, urgent.request.reference, old.reference}
    assert shown() == everyone
    assert shown(status="routed") == {routed.reference}
    assert shown(status="open") == everyone
    assert shown(urgency="emergency") == {urgent.request.reference}
    assert shown(group=routed.assigned_group_id) == {routed.reference}
    assert shown(age=7) == {routed.reference, urgent.request.reference}
    assert shown(overdue="on") == {old.reference}
    assert shown(search="urgent org") == {urgent.request.reference}
    assert shown(search=old.reference) == {old.reference}
    assert shown(group=999_999) == set()  # an unreadable filter narrows, never widens


def test_queue_sorts_and_flags_overdue_and_possible_duplicates(
    client, signed_in, intake_coordinator
):
    first = submit(title="Donor database needs cleaning up")
    second = submit(title="Our donor database needs cleaning up", urgency="emergency")
    overdue = RequestFactory(
        reference="REQ-2001-0001",
        title="Waiting too long",
        response_due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    signed_in(intake_coordinator)

    def order(sort) -> list[str]:
        content = client.get(reverse("intake-queue"), {"sort": sort}).content.decode()
        return list(dict.fromkeys(re.findall(r"REQ-\d{4}-\d{4}", content)))

    assert order("urgency")[0] == second.request.reference
    assert order("oldest")[-1] == order("newest")[0]
    assert order("due")[0] == overdue.reference
    content = client.get(reverse("intake-queue")).content.decode()
    assert f"Possible duplicate of {first.request.reference}" in content
    assert "badge-overdue" in content


def test_queue_answers_htmx_with_the_results_only(client, signed_in, intake_coordinator):
    submit()
    response = signed_in(intake_coordinator).get(
        reverse("intake-queue"), {"status": "submitted"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'hx-swap-oob="innerHTML"' in response.content
    assert "HX-Request" in response["Vary"]


def test_queue_paginates_by_25(client, signed_in, intake_coordinator):
    RequestFactory.create_batch(30)
    signed_in(intake_coordinator)
    first = client.get(reverse("intake-queue")).content.decode()
    second = client.get(reverse("intake-queue"), {"page": 2}).content.decode()
    assert len(set(re.findall(r"REQ-\d{4}-\d{4}", first))) == 25
    assert len(set(re.findall(r"REQ-\d{4}-\d{4}", second))) == 5
    assert "Showing 1–25 of 30 requests." in first


@pytest.mark.parametrize("rows", [5, 30])
def test_queue_runs_a_fixed_number_of_queries(
    client, signed_in, intake_coordinator, django_assert_max_num_queries, rows
):
    # Rows with every join the page shows: an organisation, a group, a possible duplicate.
    group = ConsultantGroup.objects.create(name="Databases", slug="databases")
    earlier = RequestFactory()
    RequestFactory.create_batch(rows, assigned_group=group, possible_duplicate_of=earlier)
    signed_in(intake_coordinator)
    # session, user, the user's roles, their member record, "coordinates a group?" (the nav),
    # the count, one page of rows with organisation, group and duplicate joined, the group
    # filter's choices: 8 whatever the number of rows (one spare for the session's save).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("intake-queue"), {"sort": "urgency", "status": "open"})
    assert response.status_code == 200


# --- The request page -----------------------------------------------------------------------


def action_forms(content: bytes) -> set[str]:
    return set(re.findall(r'/transitions/([a-z_]+)/"', content.decode()))


def test_request_page_shows_one_form_per_allowed_move(
    client, signed_in, intake_coordinator, group_coordinator, member, offered
):
    request = offered.request
    url = reverse("intake-request", args=[request.pk])
    as_member = signed_in(member).get(url).content
    assert action_forms(as_member) == {"accept", "decline"}
    # Until they accept, the member sees the work but not the client's contact details.
    assert request.contact.email.encode() not in as_member
    assert b"Timeline" not in as_member

    as_intake = signed_in(intake_coordinator).get(url).content
    assert action_forms(as_intake) == {"refer_out", "withdraw"}
    assert request.contact.email.encode() in as_intake
    assert b"Timeline" in as_intake
    assert f'name="withdraw-version" value="{request.version}"'.encode() in as_intake

    as_group = signed_in(group_coordinator).get(url).content
    assert action_forms(as_group) == set()


def test_request_page_links_a_possible_duplicate(client, signed_in, intake_coordinator):
    first = submit(title="Donor database needs cleaning up")
    second = submit(title="Our donor database needs cleaning up")
    content = (
        signed_in(intake_coordinator)
        .get(reverse("intake-request", args=[second.request.pk]))
        .content.decode()
    )
    assert "Possible duplicate of" in content
    assert f'href="{reverse("intake-request", args=[first.request.pk])}"' in content


def test_a_move_through_the_page_redirects_with_a_message(client, signed_in, intake_coordinator):
    request = submit().request
    url = reverse("intake-transition", args=[request.pk, "contact"])
    response = signed_in(intake_coordinator).post(
        url, {"contact-version": request.version, "contact-note": "Called them."}, follow=True
    )
    assert response.redirect_chain == [(reverse("intake-request", args=[request.pk]), 302)]
    assert b"record first contact" in response.content
    request.refresh_from_db()
    assert request.status == Request.Status.CONTACTED
    assert request.events.last().note == "Called them."


def test_a_stale_version_answers_409_and_changes_nothing(client, signed_in, intake_coordinator):
    request = submit().request
    stale = request.version
    move(request, "contact", intake_coordinator)
    request.refresh_from_db()
    events = RequestEvent.objects.count()
    response = signed_in(intake_coordinator).post(
        reverse("intake-transition", args=[request.pk, "mark_spam"]), {"mark_spam-version": stale}
    )
    assert response.status_code == 409
    assert "changed while you were looking at it — here is the current state" in (
        response.content.decode()
    )
    assert b"Contacted" in response.content
    after = Request.objects.get(pk=request.pk)
    assert (after.status, after.version) == (Request.Status.CONTACTED, request.version)
    assert RequestEvent.objects.count() == events


def test_a_move_the_user_may_not_make_is_a_403(client, signed_in, offered, group_coordinator):
    request = offered.request
    response = signed_in(group_coordinator).post(
        reverse("intake-transition", args=[request.pk, "accept"]),
        {"accept-version": request.version},
    )
    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == Request.Status.OFFERED


def test_an_unknown_action_is_a_404(client, signed_in, intake_coordinator):
    request = submit().request
    signed_in(intake_coordinator)
    for action in ("fly", "expire"):
        url = f"/coordination/requests/{request.pk}/transitions/{action}/"
        assert client.post(url, {f"{action}-version": 1}).status_code == 404


def test_route_needs_a_group_or_a_member_and_says_so(client, signed_in, intake_coordinator):
    request = submit().request
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    request.refresh_from_db()
    response = signed_in(intake_coordinator).post(
        reverse("intake-transition", args=[request.pk, "route"]),
        {"route-version": request.version},
    )
    assert response.status_code == 400
    assert b'id="id_route-group_error"' in response.content
    assert Request.objects.get(pk=request.pk).status == Request.Status.TRIAGED


def test_the_offer_form_lists_the_groups_members_first(
    client, signed_in, group_coordinator, intake_coordinator
):
    request = routed_to_group(group_coordinator, intake_coordinator).request
    group = request.assigned_group
    outsider = ConsultantFactory(display_name="Aaa Outside The Group")
    insider = ConsultantFactory(display_name="Zzz Inside The Group")
    group.members.add(insider)
    ConsultantFactory(display_name="Former Member", status=Consultant.Status.FORMER)
    content = (
        signed_in(group_coordinator)
        .get(reverse("intake-request", args=[request.pk]))
        .content.decode()
    )
    assert content.index("Zzz Inside The Group") < content.index("Aaa Outside The Group")
    assert "Former Member" not in content
    assert outsider.display_name in content


# --- My offers and engagements --------------------------------------------------------------


def test_my_offers_shows_the_offer_without_client_contact(client, signed_in, offered, member):
    content = signed_in(member).get(reverse("my-offers")).content
    request = offered.request
    assert request.reference.encode() in content
    assert request.title.encode() in content
    assert request.contact.email.encode() not in content
    assert request.contact.name.encode() not in content
    assert b"Answer by" in content
    assert action_forms(content) == {"accept", "decline"}


def test_decline_needs_a_reason(client, signed_in, offered, member):
    request = offered.request
    url = reverse("intake-transition", args=[request.pk, "decline"])
    data = {"decline-version": request.version, "next": reverse("my-offers")}
    response = signed_in(member).post(url, {**data, "decline-reason": "  "})
    assert response.status_code == 400
    assert f'id="offer{request.pk}_decline-reason_error"'.encode() in response.content
    assert Offer.objects.get(request=request).status == Offer.Status.PENDING

    response = client.post(url, {**data, "decline-reason": "Fully booked until spring."})
    assert response.status_code == 302
    assert response["Location"] == reverse("my-offers")
    offer = Offer.objects.get(request=request)
    assert (offer.status, offer.reason) == (Offer.Status.DECLINED, "Fully booked until spring.")
    past = client.get(reverse("my-offers")).content
    assert b"Fully booked until spring." in past and b"Declined" in past


def test_accepting_shows_the_client_in_my_engagements(client, signed_in, offered, member):
    request = offered.request
    response = signed_in(member).post(
        reverse("intake-transition", args=[request.pk, "accept"]),
        {"accept-version": request.version, "next": reverse("my-offers")},
    )
    assert response.status_code == 302
    content = client.get(reverse("my-engagements")).content
    assert request.reference.encode() in content
    assert request.contact.email.encode() in content
    assert b"Current" in content


def test_my_pages_show_only_my_own_offers(client, signed_in, offered, other_member):
    content = signed_in(other_member).get(reverse("my-offers")).content
    assert offered.request.reference.encode() not in content
    assert b"No offers are waiting for you." in content
