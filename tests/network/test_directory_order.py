"""The directory lists the members who can take work first (active and on probation), then
members on leave, applicants (coordinators only), alumni and former members, each by name;
the page and the API agree, and an ordering the caller asks for replaces it."""

import pytest

from network.models import Consultant
from network.services import languages_ensure
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db

Status = Consultant.Status


@pytest.fixture
def alliance():
    """Names chosen so that alphabetical order would put the alumni first."""
    languages_ensure()
    for name, status in [
        ("Alumnus A", Status.ALUMNI),
        ("Alumnus B", Status.ALUMNI),
        ("Applicant C", Status.APPLICANT),
        ("Former D", Status.FORMER),
        ("Leave E", Status.ON_LEAVE),
        ("Working F", Status.ACTIVE),
        ("Working G", Status.PROBATION),
        ("Working H", Status.ACTIVE),
    ]:
        ConsultantFactory(display_name=name, status=status)


WORKING_FIRST = ["Working F", "Working G", "Working H", "Leave E", "Alumnus A", "Alumnus B"]


def test_the_api_lists_working_members_first(api_as, alliance):
    viewer = Consultant.objects.get(display_name="Working F").user

    names = [
        row["display_name"] for row in api_as(viewer).get("/api/v1/consultants/").json()["results"]
    ]

    assert names == [*WORKING_FIRST, "Former D"]


def test_coordinators_see_applicants_after_members_on_leave(api_as, alliance, intake_coordinator):
    names = [
        row["display_name"]
        for row in api_as(intake_coordinator).get("/api/v1/consultants/").json()["results"]
    ]

    ours = [name for name in names if name in {*WORKING_FIRST, "Applicant C", "Former D"}]
    assert ours == [*WORKING_FIRST[:4], "Applicant C", *WORKING_FIRST[4:], "Former D"]


def test_an_ordering_the_caller_asks_for_replaces_it(api_as, alliance):
    viewer = Consultant.objects.get(display_name="Working F").user

    response = api_as(viewer).get("/api/v1/consultants/", {"ordering": "display_name"})

    names = [row["display_name"] for row in response.json()["results"]]
    assert names == sorted(names)


def test_the_directory_page_lists_working_members_first(client, alliance):
    client.force_login(Consultant.objects.get(display_name="Working F").user)

    page = client.get("/members/").content.decode()

    positions = [page.index(name) for name in [*WORKING_FIRST, "Former D"]]
    assert positions == sorted(positions)
