"""Web security: the Content-Security-Policy, sign-in throttling, password reset by email, CSRF
on every form, production settings and status tokens."""

import base64
import datetime
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from intake import services as intake_services
from intake.models import Request
from network import services as network_services
from network.client_ip import client_ip_address
from network.models import ApiToken, User
from tests.helpers import settings_in_a_new_process, without_csrf_token

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new long passphrase"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _languages_and_cache(db):
    network_services.languages_ensure()
    # Throttles (the token endpoint's, the request form's) count in the cache.
    cache.clear()
    yield
    cache.clear()


def with_password(user: User) -> User:
    # UserFactory sets the password after saving and skips the save that would store it.
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def signed_in_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))
    return client


def submit_request():
    return intake_services.request_submit(
        organization_name="Harbour Literacy Project",
        contact_name="Contact Person",
        contact_email="office@harbour.example.org",
        title="Donor database needs cleaning up",
        description="Duplicates everywhere in the donor records.",
    )


# --- HTML inspection ----------------------------------------------------------------------------


class PageAudit(HTMLParser):
    """Collects what a strict CSP would block, and each POST form's hidden fields."""

    # <script type="application/json"> and friends are data, not code: CSP does not run them.
    DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.post_forms: list[dict] = []
        self._form: dict | None = None
        self._script_is_code = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}"> inline style attribute')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            self._script_is_code = "src" not in attributes and kind not in self.DATA_SCRIPT_TYPES
            self._script_text = []
        elif tag == "style":
            self.problems.append("<style> element")
        elif tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._form = {"action": attributes.get("action"), "hidden": set()}
            self.post_forms.append(self._form)
        elif tag == "input" and self._form is not None and attributes.get("type") == "hidden":
            self._form["hidden"].add(attributes.get("name"))

    def handle_data(self, data):
        if self.lasttag == "script":
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            code = "".join(self._script_text).strip()
            if self._script_is_code and code:
                self.problems.append(f"inline <script>: {code[:60]!r}")
            self._script_is_code = False
            self._script_text = []
        elif tag == "form":
            self._form = None


def audit(response) -> PageAudit:
    parser = PageAudit()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- Content-Security-Policy --------------------------------------------------------------------

CRAWLED_PAGES = [
    ("/", None),
    ("/request/", None),
    ("/join/", None),
    (LOGIN, None),
    ("/accounts/password-reset/", None),
    ("/", "member"),
    ("/members/", "member"),
    ("/profile/", "member"),
    ("/bids/board/", "member"),
    ("/handbook/", "member"),
    ("/coordination/queue/", "intake_coordinator"),
    ("/coordination/metrics/", "intake_coordinator"),
]


@pytest.mark.parametrize(("path", "role"), CRAWLED_PAGES)
def test_pages_send_a_strict_csp_and_carry_no_inline_code(request, path, role):
    user = request.getfixturevalue(role) if role else None
    response = signed_in_client(user).get(path)

    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert audit(response).problems == []


def test_the_request_page_for_a_coordinator_carries_no_inline_code(intake_coordinator):
    request = submit_request().request
    response = signed_in_client(intake_coordinator).get(f"/coordination/requests/{request.pk}/")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert audit(response).problems == []


def test_htmx_is_told_not_to_inject_its_indicator_style(member):
    response = signed_in_client(member).get("/members/")

    config = re.search(rb"<meta name=\"htmx-config\" content='([^']*)'>", response.content)
    assert config is not None
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


def test_api_docs_load_their_script_from_a_file_and_keep_scripts_strict():
    page = Client().get("/api/docs/")

    assert page.status_code == 200
    directives = csp_directives(page)
    assert directives["script-src"] == ["'self'"]
    # Swagger UI's page template has a small <style> block; only this page allows it.
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    problems = audit(page).problems
    assert problems == ["<style> element"]
    script_url = re.search(rb'<script src="([^"]*\?[^"]*script[^"]*)"', page.content)
    assert script_url is not None
    script = Client().get(script_url.group(1).decode().replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


# --- CSRF on every form -------------------------------------------------------------------------


def test_every_post_form_carries_a_csrf_token(member, intake_coordinator):
    """Each page with a POST form: the public forms, the sign-in and reset forms, the profile
    editor, the request page's move forms and match panel, the sign-out button on every
    signed-in page."""
    request = submit_request().request
    pages = [
        (None, LOGIN),
        (None, "/accounts/password-reset/"),
        (None, "/join/"),
        (None, "/request/"),
        (member, "/"),
        (member, "/profile/"),
        (member, "/bids/board/"),
        (intake_coordinator, f"/coordination/requests/{request.pk}/"),
    ]
    for user, path in pages:
        response = signed_in_client(user).get(path)
        assert response.status_code == 200, path
        forms = audit(response).post_forms
        assert forms, f"{path} has no POST form"
        for form in forms:
            assert "csrfmiddlewaretoken" in form["hidden"], f"{path}: form {form['action']}"

    # Made after the sign-ins above: signing in changes last_login, which voids older links.
    uid, token = reset_link_parts(User.objects.get(pk=member.pk))
    confirm = Client().get(f"/accounts/password-reset/{uid}/{token}/", follow=True)
    assert b"Choose a new password" in confirm.content
    forms = audit(confirm).post_forms
    assert forms and all("csrfmiddlewaretoken" in form["hidden"] for form in forms)


def test_a_post_without_the_csrf_token_is_refused(member):
    with_password(member)
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN, {"username": member.username, "password": PASSWORD})

    assert response.status_code == 403


