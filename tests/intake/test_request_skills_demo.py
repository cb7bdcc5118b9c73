"""The product check on the demo alliance (``seed_demo`` and ``seed_demo_requests``): no open
demo request is proposed for referral, a new request naming skills a working member holds is
not, its description's mentions stay suggestions, and a request naming skills nobody holds is.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from intake import services as intake_services
from intake.models import Request
from intake.selectors import request_matches
from intake.workflow import request_apply
from matching import adapter
from network.models import Consultant, ConsultantSkill, User

pytestmark = pytest.mark.django_db

REFER_PANEL = "Nobody in the network fits"


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_demo_requests", stdout=io.StringIO())
    adapter.forget_index()
    cache.clear()
    yield User.objects.get(username="intake")
    adapter.forget_index()


def triaged(desk, *, title: str, description: str, skills: list[str]) -> Request:
    request = intake_services.request_submit(
        organization_name="Riverside Food Bank",
        contact_name="Office desk",
        contact_email="office@riverside-food-bank.example.org",
        title=title,
        description=description,
        skills=skills,
    ).request
    for action in ("contact", "triage"):
        request_apply(request_id=request.pk, action=action, actor=desk, version=None)
    return Request.objects.get(pk=request.pk)


def held_by_working_members() -> set[str]:
    return set(
        ConsultantSkill.objects.filter(
            consultant__status__in=Consultant.WORKING_STATUSES
        ).values_list("skill__name", flat=True)
    )


def test_no_open_demo_request_is_proposed_for_referral(client, demo):
    client.force_login(demo)
    open_requests = list(Request.objects.filter(status__in=Request.OPEN_STATUSES))
    assert len(open_requests) == 6  # the demo's queue: all but engaged and referred out

    for client_request in open_requests:
        result = request_matches(client_request)
        assert not result.refer_out, (client_request.title, result.refer_out_reason)
        page = client.get(f"/coordination/requests/{client_request.pk}/")
        assert page.status_code == 200
        assert REFER_PANEL not in page.content.decode(), client_request.title


def test_the_food_bank_request_is_not_referred_and_its_mentions_are_suggestions(client, demo):
    food_bank = triaged(
        demo,
        title="Clean up our donor database",
        description=(
            "Our donor records live in our old Excel spreadsheets and we do mail merges for "
            "the thank-you letters. One of our volunteers uses a screen reader."
        ),
        skills=["Salesforce Nonprofit Success Pack", "data cleanup", "donor database management"],
    )

    result = request_matches(food_bank)

    required = [match.skill for match in result.normalized_skills]
    mentioned = [match.skill for match in result.mentioned_skills]
    assert required == [
        "Salesforce Nonprofit Success Pack",
        "Data cleanup",
        "Donor database management",
    ]
    assert {"Microsoft Excel", "Mail merges"} <= set(mentioned)
    assert not set(mentioned) & set(required)
    assert not result.refer_out, result.refer_out_reason
    assert result.candidates[0].name.startswith("Member 01")
    client.force_login(demo)
    html = client.get(f"/coordination/requests/{food_bank.pk}/").content.decode()
    assert REFER_PANEL not in html
    assert 'name="skills-confirm" value="Microsoft Excel"' in html


def test_a_request_naming_a_working_members_skills_is_not_referred(demo):
    member = (
        Consultant.objects.filter(status=Consultant.Status.ACTIVE, skills__level__gte=3)
        .order_by("pk")
        .first()
    )
    strongest = list(
        member.skills.order_by("-level", "skill__name").values_list("skill__name", flat=True)[:2]
    )
    request = triaged(
        demo, title="Help with our systems", description="We need a hand.", skills=strongest
    )

    result = request_matches(request)

    assert [match.skill for match in result.normalized_skills] == strongest
    assert not result.refer_out, result.refer_out_reason
    assert member.pk in [candidate.consultant_id for candidate in result.candidates]


def test_a_request_naming_skills_nobody_holds_is_referred(client, demo):
    wanted = ["Kubernetes", "Machine learning"]
    assert not set(wanted) & held_by_working_members()
    request = triaged(
        demo, title="A model on our cluster", description="Train and host it.", skills=wanted
    )

    result = request_matches(request)

    assert result.refer_out
    assert result.unheld_skills == wanted
    assert "No working member holds: Kubernetes, Machine learning." in result.refer_out_reason
    client.force_login(demo)
    html = client.get(f"/coordination/requests/{request.pk}/").content.decode()
    assert REFER_PANEL in html
