"""Two votes on changes to the same policy closing at the same moment (PostgreSQL row locks):
one change is adopted, the other kept as not adopted; the page never takes both."""

import threading

import pytest
from django.db import connection, connections

from handbook import proposals, services
from handbook.models import Page, Proposal
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import fresh


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_passed_changes_closing_together_adopt_exactly_one():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; this run is on " + connection.vendor)
    members = [ConsultantFactory(status=Consultant.Status.ACTIVE).user for _ in range(3)]
    policy = services.page_create(
        actor=members[0], title="Cover policy", body="Cover.\n", category=Page.Category.POLICY
    )
    made = []
    for number, author in enumerate(members[:2]):
        proposal = proposals.proposal_create(
            actor=author,
            page_id=policy.pk,
            base_revision=policy.latest_revision_id,
            body=f"Cover, version {number}.\n",
        )
        for voter in members:
            services.vote_cast(actor=fresh(voter), decision_id=proposal.decision_id, choice="for")
        made.append((author, proposal))
    barrier = threading.Barrier(len(made))
    errors = []

    def close(author, proposal):
        try:
            barrier.wait()
            proposals.decision_close(actor=fresh(author), decision_id=proposal.decision_id)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=pair) for pair in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = sorted(Proposal.objects.values_list("status", flat=True))
    assert statuses == [Proposal.Status.ADOPTED, Proposal.Status.SUPERSEDED]
    policy.refresh_from_db()
    assert policy.revisions.count() == 2
    adopted = Proposal.objects.get(status=Proposal.Status.ADOPTED)
    assert policy.body == adopted.body and policy.latest_revision_id == adopted.revision_id
