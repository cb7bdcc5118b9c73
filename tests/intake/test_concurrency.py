"""Two coordinators acting on one request at the same moment, and two clients submitting at the
same moment (PostgreSQL row locks; SQLite serialises whole transactions and proves nothing).

Each thread waits at a barrier, then calls the service with the version both of them saw. The
row lock in ``request_apply`` queues the second behind the first; once it gets the row, the
version has moved on and it is refused. Without the lock both read version N, both pass the
check, and two events are written for one move.
"""

import pytest
from django.db import connection

from intake.models import Request, RequestEvent
from intake.services import request_submit
from intake.workflow import WorkflowConflict, request_apply
from tests.factories import RequestFactory
from tests.intake.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks are exercised on PostgreSQL (set DATABASE_URL); SQLite locks the whole "
            "database, so this run on " + connection.vendor + " would prove nothing"
        )


@pytest.mark.parametrize(
    "actions",
    [("contact", "contact"), ("triage", "mark_spam"), ("contact", "mark_spam")],
    ids=lambda actions: "-vs-".join(actions),
)
def test_two_coordinators_on_the_same_version_one_wins(intake_coordinator, admin, actions):
    status = Request.Status.CONTACTED if "triage" in actions else Request.Status.SUBMITTED
    first, second = actions
    # Several rounds: a race that happens to serialise once proves little.
    for _ in range(3):
        request = RequestFactory(status=status, version=7)

        def move(action, actor, request=request):
            return lambda: request_apply(
                request_id=request.pk, action=action, actor=actor, version=7
            )

        results, errors = race([move(first, intake_coordinator), move(second, admin)])

        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], WorkflowConflict), errors
        winner = results[0]
        assert (errors[0].status, errors[0].version) == (winner.to_status, 8)
        request.refresh_from_db()
        assert (request.status, request.version) == (winner.to_status, 8)
        assert list(RequestEvent.objects.filter(request=request)) == [winner]


def test_many_coordinators_on_the_same_version_exactly_one_wins(intake_coordinator, admin):
    request = RequestFactory(status=Request.Status.SUBMITTED, version=1)
    actors = [intake_coordinator, admin] * 4
    results, errors = race(
        [
            (
                lambda actor=actor: request_apply(
                    request_id=request.pk, action="contact", actor=actor, version=1
                )
            )
            for actor in actors
        ]
    )
    assert len(results) == 1
    assert len(errors) == len(actors) - 1
    assert all(isinstance(error, WorkflowConflict) for error in errors), errors
    request.refresh_from_db()
    assert (request.version, request.events.count()) == (2, 1)


def test_concurrent_submissions_never_share_a_reference():
    def submit(n):
        return lambda: request_submit(
            organization_name=f"Organisation {n}",
            organization_website=f"https://org{n}.example.org",
            contact_name=f"Contact {n}",
            contact_email=f"contact@org{n}.example.org",
            title=f"Request {n}",
            description="Help.",
        )

    # The first submissions of a year also race to create the year's counter row.
    results, errors = race([submit(n) for n in range(8)])
    assert errors == []
    references = sorted(submission.request.reference for submission in results)
    year = references[0].split("-")[1]
    assert references == [f"REQ-{year}-{n:04d}" for n in range(1, 9)]


def test_concurrent_first_submissions_from_one_organisation_share_it():
    def submit(n):
        return lambda: request_submit(
            organization_name="Neighbourhood Tool Library",
            contact_name=f"Contact {n}",
            contact_email=f"contact{n}@tools.example.org",
            title=f"Request {n}",
            description="Help.",
        )

    results, errors = race([submit(n) for n in range(4)])
    assert errors == []
    assert len({submission.request.organization_id for submission in results}) == 1
