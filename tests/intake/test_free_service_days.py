"""Free service days given: counted once when a pro bono request's engagement completes (the
days named at completion, else the estimate over 8 hours), refused on paid requests; what
intake tells matching; and the metrics page and API: pledged, given and left per member and for
the alliance, by year."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from intake import matching_providers
from intake.models import Engagement, Request
from intake.workflow import WorkflowConflict, free_days_default, request_apply
from network import services
from network.models import Consultant
from tests.factories import ConsultantFactory, RequestFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
API = "/api/v1/free-service-days/"
PAGE = "/coordination/metrics/"


def engaged(consultant: Consultant, *, pro_bono=True, estimated_hours=None) -> Request:
    """A request engaged with ``consultant``, its engagement open."""
    request = RequestFactory(
        status=Request.Status.ENGAGED,
        pro_bono=pro_bono,
        estimated_hours=estimated_hours,
        engaged_consultant=consultant,
    )
    Engagement.objects.create(request=request, consultant=consultant)
    return request


def complete(request: Request, actor, **fields):
    return request_apply(
        request_id=request.pk, action="complete", actor=actor, version=None, **fields
    )


def days_given(request: Request):
    return list(request.engagements.values_list("free_days", flat=True))


# --- Counted at completion --------------------------------------------------------------------


def test_the_days_named_at_completion_are_counted_once(intake_coordinator):
    member = ConsultantFactory(status="active")
    request = engaged(member, estimated_hours=40)
    event = complete(request, intake_coordinator, days_given="3.5")
    assert days_given(request) == [Decimal("3.5")]
    assert event.data["free_days"] == "3.5"
    assert matching_providers.free_days_given(YEAR) == {member.pk: Decimal("3.5")}

    # Completing again is refused (409) and counts nothing more.
    with pytest.raises(WorkflowConflict):
        complete(request, intake_coordinator, days_given="5")
    assert days_given(request) == [Decimal("3.5")]
    assert matching_providers.free_days_given(YEAR) == {member.pk: Decimal("3.5")}


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (None, None),
        (8, Decimal("1")),
        (12, Decimal("1.5")),
        (20, Decimal("2.5")),
        (3, Decimal("0.5")),
    ],
)
def test_without_days_named_the_estimate_over_eight_hours_counts(
    intake_coordinator, hours, expected
):
    member = ConsultantFactory(status="active")
    request = engaged(member, estimated_hours=hours)
    assert free_days_default(request) == expected
    complete(request, intake_coordinator)
    assert days_given(request) == [expected]


def test_an_engagement_already_counted_is_not_counted_again(intake_coordinator):
    member = ConsultantFactory(status="active")
    request = engaged(member)
    request.engagements.update(free_days=Decimal("2"))
    complete(request, intake_coordinator, days_given=6)
    assert days_given(request) == [Decimal("2")]


def test_a_paid_request_counts_no_free_days_and_refuses_them(intake_coordinator):
    member = ConsultantFactory(status="active")
    request = engaged(member, pro_bono=False, estimated_hours=40)
    with pytest.raises(ValidationError) as error:
        complete(request, intake_coordinator, days_given=2)
    assert "days_given" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED  # nothing half-written
    complete(request, intake_coordinator)
    assert days_given(request) == [None]


@pytest.mark.parametrize("days", ["-1", "366", "1.2", "lots", "NaN", True])
def test_bad_days_are_refused_and_the_request_stays_engaged(intake_coordinator, days):
    request = engaged(ConsultantFactory(status="active"))
    with pytest.raises(ValidationError) as error:
        complete(request, intake_coordinator, days_given=days)
    assert "days_given" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED and days_given(request) == [None]


@pytest.mark.parametrize(("days", "status"), [("1.3", 400), ("400", 400), ("2.5", 200)])
def test_over_the_api_bad_days_answer_400(api_as, intake_coordinator, days, status):
    request = engaged(ConsultantFactory(status="active"))
    response = api_as(intake_coordinator).post(
        f"/api/v1/requests/{request.pk}/transitions/",
        {"action": "complete", "version": request.version, "days_given": days},
        format="json",
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert "days_given" in response.json()
        assert days_given(request) == [None]
    else:
        assert days_given(request) == [Decimal("2.5")]


def test_the_completion_form_asks_the_days_on_pro_bono_requests_only(client, intake_coordinator):
    member = ConsultantFactory(status="active")
    pro_bono, paid = engaged(member, estimated_hours=16), engaged(member, pro_bono=False)
    client.force_login(intake_coordinator)
    assert (
        b'name="complete-days_given"'
        in client.get(reverse("intake-request", args=[pro_bono.pk])).content
    )
    assert (
        b'name="complete-days_given"'
        not in client.get(reverse("intake-request", args=[paid.pk])).content
    )
    response = client.post(
        reverse("intake-transition", args=[pro_bono.pk, "complete"]),
        {
            "complete-version": pro_bono.version,
            "complete-confirm": "on",
            "complete-days_given": "1.5",
        },
    )
    assert response.status_code == 302
    assert days_given(pro_bono) == [Decimal("1.5")]


# --- Metrics ----------------------------------------------------------------------------------


@pytest.fixture
def year_of_free_days(intake_coordinator):
    """Ada pledged 10 and gave 3 + 2.5; Ben pledged 4 and gave 6 (over his pledge); Cy pledged
    2 and gave none; Dee gave 1 without a pledge; last year's days count for last year."""
    ada, ben, cy, dee = (
        ConsultantFactory(status="active", display_name=name)
        for name in ("Ada", "Ben", "Cy", "Dee")
    )
    services.pledge_set(consultant=ada, year=YEAR, days=10)
    services.pledge_set(consultant=ben, year=YEAR, days=4)
    services.pledge_set(consultant=cy, year=YEAR, days=2)
    services.pledge_set(consultant=ada, year=YEAR - 1, days=20)
    for member, days in ((ada, "3"), (ada, "2.5"), (ben, "6"), (dee, "1")):
        complete(engaged(member), intake_coordinator, days_given=days)
    last_year = engaged(ada)
    complete(last_year, intake_coordinator, days_given="7")
    last_year.engagements.update(
        start=datetime.date(YEAR - 1, 12, 1), end=datetime.date(YEAR - 1, 12, 31)
    )
    return ada, ben, cy, dee


