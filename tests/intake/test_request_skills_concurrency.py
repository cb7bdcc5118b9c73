"""Two coordinators changing one request's skills at the same moment (PostgreSQL row locks;
SQLite serialises whole transactions and proves nothing): the row lock in
``request_skills_edit`` queues the second behind the first, whose version has then moved on, so
it is refused and one edit, one event, is kept. Without the lock both would read version N, both
pass the check, and the second would overwrite the first's lists."""

import pytest

from intake.models import Request, RequestEvent
from intake.workflow import WorkflowConflict, request_skills_edit
from tests.factories import RequestFactory, SkillFactory
from tests.intake.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (set DATABASE_URL)")


def test_two_skill_edits_on_the_same_version_one_wins(intake_coordinator, admin):
    SkillFactory(name="Microsoft Excel")
    SkillFactory(name="Mail merges")
    for _ in range(3):
        request = RequestFactory(status=Request.Status.TRIAGED, version=7)

        def edit(actor, name, request=request):
            return lambda: request_skills_edit(
                request_id=request.pk, actor=actor, version=7, confirm=[name]
            )

        results, errors = race(
            [edit(intake_coordinator, "Microsoft Excel"), edit(admin, "Mail merges")]
        )

        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], WorkflowConflict), errors
        saved, change = results[0]
        request.refresh_from_db()
        assert request.version == 8
        assert request.confirmed_skills == change.confirmed
        assert RequestEvent.objects.filter(request=request, action="skills_edit").count() == 1
