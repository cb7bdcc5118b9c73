"""Swapping on-call weeks: offered by the member on duty, accepted or declined by the member
asked; refused when it would put someone on a week they are away; a stale answer is a 409; an
outsider is refused. Through the services, the API and the page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from network import rota, services
from network.errors import Conflict
from network.models import Consultant, RotaSwap, RotaWeek, User
from tests.factories import ConsultantFactory, TimeAwayFactory

TODAY = datetime.date(2026, 12, 1)
WEEK_A = datetime.date(2027, 1, 4)
WEEK_B = datetime.date(2027, 1, 11)


@pytest.fixture
def pair(db):
    first = ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE)
    second = ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE)
    week = RotaWeek.objects.create(start=WEEK_A, consultant=first)
    other = RotaWeek.objects.create(start=WEEK_B, consultant=second)
    return first, second, week, other


def _propose(first, week, other):
    return services.rota_swap_propose(
        actor=first, week_id=week.pk, other_week_id=other.pk, today=TODAY
    )


def test_an_accepted_swap_trades_the_weeks(pair):
    first, second, week, other = pair
    swap = _propose(first, week, other)
    assert swap.partner == second and swap.status == RotaSwap.Status.PROPOSED

    swap = services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=True, today=TODAY)

    assert swap.status == RotaSwap.Status.ACCEPTED
    assert RotaWeek.objects.get(pk=week.pk).consultant == second
    assert RotaWeek.objects.get(pk=other.pk).consultant == first


def test_a_declined_swap_leaves_the_weeks(pair):
    first, second, week, other = pair
    swap = _propose(first, week, other)
    swap = services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=False, today=TODAY)
    assert swap.status == RotaSwap.Status.DECLINED
    assert RotaWeek.objects.get(pk=week.pk).consultant == first


def test_a_swap_onto_a_week_away_is_refused(pair):
    first, second, week, other = pair
    TimeAwayFactory(
        consultant=first,
        start=WEEK_B + datetime.timedelta(days=2),
        end=WEEK_B + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError, match="away"):
        _propose(first, week, other)


def test_accepting_after_the_member_went_away_is_refused(pair):
    first, second, week, other = pair
    swap = _propose(first, week, other)
    TimeAwayFactory(consultant=second, start=WEEK_A, end=WEEK_A)
    with pytest.raises(ValidationError, match="away"):
        services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=True, today=TODAY)
    assert RotaSwap.objects.get(pk=swap.pk).status == RotaSwap.Status.PROPOSED


def test_a_stale_answer_is_a_conflict(pair):
    first, second, week, other = pair
    swap = _propose(first, week, other)
    services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=False, today=TODAY)
    with pytest.raises(Conflict):
        services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=True, today=TODAY)


def test_weeks_that_changed_hands_make_the_answer_stale(pair):
    first, second, week, other = pair
    swap = _propose(first, week, other)
    third = ConsultantFactory(on_call_opt_in=True)
    RotaWeek.objects.filter(pk=other.pk).update(consultant=third)
    with pytest.raises(Conflict):
        services.rota_swap_answer(actor=second, swap_id=swap.pk, accept=True, today=TODAY)


def test_only_the_two_members_may_act(pair):
    first, second, week, other = pair
    outsider = ConsultantFactory(on_call_opt_in=True)
    with pytest.raises(PermissionDenied):
        services.rota_swap_propose(
            actor=outsider, week_id=week.pk, other_week_id=other.pk, today=TODAY
        )
    swap = _propose(first, week, other)
    with pytest.raises(PermissionDenied):
        services.rota_swap_answer(actor=outsider, swap_id=swap.pk, accept=True, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.rota_swap_answer(actor=first, swap_id=swap.pk, accept=True, today=TODAY)
    swap = services.rota_swap_answer(actor=first, swap_id=swap.pk, accept=False, today=TODAY)
    assert swap.status == RotaSwap.Status.WITHDRAWN


def test_a_newcomer_is_not_swapped_onto_a_holiday_week(pair):
    first, second, week, other = pair
    RotaWeek.objects.filter(pk=other.pk).update(hard=True)
    Consultant.objects.filter(pk=first.pk).update(status=Consultant.Status.PROBATION)
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="holiday"):
        _propose(first, week, RotaWeek.objects.get(pk=other.pk))


# --- Through the API and the page (weeks in the future of the real today) -------------------


@pytest.fixture
def coming_pair(db):
    monday = rota.monday_of(timezone.localdate()) + rota.WEEK * 2
    first = ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE)
    second = ConsultantFactory(on_call_opt_in=True, status=Consultant.Status.ACTIVE)
    week = RotaWeek.objects.create(start=monday, consultant=first)
    other = RotaWeek.objects.create(start=monday + rota.WEEK, consultant=second)
    return first, second, week, other


def _api(client, consultant):
    client.force_login(User.objects.get(pk=consultant.user_id))
    return client


def test_api_propose_accept_and_stale(client, coming_pair):
    first, second, week, other = coming_pair
    response = _api(client, first).post(
        "/api/v1/rota/swaps/",
        {"week": week.pk, "other_week": other.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    swap_id = response.json()["id"]
    answer = f"/api/v1/rota/swaps/{swap_id}/answer/"
    assert client.post(answer, {"accept": True}, content_type="application/json").status_code == (
        403
    )
    _api(client, second)
    response = client.post(answer, {"accept": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = client.post(answer, {"accept": False}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["status"] == "accepted"


def test_api_refuses_a_week_away_with_400(client, coming_pair):
    first, second, week, other = coming_pair
    TimeAwayFactory(consultant=first, start=other.start, end=other.start)
    response = _api(client, first).post(
        "/api/v1/rota/swaps/",
        {"week": week.pk, "other_week": other.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "away" in str(response.json())


def test_api_outsider_gets_403(client, coming_pair):
    first, second, week, other = coming_pair
    swap = services.rota_swap_propose(actor=first, week_id=week.pk, other_week_id=other.pk)
    outsider = ConsultantFactory(status=Consultant.Status.ACTIVE)
    response = _api(client, outsider).post(
        f"/api/v1/rota/swaps/{swap.pk}/answer/", {"accept": True}, content_type="application/json"
    )
    assert response.status_code == 403


def test_page_offer_and_decline(client, coming_pair):
    first, second, week, other = coming_pair
    response = _api(client, first).post("/rota/swaps/", {"week": week.pk, "other_week": other.pk})
    assert response.status_code == 302
    swap = RotaSwap.objects.get()
    page = _api(client, second).get("/rota/")
    assert f"/rota/swaps/{swap.pk}/answer/" in page.content.decode()
    response = client.post(f"/rota/swaps/{swap.pk}/answer/", {"answer": "decline"})
    assert response.status_code == 302
    assert RotaSwap.objects.get().status == RotaSwap.Status.DECLINED
    assert client.post(f"/rota/swaps/{swap.pk}/answer/", {"answer": "accept"}).status_code == 409


def test_page_refuses_a_week_away_with_400(client, coming_pair):
    first, second, week, other = coming_pair
    TimeAwayFactory(consultant=second, start=week.start, end=week.start)
    response = _api(client, first).post("/rota/swaps/", {"week": week.pk, "other_week": other.pk})
    assert response.status_code == 400
    assert "away" in response.content.decode()
    assert not RotaSwap.objects.exists()
