"""The HTML pages: the public ones, joining, signing in and out, and who may open the member
pages. The directory and a member's page are in test_directory_pages.py; one's own profile in
test_profile_pages.py."""

import pytest
from django.urls import reverse

from network.models import Consultant, MembershipApplication
from tests.factories import ConsultantFactory, UserFactory
from tests.helpers import consultant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]


PASSWORD = "correct horse battery"


def with_password(user):
    # UserFactory sets the password after saving and skips the second save, so set it here.
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


# --- Public pages ---------------------------------------------------------------------------


def test_home_page_is_public_and_leads_to_request_help(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'<a class="skip-link" href="#main">' in response.content
    assert f'href="{reverse("request-help")}"'.encode() in response.content
    assert b"Sign in" in response.content and b"Sign out" not in response.content


def test_request_help_page_shows_the_intake_email(client, settings):
    settings.INTAKE_EMAIL = "intake@alliance.test"
    response = client.get(reverse("request-help"))
    assert response.status_code == 200
    assert b"mailto:intake@alliance.test" in response.content


def test_request_help_page_falls_back_to_the_default_from_address(client, settings):
    if hasattr(settings, "INTAKE_EMAIL"):
        del settings.INTAKE_EMAIL
    settings.DEFAULT_FROM_EMAIL = "desk@alliance.test"
    response = client.get(reverse("request-help"))
    assert b"mailto:desk@alliance.test" in response.content


def test_public_pages_refuse_other_methods(client):
    assert client.post(reverse("home")).status_code == 405
    # /request/ is the intake form now (tests/intake/test_pages.py); it refuses other methods.
    assert client.put(reverse("request-help")).status_code == 405


# --- Joining --------------------------------------------------------------------------------

APPLICATION = {
    "name": "Applicant One",
    "email": "applicant.one@applicants.test",
    "website": "https://applicant-one.test",
    "location": "Oakland, CA",
    "statement": "Eight years supporting food banks' donor databases.",
    "skills": "Salesforce, WordPress",
    "fax": "",
}


def test_join_form_renders_for_anyone(client):
    response = client.get(reverse("join"))
    assert response.status_code == 200
    assert b'name="statement"' in response.content
    assert b'class="hp-field" aria-hidden="true"' in response.content


def test_join_form_creates_an_application_and_thanks(client):
    response = client.post(reverse("join"), APPLICATION)
    assert response.status_code == 302
    assert response["Location"] == reverse("join-thanks")
    application = MembershipApplication.objects.get()
    assert application.email == APPLICATION["email"]
    assert application.skills_text == "Salesforce, WordPress"
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert client.get(reverse("join-thanks")).status_code == 200


def test_join_form_with_the_honeypot_filled_keeps_nothing_and_looks_the_same(client):
    response = client.post(reverse("join"), {**APPLICATION, "fax": "+1 555 0100"})
    assert response.status_code == 302
    assert response["Location"] == reverse("join-thanks")
    assert not MembershipApplication.objects.exists()


def test_join_form_with_a_bad_email_shows_the_error_and_keeps_nothing(client):
    response = client.post(reverse("join"), {**APPLICATION, "email": "not-an-address"})
    assert response.status_code == 200
    assert b"data-error-summary" in response.content
    assert b'href="#id_email"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert not MembershipApplication.objects.exists()


# --- Sign in and out ------------------------------------------------------------------------


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'autocomplete="current-password"' in response.content


def test_sign_in_with_a_wrong_password_explains_the_problem(client, member):
    with_password(member)
    response = client.post(
        reverse("login"), {"username": member.username, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert b"You are not signed in" in response.content
    assert b"correct username and password" in response.content


def test_sign_in_then_return_to_the_page_asked_for(client, member):
    with_password(member)
    response = client.post(
        reverse("login"),
        {
            "username": member.username,
            "password": PASSWORD,
            "next": reverse("member-list"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("member-list")


def test_sign_out_is_a_post_with_csrf(client, member, signed_in):
    signed_in(member)
    page = client.get(reverse("home"))
    assert b'action="/accounts/logout/"' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_navigation_shows_admin_only_to_staff(client, member, admin, signed_in):
    signed_in(member)
    page = client.get(reverse("home")).content
    assert b"Directory" in page and b"My profile" in page and b">Admin<" not in page
    signed_in(admin)
    assert b">Admin<" in client.get(reverse("home")).content


# --- Who may open the member pages ----------------------------------------------------------


@pytest.mark.parametrize(
    "name,args", [("member-list", []), ("member-detail", ["pk"]), ("my-profile", [])]
)
def test_member_pages_send_anonymous_visitors_to_sign_in(client, other_member, name, args):
    path = reverse(name, args=[consultant(other_member).pk if arg == "pk" else arg for arg in args])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize("status", ["applicant", "former"])
def test_directory_refuses_people_who_are_not_members(client, signed_in, status):
    outsider = ConsultantFactory(status=status).user
    signed_in(outsider)
    assert client.get(reverse("member-list")).status_code == 403
    target = ConsultantFactory()
    assert client.get(reverse("member-detail", args=[target.pk])).status_code == 403


def test_directory_refuses_an_account_without_a_member_record(client, signed_in):
    signed_in(UserFactory())
    response = client.get(reverse("member-list"))
    assert response.status_code == 403
    assert b"members of the alliance only" in response.content


@pytest.mark.parametrize("status", ["active", "probation", "on_leave", "alumni"])
def test_directory_opens_for_members(client, signed_in, status):
    signed_in(ConsultantFactory(status=status).user)
    assert client.get(reverse("member-list")).status_code == 200


def test_directory_opens_for_a_role_holder_without_a_member_record(
    client, signed_in, community_coordinator
):
    signed_in(community_coordinator)
    assert client.get(reverse("member-list")).status_code == 200


def test_member_detail_hides_applicants_from_members_but_not_from_coordinators(
    client, signed_in, member, intake_coordinator
):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)
    path = reverse("member-detail", args=[applicant.pk])
    signed_in(member)
    assert client.get(path).status_code == 404
    signed_in(intake_coordinator)
    assert client.get(path).status_code == 200


def test_member_detail_of_a_missing_member_is_404(client, signed_in, member):
    signed_in(member)
    assert client.get(reverse("member-detail", args=[999_999])).status_code == 404


def test_profile_page_explains_when_the_account_has_no_member_record(client, signed_in):
    signed_in(UserFactory())
    response = client.get(reverse("my-profile"))
    assert response.status_code == 200
    assert b"You have no member profile" in response.content


def test_profile_page_refuses_a_former_member(client, signed_in):
    signed_in(ConsultantFactory(status=Consultant.Status.FORMER).user)
    response = client.get(reverse("my-profile"))
    assert response.status_code == 403
    assert b"Your membership is not active" in response.content


def test_profile_editor_opens_for_a_member(client, signed_in, member):
    signed_in(member)
    response = client.get(reverse("my-profile"))
    assert response.status_code == 200
    assert consultant(member).display_name.encode() in response.content


@pytest.mark.parametrize(
    "name,args",
    [
        ("my-skill-add", []),
        ("my-skill-update", [1]),
        ("my-skill-remove", [1]),
        ("my-time-away-add", []),
        ("my-time-away-delete", [1]),
    ],
)
def test_profile_actions_accept_only_signed_in_posts(client, signed_in, member, name, args):
    path = reverse(name, args=args)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)
    signed_in(member)
    assert client.get(path).status_code == 405
