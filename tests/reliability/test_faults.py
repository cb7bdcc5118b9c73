"""Faults: a worker killed mid-send, a mail server down for an hour, a
database gone for a moment, a crash in the middle of a workflow move."""

import datetime
import time
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from intake import tasks
from intake.models import Notification, Offer, Request, RequestEvent
from intake.services import request_submit
from intake.workflow import request_apply
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, RequestFactory, UserFactory
from tests.helpers import process_env, run_django, wait_for

MIDDLEWARE_PATH = "network.middleware.DatabaseUnavailableMiddleware"
START = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=datetime.UTC)


def message_ids(outbox) -> Counter:
    return Counter(message.extra_headers["Message-ID"] for message in outbox)


# --- A worker killed in the middle of sending notifications ---------------------------------

SEND_DELAY = 0.8  # seconds the recording mail server takes per message
NOTIFICATIONS = 8

_QUEUE_NOTIFICATIONS = f"""
import datetime
from django.utils import timezone
from intake import notifications
from intake.models import Notification
# As notifications._store leaves them: queued, due for the sweep after the first delay.
due = timezone.now() + datetime.timedelta(minutes=1)
ids = [
    Notification.objects.create(
        kind="overdue", recipient_email=f"coordinator{{n}}@members.test",
        subject=f"Overdue: REQ-2026-{{n:04d}}", body_text="Please contact the client.",
        next_attempt_at=due,
    ).pk
    for n in range({NOTIFICATIONS})
]
notifications.notifications_enqueue(ids)  # django-q2 tasks of up to ten rows, on the ORM broker
print(json.dumps(ids))
"""

