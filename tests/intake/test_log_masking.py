"""Status tokens stay out of Django's logs: the request logger (404s) and runserver's access
lines (gunicorn's: tests/intake/test_gunicorn_log_masking.py)."""

import logging

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import WSGIRequestHandler

from intake.workflow import request_apply

pytestmark = pytest.mark.django_db

MASK = "[masked]"  # network.log_masking.MASK

BODY = {
    "organization_name": "Harbor Literacy Project",
    "contact_name": "Client Contact",
    "contact_email": "contact@harbor-literacy.example.org",
    "title": "Laptops for tutors",
    "description": "Twelve donated laptops need setting up.",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def withdrawn_token(api, admin, django_capture_on_commit_callbacks):
    """The token of a real request, withdrawn: its pages now answer 404, which Django logs."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/requests/", BODY, format="json")
    request_apply(request_id=response.json()["id"], action="withdraw", actor=admin, version=1)
    return response.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def runserver_log(caplog):
    """Records of runserver's logger, which does not propagate to the root (caplog's)."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    yield caplog
    server.removeHandler(caplog.handler)


def test_a_404_on_a_status_link_is_logged_without_its_token(withdrawn_token, client, api, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get(f"/status/{withdrawn_token}/").status_code == 404
        assert api.get(f"/api/v1/requests/status/{withdrawn_token}/").status_code == 404

    requests = [record for record in caplog.records if record.name == "django.request"]
    assert len(requests) == 2  # both 404s were logged...
    assert all(f"/status/{MASK}/" in record.getMessage() for record in requests)
    assert withdrawn_token not in caplog.text  # ...without the token


def test_runserver_access_lines_hold_no_token(withdrawn_token, runserver_log):
    class Handler:  # what WSGIRequestHandler.log_message reads of itself
        request = None

        def log_date_time_string(self):
            return "14/Apr/2026 09:00:00"

    for status in ("200", "404"):
        WSGIRequestHandler.log_message(
            Handler(), '"%s" %s %s', f"GET /status/{withdrawn_token}/ HTTP/1.1", status, "512"
        )

    assert len(runserver_log.records) == 2
    assert withdrawn_token not in runserver_log.text
    assert f'"GET /status/{MASK}/ HTTP/1.1" 404 512' in runserver_log.text
