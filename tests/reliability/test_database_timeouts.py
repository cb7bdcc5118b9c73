"""A database that does not answer: web requests give up within seconds and answer the friendly
503 (network.middleware) instead of holding a worker until the WSGI server kills it.

The requests run in a fresh process that loads ``network.wsgi``, as gunicorn does, so they get
the web's settings: a connect timeout, and statement and lock timeouts.
"""

import contextlib
import json
import socket
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.utils import timezone

from intake.models import ReferenceCounter, Request
from network.services import languages_ensure
from tests.helpers import (
    REQUEST_FORM,
    ROOT,
    process_env,
    settings_in_a_new_process,
    valid_request_body,
    wait_for,
)

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
            cwd=ROOT,
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
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **PRODUCTION, "DATABASE_LOCK_TIMEOUT_MS": "2500"},
        capture_output=True,
        text=True,
        check=True,
    )
    options = json.loads(finished.stdout)
    assert options == {
        "connect_timeout": 5,
        "options": "-c random_page_cost=1.1 -c statement_timeout=10000 -c lock_timeout=2500",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_commands_and_the_cluster_connect_with_a_timeout_and_no_statement_timeout():
    # manage.py (migrate, export_data, qcluster) does not load network.wsgi.
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **PRODUCTION, DATABASE_CONNECT_TIMEOUT="3"
    )
    assert options == {
        "connect_timeout": 3,
        "options": "-c random_page_cost=1.1",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


@pytest.mark.parametrize(
    "value, expected",
    [("2", "-c random_page_cost=2"), ("1.25", "-c random_page_cost=1.25"), ("0", None)],
)
def test_the_planner_s_random_page_cost_follows_the_environment(value, expected):
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **PRODUCTION, DATABASE_RANDOM_PAGE_COST=value
    )
    assert options.get("options") == expected  # 0: the server's own setting


@pytest.mark.parametrize("value, expected", [("1", 1), ("12", 12)])
def test_statements_are_prepared_after_the_configured_number_of_uses(value, expected):
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **PRODUCTION, DATABASE_PREPARE_THRESHOLD=value
    )
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == expected


def test_a_threshold_of_0_keeps_parameters_inlined_and_nothing_prepared():
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **PRODUCTION, DATABASE_PREPARE_THRESHOLD="0"
    )
    # Django's own default: client-side binding, and its backend turns preparing off.
    assert "server_side_binding" not in options and "prepare_threshold" not in options


def test_sqlite_gets_no_planner_setting():
    options = settings_in_a_new_process(
        "s.DATABASES['default']['OPTIONS']", **{**PRODUCTION, "DATABASE_URL": "sqlite:///x.db"}
    )
    assert "options" not in options
    assert "server_side_binding" not in options and "prepare_threshold" not in options


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session setting")
@pytest.mark.django_db
def test_postgresql_sessions_plan_with_the_configured_random_page_cost():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.django_db
def test_a_query_run_often_on_a_postgresql_connection_is_prepared_on_the_server():
    from network.models import Language

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(threshold):
        list(Language.objects.filter(code="xx"))
    assert not any('"network_language"' in text for text in prepared())

    # Parameters travel apart from the SQL ($1); the use after the threshold's keeps it prepared.
    list(Language.objects.filter(code="xx"))
    [statement] = [text for text in prepared() if '"network_language"' in text]
    assert "$1" in statement


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_CONNECT_TIMEOUT", "1"),
        ("DATABASE_CONNECT_TIMEOUT", "5000"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "10"),
        ("DATABASE_LOCK_TIMEOUT_MS", "3"),
        ("DATABASE_LOCK_TIMEOUT_MS", "soon"),
        ("DATABASE_RANDOM_PAGE_COST", "-1"),
        ("DATABASE_RANDOM_PAGE_COST", "fast"),
        ("DATABASE_PREPARE_THRESHOLD", "-1"),
        ("DATABASE_PREPARE_THRESHOLD", "often"),
    ],
)
def test_a_timeout_that_cannot_be_meant_stops_the_process(variable, value):
    finished = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
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
    ["POST", "/api/v1/requests/", json.dumps(valid_request_body()), "json"],
    ["POST", "/request/", REQUEST_FORM, "form"],
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


# --- A server that stops answering on a connection already open ------------------------------


class FreezableProxy:
    """A TCP relay on loopback in front of PostgreSQL that can stop relaying, as a frozen
    server does: the connection stays open, what is sent is accepted, no answer comes back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.thawed = threading.Event()
        self.thawed.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._relay, args=(source, sink), daemon=True).start()

    def _relay(self, source, sink):
        try:
            while data := source.recv(65536):
                self.thawed.wait()
                sink.sendall(data)
        except OSError:
            pass

    def close(self):
        self.thawed.set()
        for each in self.sockets:
            # shutdown() first: close() alone does not end a connection while a relay thread is
            # still blocked reading it, so PostgreSQL would not see the session end.
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


# A page that reads the database, once to open the connection the process then keeps
# (CONN_MAX_AGE), and once more after the test has frozen the server.
_FROZEN = """
import json, logging, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
import network.wsgi
from django.test import Client

logged = []

class Keep(logging.Handler):
    def emit(self, record):
        logged.append(record.getMessage())

logging.getLogger("network.middleware").addHandler(Keep())
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
answers = [client.get("/status/not-a-token/").status_code]
print("open", flush=True)
sys.stdin.readline()  # the server is frozen now
answers.append(client.get("/status/not-a-token/").status_code)
print(json.dumps({"answers": answers, "logged": logged}), flush=True)
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_frozen_server_is_given_up_on_and_the_request_answers_503(shared_database_url):
    """The server's own statement timeout cannot fire when the server is frozen; the web
    process stops waiting for it shortly after, drops the connection and answers 503."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; this run is on SQLite")
    address = urlsplit(shared_database_url)
    proxy = FreezableProxy(address.hostname, address.port)
    through_proxy = shared_database_url.replace(f":{address.port}/", f":{proxy.port}/")
    # Parameters inlined in the SQL: Django's debug cursor (DEBUG=1 here) writes out a failed
    # statement's SQL through the connection when they are bound on the server, and on the
    # connection just dropped that raises "the connection is closed" over the timeout's own
    # error. Production (DEBUG=0) has no debug cursor.
    env = process_env(
        through_proxy, DATABASE_STATEMENT_TIMEOUT_MS="500", DATABASE_PREPARE_THRESHOLD="0"
    )
    web = subprocess.Popen(
        [sys.executable, "-c", _FROZEN],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert web.stdout.readline().strip() == "open", web.stderr.read()
        proxy.thawed.clear()
        try:
            out, err = web.communicate("go\n", timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError("no answer within 30 s: the request waited") from None
    finally:
        proxy.close()
        if web.poll() is None:
            web.kill()
            web.wait()
        # The server ends the relayed sessions once it sees their sockets closed; wait for
        # that, so the test database can be dropped after the run.
        wait_for(lambda: not other_sessions(), 20, "the relayed sessions did not end")
    result = json.loads(out.strip().splitlines()[-1])

    assert result["answers"] == [404, 503], err
    assert len(result["logged"]) == 1
    assert "no answer from the database server within 2.5 s" in result["logged"][0]
