"""Two coordinators changing a member's status at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from network.models import Consultant, ConsultantStatusChange
from network.services import consultant_set_status
from tests.factories import ConsultantFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_leave_an_unbroken_history():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; this run is on " + connection.vendor)
    consultant = ConsultantFactory(status=Consultant.Status.ACTIVE)
    targets = [Consultant.Status.ON_LEAVE, Consultant.Status.ALUMNI] * 4
    barrier = threading.Barrier(len(targets))
    errors = []

    def change(status):
        try:
            barrier.wait()
            consultant_set_status(
                consultant=Consultant.objects.get(pk=consultant.pk), status=status, reason="race"
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(status,)) for status in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    history = list(
        ConsultantStatusChange.objects.filter(consultant=consultant, reason="race").order_by("pk")
    )
    # Without the row lock two writers read the same old status and the chain breaks:
    # each recorded from_status must be the previous row's to_status.
    previous = Consultant.Status.ACTIVE
    for row in history:
        assert row.from_status == previous
        previous = row.to_status
    consultant.refresh_from_db()
    assert consultant.status == previous