# --- Sign-in throttling (django-axes) -----------------------------------------------------------


def sign_in(client, username, password, address="192.0.2.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_throttling_defaults_are_five_failures_and_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_five_wrong_passwords_lock_the_pair_out_with_a_friendly_429(member):
    with_password(member)
    client = Client()
    for _ in range(4):
        assert sign_in(client, member.username, "wrong").status_code == 200

    fifth = sign_in(client, member.username, "wrong")
    after = sign_in(client, member.username, PASSWORD)

    for response in (fifth, after):
        assert response.status_code == 429
        assert b"Too many sign-in attempts" in response.content
        assert b"15 minutes" in response.content
        assert reverse("password_reset").encode() in response.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_only_for_that_username_from_that_address(member, other_member):
    with_password(member)
    with_password(other_member)
    for _ in range(5):
        sign_in(Client(), member.username, "wrong", address="192.0.2.1")

    # The member, from elsewhere: a guesser cannot lock the member out of their own account.
    assert sign_in(Client(), member.username, PASSWORD, address="198.51.100.7").status_code == 302
    # Someone else from the same address.
    assert sign_in(Client(), other_member.username, PASSWORD).status_code == 302
    assert sign_in(Client(), member.username, PASSWORD).status_code == 429


def test_the_lockout_ends_after_the_cool_off(member):
    with_password(member)
    with time_machine.travel(datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)) as clock:
        for _ in range(5):
            sign_in(Client(), member.username, "wrong")
        clock.shift(datetime.timedelta(minutes=14))
        assert sign_in(Client(), member.username, PASSWORD).status_code == 429
        # That refused attempt restarted the wait.
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(Client(), member.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(member):
    with_password(member)
    for _ in range(4):
        sign_in(Client(), member.username, "wrong")
    assert sign_in(Client(), member.username, PASSWORD).status_code == 302

    for _ in range(4):
        assert sign_in(Client(), member.username, "wrong").status_code == 200
    assert sign_in(Client(), member.username, PASSWORD).status_code == 302


def test_the_token_endpoint_shares_the_lockout_and_answers_429_json(member):
    with_password(member)
    client = APIClient(REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        wrong = client.post(TOKEN, {"username": member.username, "password": "wrong"})
    assert wrong.status_code == 429

    right = client.post(TOKEN, {"username": member.username, "password": PASSWORD})

    assert right.status_code == 429
    assert right["Content-Type"] == "application/json"
    assert right.json()["detail"].startswith("Too many failed sign-in attempts")
    assert not ApiToken.objects.filter(user=member).exists()
    # The sign-in page is locked for the same pair too.
    assert sign_in(Client(), member.username, PASSWORD).status_code == 429


def test_wrong_passwords_on_the_api_below_the_limit_stay_400(member):
    with_password(member)
    client = APIClient()
    for _ in range(4):
        assert client.post(TOKEN, {"username": member.username, "password": "x"}).status_code == 400
    assert (
        client.post(TOKEN, {"username": member.username, "password": PASSWORD}).status_code == 200
    )


def test_client_address_is_the_socket_without_trusted_proxies(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip_address(request) == "10.0.0.2"


def test_client_address_behind_one_proxy_ignores_what_the_client_wrote(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip_address(request) == "203.0.113.9"
    # A proxy that did not forward the header: fall back to the socket.
    assert client_ip_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


# --- Password reset by email --------------------------------------------------------------------


def reset_link_parts(user: User) -> tuple[str, str]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def test_the_sign_in_page_offers_a_password_reset(client):
    response = client.get(LOGIN)
    assert b"Forgot your password?" in response.content
    assert b'href="/accounts/password-reset/"' in response.content


def test_password_reset_by_email_then_sign_in_with_the_new_password(member):
    with_password(member)
    client = Client()

    response = client.post("/accounts/password-reset/", {"email": member.email.upper()})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "Reset your Switchboard password"
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/\S+/)", message.body)
    assert link is not None

    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password-reset/done/"
    assert b"Your password is changed" in client.get(done["Location"]).content

    assert sign_in(Client(), member.username, PASSWORD).status_code == 200
    assert sign_in(Client(), member.username, NEW_PASSWORD).status_code == 302
    # The link worked once.
    assert b"This link no longer works" in Client().get(link.group(1), follow=True).content


def test_an_unknown_address_sees_the_same_page_and_no_mail_goes_out(member):
    known = Client().post("/accounts/password-reset/", {"email": member.email}, follow=True)
    mail.outbox.clear()

    unknown = Client().post(
        "/accounts/password-reset/", {"email": "nobody@elsewhere.example"}, follow=True
    )

    assert unknown.redirect_chain == known.redirect_chain
    assert without_csrf_token(unknown.content) == without_csrf_token(known.content)
    assert mail.outbox == []


def test_a_forged_reset_link_changes_nothing(member):
    uid, _ = reset_link_parts(member)
    response = Client().get(f"/accounts/password-reset/{uid}/forged-token/", follow=True)
    assert b"This link no longer works" in response.content


def test_reset_links_to_one_address_stop_at_the_hourly_limit_and_the_page_stays_the_same(
    member, settings
):
    cache.clear()
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    pages = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            "/accounts/password-reset/", {"email": member.email}, follow=True
        )
        for n in range(4)
    ]

    assert len(mail.outbox) == 2
    assert {page.redirect_chain[-1][0] for page in pages} == {"/accounts/password-reset/sent/"}
    assert len({without_csrf_token(page.content) for page in pages}) == 1


def test_many_reset_requests_from_one_client_are_refused_with_429(member, settings):
    cache.clear()
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = [
        client.post("/accounts/password-reset/", {"email": f"someone{n}@elsewhere.example"})
        for n in range(3)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 302]

    refused = client.post("/accounts/password-reset/", {"email": member.email})

    assert refused.status_code == 429
    assert b"Too many password reset requests" in refused.content
    assert member.email.encode() in refused.content  # what was typed stays in the field
    assert mail.outbox == []
    # Another client is not held back by this one.
    other = Client(REMOTE_ADDR="198.51.100.8").post(
        "/accounts/password-reset/", {"email": member.email}
    )
    assert other.status_code == 302
    assert len(mail.outbox) == 1


def test_file_parts_are_dropped_unread_by_pages_and_by_the_api(rf, api):
    # Bigger than FILE_UPLOAD_MAX_MEMORY_SIZE, so Django would otherwise write it to disk.
    upload = SimpleUploadedFile("big.bin", b"x" * 3_000_000, "application/octet-stream")
    request = rf.post("/request/", {"title": "Kept", "attachment": upload})
    assert request.POST["title"] == "Kept"
    assert len(request.FILES) == 0

    upload.seek(0)
    response = api.post(
        "/api/v1/requests/",
        {
            "organization_name": "Upload Test Org",
            "contact_name": "Pat",
            "contact_email": "pat@upload.example.org",
            "title": "Website help",
            "description": "Our website needs care.",
            "attachment": upload,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert Request.objects.filter(title="Website help").count() == 1


# --- Production settings ------------------------------------------------------------------------


def test_production_settings_keep_cookies_secure_hsts_and_the_policies():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
        "AXES_FAILURE_LIMIT",
    ]
    seen = settings_in_a_new_process(
        f"{{name: getattr(s, name) for name in {names!r}}}",
        SECRET_KEY="a-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ",
        ALLOWED_HOSTS="switchboard.example.org",
        LOGIN_FAILURE_LIMIT="7",
    )
    assert seen == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "AXES_FAILURE_LIMIT": 7,
    }


# --- Status tokens ------------------------------------------------------------------------------


def test_status_tokens_are_128_bits_stored_hashed_and_compared_in_constant_time(monkeypatch):
    submission = submit_request()
    token = submission.status_token

    assert len(base64.urlsafe_b64decode(token + "==")) == 16
    stored = Request.objects.get(pk=submission.request.pk).status_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored

    compared = []

    def spy(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(intake_services.hmac, "compare_digest", spy)
    assert intake_services.request_for_status_token(token) == submission.request
    assert compared == [(stored, stored)]
