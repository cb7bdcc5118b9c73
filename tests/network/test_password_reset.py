"""Password reset by email tells nobody who has an account, not even by how long it takes: the
request only puts the address on the task queue, whatever the address; the task looks it up
and sends the link. The hourly limits and the single answer for every address still hold, and
neither a broker nor a mail server that fails changes what the person sees.

Most tests keep the queue (``queue_kept``: django-q2's ORM broker in the test database, no
inline run), so what the request itself did is separate from what the task does afterwards."""

import logging
import re
import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from django_q import tasks as django_q_tasks
from django_q.conf import Conf
from django_q.models import OrmQ

from network.models import User
from tests.factories import UserFactory
from tests.helpers import without_csrf_token

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"
NEW_PASSWORD = "a brand new long passphrase"
UNKNOWN = "nobody@elsewhere.example"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queue_kept(monkeypatch):
    """Tasks wait on the ORM broker's queue (in the test database) instead of running inline."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")


def queued() -> list[dict]:
    return [row.task for row in OrmQ.objects.order_by("pk")]


def run_queued() -> None:
    """What the cluster would do: run each queued task once."""
    for task in queued():
        import_string(task["func"])(*task["args"], **task["kwargs"])
    OrmQ.objects.all().delete()


def ask(email: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email}, follow=True)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_the_request_queues_the_mail_and_does_not_send_it_itself(member, queue_kept):
    page = ask(member.email)

    assert page.redirect_chain == [(SENT, 302)]
    assert mail.outbox == []  # the request never spoke to the mail server
    assert [(task["func"], task["args"]) for task in queued()] == [
        ("network.passwords.password_reset_email_send", (member.email,))
    ]

    run_queued()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/\S+/)", mail.outbox[0].body)
    form = Client().get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content


def test_a_known_and_an_unknown_address_cost_the_request_the_same(member, queue_kept):
    with CaptureQueriesContext(connection) as known_queries:
        known = ask(member.email, "192.0.2.1")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = ask(UNKNOWN, "192.0.2.2")

    assert without_csrf_token(unknown.content) == without_csrf_token(known.content)
    assert unknown.redirect_chain == known.redirect_chain
    # The same statements: nothing looks the address up before the task runs.
    assert [q["sql"].split(" ")[0] for q in unknown_queries] == [
        q["sql"].split(" ")[0] for q in known_queries
    ]
    assert not any("network_user" in q["sql"] for q in known_queries.captured_queries)
    assert mail.outbox == []
    assert [task["args"] for task in queued()] == [(member.email,), (UNKNOWN,)]

    run_queued()

    assert [message.to for message in mail.outbox] == [[member.email]]


def test_accounts_that_cannot_reset_get_no_mail_from_the_task(queue_kept):
    inactive = UserFactory(email="gone@members.test", is_active=False)
    no_password = UserFactory(email="sso@members.test")
    no_password.set_unusable_password()
    no_password.save()

    for email in (inactive.email, no_password.email):
        assert ask(email).redirect_chain == [(SENT, 302)]
    run_queued()

    assert mail.outbox == []


def test_the_link_points_at_the_site_url_not_the_host_the_request_named(
    member, queue_kept, settings
):
    settings.SITE_URL = "https://switchboard.example.org"

    ask(member.email)
    run_queued()

    assert "https://switchboard.example.org/accounts/password-reset/" in mail.outbox[0].body
    assert "testserver" not in mail.outbox[0].body


def test_the_hourly_limit_per_address_still_holds_with_the_queue(member, queue_kept, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    pages = [ask(member.email, f"192.0.2.{n}") for n in range(4)]

    assert len(queued()) == 2
    assert len({without_csrf_token(page.content) for page in pages}) == 1
    run_queued()
    assert len(mail.outbox) == 2


def test_the_hourly_limit_per_client_still_refuses_with_429_and_queues_nothing(
    member, queue_kept, settings
):
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 1
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert client.post(RESET, {"email": UNKNOWN}).status_code == 302

    refused = client.post(RESET, {"email": member.email})

    assert refused.status_code == 429
    assert [task["args"] for task in queued()] == [(UNKNOWN,)]


def test_a_broker_that_cannot_be_reached_changes_nothing_the_person_sees(
    member, monkeypatch, caplog
):
    unknown = without_csrf_token(ask(UNKNOWN).content)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(django_q_tasks, "async_task", broker_down)
    caplog.set_level(logging.ERROR)

    known = ask(member.email)

    assert known.redirect_chain == [(SENT, 302)]
    assert without_csrf_token(known.content) == unknown
    assert mail.outbox == []
    assert "Could not queue a password reset email" in caplog.text
    assert member.email not in caplog.text


def test_a_mail_server_that_refuses_changes_nothing_the_person_sees(member, settings, caplog):
    # The test settings run tasks inline: the task's failure happens inside this request.
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    caplog.set_level(logging.ERROR)
    unknown = ask(UNKNOWN)

    known = ask(member.email)

    assert known.redirect_chain == unknown.redirect_chain == [(SENT, 302)]
    assert without_csrf_token(known.content) == without_csrf_token(unknown.content)
    assert "Failed to send password reset email" in caplog.text
    assert member.email not in caplog.text
    # The account is as it was, and a later request can still reset it.
    assert User.objects.get(pk=member.pk).password == member.password
