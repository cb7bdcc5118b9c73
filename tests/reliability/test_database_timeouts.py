"""A database that does not answer: web requests give up within seconds and answer the friendly
503 (network.middleware) instead of holding a worker until the WSGI server kills it.

The requests run in a fresh process that loads ``network.wsgi``, as gunicorn does, so they get
the web's settings: a connect timeout, and statement and lock timeouts.
"""

import json
import socket
import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.utils import timezone

from intake.models import ReferenceCounter, Request
from network.services import languages_ensure
from tests.helpers import settings_in_a_new_process
from tests.intake.test_api_submit import valid_body
from tests.intake.test_pages import FORM
from tests.reliability.conftest import BASE_DIR, process_env

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "switchboard.example.org",
    "DATABASE_URL": "postgres://switchboard@db.internal:5432/switchboard",
}

# Requests through the web's entry point; prints one JSON line: each answer's status, its
# Retry-After, and what the middleware logged.
_SERVE = """
import json, logging, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
import network.wsgi  # the web's settings, as gunicorn loads them
from django.test import Client

logged = []

class Keep(logging.Handler):
    def emit(self, record):
        logged.append(record.getMessage())

logging.getLogger("network.middleware").addHandler(Keep())
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
answers = []
for method, path, body, kind in json.loads(os.environ["REQUESTS"]):
    if method == "GET":
        response = client.get(path)
    elif kind == "json":
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.post(path, body)
    answers.append([response.status_code, response.get("Retry-After")])
print(json.dumps({"answers": answers, "logged": logged}))
"""


def serve(env: dict[str, str], requests: list, timeout: float = 45) -> dict:
    """Run ``requests`` ([method, path, body, "json" or "form"]) through network.wsgi in a new
    process. A process still waiting after ``timeout`` seconds fails the test."""
    try:
        finished = subprocess.run(
            [sys.executable, "-c", _SERVE],
            cwd=BASE_DIR,
            env={**env, "REQUESTS": json.dumps(requests)},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no answer within {timeout} s: the request hung") from None
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


# --- Settings ---------------------------------------------------------------------------------


def test_web_processes_connect_with_a_timeout_and_statement_and_lock_timeouts():
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'network.settings'; "
        "import network.wsgi; from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **PRODUCTION, "DATABASE_LOCK_TIMEOUT_MS": "2500"},
        capture_output=True,
        text=True,
        check=True,
    )
    options = json.loads(finished.stdout)
    assert options == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=10000 -c lock_timeout=2500",
    }


def test_commands_and_the_cluster_connect_with_a_timeout_and_no_statement_timeout():
    # manage.py (migrate, export_data, qcluster) does not load network.wsgi.
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **PRODUCTION, DATABASE_CONNECT_TIMEOUT="3"
    )
    assert options == {"connect_timeout": 3}


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_CONNECT_TIMEOUT", "1"),
        ("DATABASE_CONNECT_TIMEOUT", "5000"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "10"),
        ("DATABASE_LOCK_TIMEOUT_MS", "3"),
        ("DATABASE_LOCK_TIMEOUT_MS", "soon"),
    ],
)
def test_a_timeout_that_cannot_be_meant_stops_the_process(variable, value):
    finished = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "network.settings",
            **PRODUCTION,
            variable: value,
        },
        capture_output=True,
        text=True,
    )
    assert finished.returncode != 0
    assert "ImproperlyConfigured" in finished.stderr and variable in finished.stderr


# --- A database that accepts the connection and never answers ---------------------------------


@pytest.fixture
def silent_database():
    """A DATABASE_URL whose server takes the TCP connection and then says nothing, as a frozen
    PostgreSQL does: the kernel completes the handshake, nobody reads."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"postgres://switchboard@127.0.0.1:{listener.getsockname()[1]}/switchboard"


def test_a_database_that_does_not_answer_gets_a_503_within_the_connect_timeout(silent_database):
    env = process_env(silent_database, DATABASE_CONNECT_TIMEOUT="2")

    result = serve(env, [["GET", "/status/not-a-token/", None, "form"]])

    assert result["answers"] == [[503, "30"]]
    assert any("timeout" in line.lower() for line in result["logged"]), result["logged"]


def test_the_home_page_answers_without_the_database(silent_database):
    # The load balancer's liveness check: it must not wait on the database.
    env = process_env(silent_database, DATABASE_CONNECT_TIMEOUT="2")

    result = serve(env, [["GET", "/", None, "form"]])

    assert result == {"answers": [[200, None]], "logged": []}


@pytest.mark.django_db
def test_the_home_page_asks_the_database_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


# --- A row held locked by another connection ---------------------------------------------------


SUBMISSIONS = [
    ["POST", "/api/v1/requests/", json.dumps(valid_body()), "json"],
    ["POST", "/request/", FORM, "form"],
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "timeouts, cancelled_by",
    [
        ({"DATABASE_LOCK_TIMEOUT_MS": "500"}, "lock timeout"),
        ({"DATABASE_LOCK_TIMEOUT_MS": "0", "DATABASE_STATEMENT_TIMEOUT_MS": "800"}, "statement"),
    ],
    ids=["lock timeout", "statement timeout"],
)
def test_a_submission_waiting_on_a_locked_row_answers_503(
    shared_database_url, timeouts, cancelled_by
):
    """Every submission takes the year's reference counter row; another connection holds it
    (a stuck transaction, a long migration). The API call and the form both answer 503 once
    the timeout cancels the wait, and nothing is stored."""
    if connection.vendor != "postgresql":
        pytest.skip("statement and lock timeouts are PostgreSQL's; this run is on SQLite")
    languages_ensure()
    year = timezone.localdate().year
    for counter_year in (year - 1, year, year + 1):  # whichever year the clock of the request
        ReferenceCounter.objects.get_or_create(year=counter_year)
    env = process_env(shared_database_url, **timeouts)

    with transaction.atomic():
        held = list(ReferenceCounter.objects.select_for_update().values_list("year", flat=True))
        result = serve(env, SUBMISSIONS)

    assert len(held) == 3
    assert result["answers"] == [[503, "30"], [503, "30"]]
    assert len(result["logged"]) == 2
    assert all(f"canceling statement due to {cancelled_by}" in line for line in result["logged"])
    assert not Request.objects.exists()