def test_the_api_gives_pledged_given_and_left_per_member_and_in_all(
    api_as, intake_coordinator, year_of_free_days
):
    answer = api_as(intake_coordinator).get(API)
    assert answer.status_code == 200
    body = answer.json()
    assert [(m["name"], m["pledged"], m["given"], m["left"]) for m in body["members"]] == [
        ("Ada", 10.0, 5.5, 4.5),
        ("Ben", 4.0, 6.0, 0.0),
        ("Cy", 2.0, 0.0, 2.0),
        ("Dee", 0.0, 1.0, 0.0),
    ]
    assert (body["year"], body["pledged"], body["given"], body["left"]) == (YEAR, 16.0, 12.5, 6.5)

    last = api_as(intake_coordinator).get(API, {"year": YEAR - 1}).json()
    assert [(m["name"], m["pledged"], m["given"], m["left"]) for m in last["members"]] == [
        ("Ada", 20.0, 7.0, 13.0)
    ]


@pytest.mark.parametrize("year", ["last", "1999", "2101", "20.5"])
def test_a_bad_year_is_a_400(api_as, client, intake_coordinator, year):
    assert api_as(intake_coordinator).get(API, {"year": year}).status_code == 400
    client.force_login(intake_coordinator)
    assert client.get(PAGE, {"year": year}).status_code == 400


def test_only_coordinators_read_the_figures(api_as, member, intake_coordinator, group_coordinator):
    assert api_as(member).get(API).status_code == 403
    assert api_as(group_coordinator).get(API).status_code == 200
    alumnus = ConsultantFactory(status="alumni").user
    assert api_as(alumnus).get(API).status_code == 403


def test_the_page_shows_the_year_with_totals_and_an_empty_year(
    client, intake_coordinator, year_of_free_days
):
    client.force_login(intake_coordinator)
    html = client.get(PAGE).content.decode()
    table = html[html.index('id="free-days"') :]
    table = table[: table.index("</table>")]
    rows = [
        [cell.strip() for cell in row]
        for row in re.findall(
            r"<t[hd][^>]*>([^<]*)</t[hd]>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>",
            table,
        )
    ]
    assert rows == [
        ["Ada", "10", "5.5", "4.5"],
        ["Ben", "4", "6", "0"],
        ["Cy", "2", "0", "2"],
        ["Dee", "0", "1", "0"],
        ["The alliance", "16", "12.5", "6.5"],
    ]
    empty = client.get(PAGE, {"year": YEAR + 1}).content.decode()
    assert 'id="free-days-empty"' in empty and f"in {YEAR + 1}" in empty


def test_the_figures_cost_the_same_queries_however_many_members(
    api_as, intake_coordinator, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            member = ConsultantFactory(status="active")
            services.pledge_set(consultant=member, year=YEAR, days=3)
            complete(engaged(member), intake_coordinator, days_given=1)

    api = api_as(intake_coordinator)
    grow(2)
    # Roles, the member record, the pledges, the days given.
    with django_assert_max_num_queries(4):
        assert len(api.get(API).json()["members"]) == 2
    grow(10)
    with django_assert_max_num_queries(4):
        assert len(api.get(API).json()["members"]) == 12


# --- The request page's suggestions -----------------------------------------------------------


@pytest.mark.usefixtures("fresh_index")
def test_the_suggestions_explain_the_free_days_on_pro_bono_requests_only(intake_coordinator):
    from intake.matching_panel import match_panel_for
    from tests.factories import ConsultantSkillFactory, SkillFactory

    wordpress = SkillFactory(name="WordPress")
    ada = ConsultantFactory(status="active", display_name="Ada")
    ConsultantSkillFactory(consultant=ada, skill=wordpress, level=4)
    services.pledge_set(consultant=ada, year=YEAR, days=10)

    def bars(pro_bono):
        request = RequestFactory(
            status=Request.Status.TRIAGED, skills=["WordPress"], pro_bono=pro_bono
        )
        panel = match_panel_for(intake_coordinator, request)
        return {bar.name: bar for bar in panel.rows[0].factors}

    pro_bono = bars(True)
    assert pro_bono["free_days_left"].label.startswith("Free service days left this year")
    assert pro_bono["free_days_left"].percent == 100
    assert sum(bar.weight for bar in pro_bono.values()) == pytest.approx(1)
    paid = bars(False)
    assert "free_days_left" not in paid
    assert paid["skill_coverage"].weight == pytest.approx(0.45)