_RECOVER = """
import datetime
from django.utils import timezone
from django_q.conf import Conf
from intake import delivery, tasks
from intake.models import Notification

def state():
    return sorted(Notification.objects.values_list("pk", "status", "attempts"))

# Synchronous tasks here, so the sweep's sends happen in this process and the test needs no
# second cluster to start (a few seconds on a loaded machine).
Conf.SYNC = True
after_the_kill = state()
# The retry schedule, run two minutes on: every unsent row is due again.
due = delivery.notifications_retry_due(at=timezone.now() + datetime.timedelta(minutes=2))
# What the broker's redelivery of the dead cluster's tasks does, 180 s (Q_CLUSTER "retry") later.
redelivered = [tasks.notification_send(pk) for pk, _status, _attempts in after_the_kill]
print(json.dumps({"after_the_kill": after_the_kill, "due": due, "redelivered": redelivered,
                  "end": state()}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_killed_cluster_loses_no_notification_and_sends_none_twice(
    shared_database_url, clusters, tmp_path
):
    """A real qcluster on the ORM broker is SIGKILLed halfway through a batch; the retry sweep
    sends the rest. Every Message-ID reaches the mail server exactly once."""
    mail_log = tmp_path / "accepted.log"
    mail_log.touch()
    env = process_env(shared_database_url, Q_WORKERS="1", RELIABILITY_MAIL_LOG=str(mail_log))
    ids = run_django(_QUEUE_NOTIFICATIONS, env)

    def accepted() -> list[str]:
        return mail_log.read_text().splitlines()

    cluster = clusters({**env, "RELIABILITY_MAIL_DELAY": str(SEND_DELAY)}, tmp_path / "qc.log")
    wait_for(lambda: len(accepted()) >= 3, 40, "the cluster sent fewer than 3 messages")
    # Half a send later: the worker is inside the next SMTP exchange, its row locked and its
    # transaction open; not in the one-COMMIT window the design accepts (notification_deliver).
    time.sleep(SEND_DELAY / 2)
    cluster.kill()
    sent_before_the_kill = len(accepted())
    assert 3 <= sent_before_the_kill < NOTIFICATIONS

    recovery = run_django(_RECOVER, env)

    statuses = Counter(status for _pk, status, _attempts in recovery["after_the_kill"])
    assert statuses == {
        "sent": sent_before_the_kill,
        "queued": NOTIFICATIONS - sent_before_the_kill,
    }
    # The message in flight when the worker died was rolled back: queued, never attempted.
    assert {
        attempts for _pk, status, attempts in recovery["after_the_kill"] if status == "queued"
    } == {0}
    assert len(recovery["due"]) == NOTIFICATIONS - sent_before_the_kill
    assert set(recovery["redelivered"]) == {"skipped"}
    assert recovery["end"] == [[pk, "sent", 1] for pk in ids]
    assert Counter(accepted()) == Counter({f"<notification-{pk}@127.0.0.1>": 1 for pk in ids})


# --- The mail server down for an hour -------------------------------------------------------

OUTAGE_ENDS = START + datetime.timedelta(hours=1)


class DownForAnHourBackend(LocmemBackend):
    """Refuses every message until ``OUTAGE_ENDS`` (by the test's clock), then delivers."""

    def send_messages(self, messages):
        if timezone.now() < OUTAGE_ENDS:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_mail_server_down_for_an_hour_then_every_notification_goes_out_once(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.reliability.test_faults.DownForAnHourBackend"
    for _ in range(2):
        user_grant_role(user=UserFactory(), role=Role.INTAKE_COORDINATOR)

    with time_machine.travel(START, tick=False) as clock:
        for n in range(3):  # each: the client's confirmation and two coordinators' alerts
            with django_capture_on_commit_callbacks(execute=True):
                request_submit(
                    organization_name=f"Food Network {n}",
                    contact_name=f"Client {n}",
                    contact_email=f"client{n}@food{n}.example.org",
                    title="Donor database cleanup",
                    description="Our donor database needs cleaning up.",
                )
        rows = Notification.objects.order_by("pk")
        assert rows.count() == 9
        assert mail.outbox == []

        # The retry schedule runs every minute for two hours.
        attempts_seen = []
        for _ in range(120):
            clock.shift(datetime.timedelta(minutes=1))
            tasks.notifications_retry()
            attempts_seen.append(Notification.objects.get(pk=rows[0].pk).attempts)

    failures = attempts_seen[attempts_seen.index(max(attempts_seen)) - 1]
    # 1 + 1 + 2 + 4 + 8 + 16 + 30 minutes: the backoff doubles, so an hour costs a handful of
    # attempts per message instead of one every sweep, and stays under the give-up limit.
    assert 5 <= failures < settings.NOTIFICATION_MAX_ATTEMPTS
    gaps = [
        attempts_seen[: attempts_seen.index(count)].count(count - 1)
        for count in range(2, failures + 1)
    ]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]  # sweeps between attempts grow
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert all(row.sent_at >= OUTAGE_ENDS for row in Notification.objects.all())
    assert message_ids(mail.outbox) == Counter(
        {
            f"<notification-{pk}@127.0.0.1>": 1
            for pk in Notification.objects.values_list("pk", flat=True)
        }
    )


# --- The database gone for a moment ---------------------------------------------------------


def _write_session(request):
    request.session["seen"] = True  # saved by the session middleware after the view
    return HttpResponse("saved")


def _divide_by_zero(request):
    return HttpResponse(str(1 / 0))


urlpatterns = [
    path("test-only/session/", _write_session),
    path("test-only/bug/", _divide_by_zero),
    path("", include("network.urls")),
]


@pytest.fixture
def guarded(settings):
    """The middleware in the position the settings give it: before sessions and auth."""
    middleware = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE_PATH]
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      MIDDLEWARE_PATH)  # fmt: skip
    settings.MIDDLEWARE = middleware
    settings.ROOT_URLCONF = "tests.reliability.test_faults"


