"""The client's status link: pages and API answers link to the host that served them, emails to
SITE_URL; ``make run`` serves on PORT and prints its links with it."""

import os
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from intake.models import Request
from network.services import languages_ensure
from tests.helpers import REQUEST_FORM, ROOT, valid_request_body

REQUESTS = "/api/v1/requests/"
SERVED_FROM = "localhost:8123"
STATUS_LINK = re.compile(r"(https?://[^/\"\s]+)/status/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _fresh_allowance_and_languages(db, settings):
    cache.clear()
    languages_ensure()
    settings.SITE_URL = "https://switchboard.example.org"
    yield
    cache.clear()


def thanks_page_link(client) -> tuple[str, str]:
    response = client.post(reverse("request-help"), REQUEST_FORM, follow=True)
    assert response.status_code == 200
    link = STATUS_LINK.search(response.content.decode())
    assert link is not None
    return link.group(1), link.group(2)


def confirmation_email_link() -> str:
    """The status link in the client's confirmation, as sent."""
    [confirmation] = [m for m in mail.outbox if Request.objects.get().contact.email in m.to]
    link = STATUS_LINK.search(confirmation.body)
    assert link is not None
    return link.group(0)


def test_the_thanks_page_links_to_the_host_that_served_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        origin, token = thanks_page_link(Client(HTTP_HOST=SERVED_FROM))

    assert origin == f"http://{SERVED_FROM}"
    assert Client(HTTP_HOST=SERVED_FROM).get(f"/status/{token}/").status_code == 200
    # The email, read elsewhere and later, keeps the site's own address.
    assert confirmation_email_link() == f"https://switchboard.example.org/status/{token}/"


def test_behind_a_tls_proxy_the_link_is_https(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    origin, _ = thanks_page_link(client)
    assert origin == "https://localhost"


def test_the_api_answers_with_a_link_to_the_host_that_served_it(
    django_capture_on_commit_callbacks,
):
    client = APIClient(HTTP_HOST=SERVED_FROM)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(REQUESTS, valid_request_body(), format="json")

    assert answer.status_code == 201
    status_url = answer.json()["status_url"]
    token = STATUS_LINK.fullmatch(status_url).group(2)
    assert status_url == f"http://{SERVED_FROM}/status/{token}/"
    assert client.get(f"/status/{token}/").status_code == 200
    assert confirmation_email_link() == f"https://switchboard.example.org/status/{token}/"


def test_the_honeypots_decoy_answer_links_to_the_same_host():
    """Otherwise a bot could tell the decoy from a real answer by its link."""
    answer = APIClient(HTTP_HOST=SERVED_FROM).post(
        REQUESTS, valid_request_body(website_url="https://spam.example"), format="json"
    )
    assert answer.status_code == 201
    assert answer.json()["status_url"].startswith(f"http://{SERVED_FROM}/status/")
    assert not Request.objects.exists()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000"])
def test_a_host_outside_allowed_hosts_gets_400_and_no_link(host):
    page = Client(HTTP_HOST=host).post(reverse("request-help"), REQUEST_FORM)
    api = APIClient(HTTP_HOST=host).post(REQUESTS, valid_request_body(), format="json")

    assert (page.status_code, api.status_code) == (400, 400)
    assert b"evil.example" not in page.content + api.content
    assert not Request.objects.exists()


# --- make run ---------------------------------------------------------------------------------


def make_run_dry(*arguments: str) -> str:
    make = shutil.which("make")
    assert make is not None, "make is part of the development setup"
    environment = {name: value for name, value in os.environ.items() if name != "SITE_URL"}
    result = subprocess.run(
        [make, "--no-print-directory", "-n", "run", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_port_and_prints_its_urls():
    commands = make_run_dry("PORT=8123")

    assert "runserver 127.0.0.1:8123 " in commands
    for line in ("Switchboard:  http://127.0.0.1:8123/", "Admin:        http://127.0.0.1:8123/"):
        assert line in commands
    # The emails' links follow the port too, for the web server and the task cluster alike.
    assert commands.count("SITE_URL=http://127.0.0.1:8123 ") >= 2
    assert ":8000" not in commands


def test_make_run_serves_on_8000_by_default():
    commands = make_run_dry()
    assert "runserver 127.0.0.1:8000 " in commands
    assert "Switchboard:  http://127.0.0.1:8000/" in commands
