"""The public intake pages (``intake.views``: ``request_help``, ``request_thanks``,
``request_status``): the request form (open to all, with the intake address; the honeypot; the
throttle's friendly 429; errors next to the field; markup stored as typed and shown escaped),
the thanks page that shows the status link once, and the client's status page (the stage and no
private detail, the consultant once engaged, the professionals once referred, the plain 404 for
an unknown or withdrawn token).

The fixtures (languages and a fresh cache, ``offered``) are in tests/intake/conftest.py,
``signed_in`` in tests/conftest.py; submitting and moving a request in tests/helpers.py.
"""

import datetime
import re

import pytest
from django.urls import reverse

from intake.models import Organization, Request
from tests.factories import ConsultantFactory, ExternalProfessionalFactory
from tests.helpers import REQUEST_FORM, consultant
from tests.intake.helpers import request_moved as move
from tests.intake.helpers import request_submitted as submit
from tests.intake.helpers import routed_to_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]


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