def database_gone(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def assert_friendly_page(response):
    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "Switchboard" in text and "try again in a moment" in text
    assert "Traceback" not in text and "OperationalError" not in text
    assert "server closed the connection" not in text


def test_pages_answer_503_with_a_friendly_page_then_recover(guarded, member, client):
    client.force_login(member)  # the signed-in user is read from the database on every page
    assert client.get("/").status_code == 200

    with connection.execute_wrapper(database_gone):
        response = client.get("/")

    assert_friendly_page(response)
    assert client.get("/").status_code == 200


def test_api_answers_503_in_json_then_recovers(guarded, member, api):
    api.force_authenticate(member)

    with connection.execute_wrapper(database_gone):
        response = api.get("/api/v1/skills/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The service is briefly unavailable; please try again in a moment."
    }
    assert api.get("/api/v1/skills/").status_code == 200


def test_a_session_that_cannot_be_saved_answers_503_not_500(guarded, member, db):
    # The error is raised in the session middleware, after the view; Django turns it into a 500
    # response there, so the middleware recognises it by the signal Django sends.
    client = Client(raise_request_exception=False)
    client.force_login(member)

    with connection.execute_wrapper(database_gone):
        response = client.get("/test-only/session/")

    assert_friendly_page(response)
    assert client.get("/test-only/session/").status_code == 200


def test_other_errors_are_not_swallowed(guarded, db):
    with pytest.raises(ZeroDivisionError):
        Client().get("/test-only/bug/")

    response = Client(raise_request_exception=False).get("/test-only/bug/")
    assert response.status_code == 500


def test_the_503_page_renders_without_a_database(guarded, db):
    from network.middleware import database_unavailable_response

    with connection.execute_wrapper(database_gone):
        response = database_unavailable_response(Client().request().wsgi_request)

    assert_friendly_page(response)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_terminated_database_connection_answers_503_and_the_next_request_reconnects(
    guarded, member, client
):
    """For real: the server ends this process's session (as a restart or failover does)."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL; this run is on " + connection.vendor)
    client.force_login(member)
    assert client.get("/").status_code == 200
    backend_pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    finally:
        other.close()

    assert_friendly_page(client.get("/"))
    assert client.get("/").status_code == 200
    assert connection.connection.info.backend_pid != backend_pid


# --- A crash in the middle of a move --------------------------------------------------------


class PowerCut(Exception):
    pass


@pytest.mark.django_db
def test_a_crash_mid_transition_leaves_the_request_as_it_was(
    intake_coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    request = RequestFactory(status=Request.Status.TRIAGED, version=4)
    consultant = ConsultantFactory()
    before = Request.objects.filter(pk=request.pk).values().get()

    seen_inside = []

    def crash(**fields):
        seen_inside.append(Request.objects.values_list("status", "version").get(pk=request.pk))
        raise PowerCut("the process died after the status was set and the offer written")

    # Routing straight to a consultant sets the status, writes an offer and saves the request
    # before the event is written: the crash comes after all of that. (A context of its own:
    # undoing the whole monkeypatch would also undo the conftest's synchronous task mode.)
    with (
        monkeypatch.context() as patch,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PowerCut),
    ):
        patch.setattr(RequestEvent.objects, "create", crash)
        request_apply(
            request_id=request.pk,
            action="route",
            actor=intake_coordinator,
            version=4,
            consultant=consultant.pk,
        )

    assert seen_inside == [("offered", 5)]  # the move was written when the crash came
    assert Request.objects.filter(pk=request.pk).values().get() == before
    assert not RequestEvent.objects.filter(request=request).exists()
    assert not Offer.objects.filter(request=request).exists()
    assert callbacks == [] and not Notification.objects.exists() and mail.outbox == []

    # The same move, made again, goes through from the old state.
    with django_capture_on_commit_callbacks(execute=True):
        event = request_apply(
            request_id=request.pk,
            action="route",
            actor=intake_coordinator,
            version=4,
            consultant=consultant.pk,
        )
    assert (event.from_status, event.to_status) == ("triaged", "offered")
