"""The fuzzed world: the demo alliance seeded once per module, API tokens for each role, and
the WSGI application reached in-process inside the test's transaction."""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction

from intake.bids.models import Bid, BidMember
from matching.adapter import forget_index
from network.authentication import api_token_issue
from network.models import Consultant, ConsultantGroup, User


@dataclass(frozen=True)
class FuzzWorld:
    """Who is who in the seeded demo: an API token per role (None for anonymous)."""

    tokens: dict[str, str | None]

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens[role]
        return {"Authorization": f"Token {token}"} if token else {}


def _demo_member() -> User:
    """An active member who coordinates no group and holds a seat on a bid, so the bid
    endpoints answer them with real rows rather than only 404s."""
    coordinators = ConsultantGroup.objects.values("coordinator_id")
    seat = (
        BidMember.objects.filter(consultant__status=Consultant.Status.ACTIVE)
        .exclude(consultant__in=coordinators)
        .exclude(consultant__user__groups__isnull=False)
        .select_related("consultant__user")
        .order_by("bid_id", "pk")
        .first()
    )
    return seat.consultant.user


def _demo_group_coordinator() -> User:
    group = ConsultantGroup.objects.select_related("coordinator__user").order_by("pk").first()
    return group.coordinator.user


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The demo (skills, alliance, requests at every stage, a bid out for signature, the
    starter handbook), seeded once for the module and rolled back after it.

    Seeding takes seconds, far longer than a fuzzed operation, so it is not repeated per test:
    it runs inside an outer transaction, each test's own transaction nests in it as a savepoint
    (pytest-django), and whatever a test's examples write is undone when the test ends.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        quiet = StringIO()
        call_command("load_skills", stdout=quiet)
        call_command("seed_demo", stdout=quiet)
        call_command("seed_demo_requests", stdout=quiet)
        assert Bid.objects.exists(), "the demo should have a bid for the bid endpoints"
        users = {
            "member": _demo_member(),
            "group_coordinator": _demo_group_coordinator(),
            "intake": User.objects.get(username="intake"),
            "community": User.objects.get(username="community"),
            "admin": User.objects.get(username="admin"),
        }
        tokens: dict[str, str | None] = {"anonymous": None}
        for role, user in users.items():
            tokens[role] = api_token_issue(user=user)[1]
        yield FuzzWorld(tokens=tokens)
        transaction.set_rollback(True)
    # The matching index and throttle counters describe rows that no longer exist.
    cache.clear()
    forget_index()


@pytest.fixture
def fuzz_app(fuzz_world, db, settings):
    """The project's WSGI application, as a server runs it, but on the test's connection.

    A WSGI handler closes "old" connections when a request starts and finishes; inside a test's
    transaction that would drop the connection and the transaction with it, so the signal is
    disconnected while fuzzing, as Django's own test client does.
    """
    # Public submissions are throttled per address (REQUEST_SUBMIT_RATE); every fuzzed request
    # comes from one address, and 429s would hide what the handler does with the body.
    settings.REQUEST_SUBMIT_RATE = "100000/hour"
    cache.clear()
    forget_index()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
