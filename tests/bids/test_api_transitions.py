"""``POST /api/v1/bids/<id>/transitions/``: every move of a bid through one endpoint (``action``,
``version`` and the move's fields), as a request's moves go through theirs; and the paths each
move had before it, which answer as they did and which the schema marks deprecated."""

import pytest

from intake.bids import states
from intake.bids.models import Bid, BidEvent
from intake.models import Request
from tests.bids.api_helpers import bid_url, draft_bid, signed_bid, snapshot
from tests.helpers import api_schema_document, assert_matches_schema

pytestmark = pytest.mark.django_db

B = Bid.Status
TRANSITIONS = "POST /api/v1/bids/{id}/transitions/"
# The paths of the moves before transitions/, and the action each one is.
OLD_PATHS = {"send/": "send", "withdraw/": "withdraw", "submit/": "submit",
             "outcome/": "win or lose", "start/": "start"}  # fmt: skip


def transition(client, bid, action, version=None, **fields):
    body = {"action": action, "version": bid.version if version is None else version, **fields}
    return client.post(bid_url(bid.pk, "transitions/"), body, format="json")


def stage_for(action, lead, second, coordinator) -> Bid:
    """A bid in a status ``action`` may start from, built through the services."""
    if action in ("send", "withdraw"):
        return draft_bid(lead, second)
    bid = signed_bid(lead, second)
    if action == "submit":
        return bid
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    if action in ("win", "lose"):
        return Bid.objects.get(pk=bid.pk)
    states.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    return Bid.objects.get(pk=bid.pk)


@pytest.mark.parametrize(
    "action, target, request_status",
    [
        ("send", B.AGREEMENT_OUT, Request.Status.BIDDING),
        ("withdraw", B.WITHDRAWN, Request.Status.BIDDING),
        ("submit", B.SUBMITTED, Request.Status.BID_SUBMITTED),
        ("win", B.WON, Request.Status.ENGAGED),
        ("lose", B.LOST, Request.Status.LOST),
        ("start", B.IN_PROGRESS, Request.Status.ENGAGED),
    ],
)
def test_each_move_is_made_and_answers_the_bid(
    api_as, intake_coordinator, lead, second, action, target, request_status
):
    bid = stage_for(action, lead, second, intake_coordinator)
    mover = intake_coordinator if action in ("win", "lose") else lead.user
    fields = {"note": "As agreed."} if "note" in states.BID_MOVES[action].fields else {}

    response = transition(api_as(mover), bid, action, **fields)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == target
    assert response.json()["version"] == bid.version + 1
    assert Request.objects.get(pk=bid.request_id).status == request_status
    assert_matches_schema(response, TRANSITIONS)


def test_a_stale_version_is_409_with_the_bids_status_and_version(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)

    response = transition(api_as(lead.user), bid, "send", version=bid.version + 3)

    assert response.status_code == 409
    assert response.json()["status"] == "draft"
    assert response.json()["version"] == bid.version
    assert snapshot(bid) == before
    assert_matches_schema(response, TRANSITIONS)


def test_a_move_the_status_does_not_allow_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)

    response = transition(api_as(lead.user), bid, "start")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A bid that is draft cannot start.",
        "status": "draft",
        "version": bid.version,
    }
    assert snapshot(bid) == before


def test_a_move_the_request_refuses_is_409_with_the_bids_state(api_as, lead, second):
    bid = signed_bid(lead, second)
    Request.objects.filter(pk=bid.request_id).update(status=Request.Status.TRIAGED)
    before = snapshot(bid)

    response = transition(api_as(lead.user), bid, "submit")

    assert response.status_code == 409
    assert (response.json()["status"], response.json()["version"]) == ("signed", bid.version)
    assert snapshot(bid) == before


@pytest.mark.parametrize("who", ["second", "third"])
def test_a_caller_without_the_right_is_403(api_as, lead, second, third, who):
    """A member of the team who does not lead it, and a member not on it at all."""
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    caller = {"second": second, "third": third}[who]

    response = transition(api_as(caller.user), bid, "send")

    assert response.status_code == 403
    assert snapshot(bid) == before


def test_the_lead_may_not_record_the_clients_answer(api_as, intake_coordinator, lead, second):
    bid = stage_for("win", lead, second, intake_coordinator)
    before = snapshot(bid)

    response = transition(api_as(lead.user), bid, "win")

    assert response.status_code == 403
    assert snapshot(bid) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "send", "note": "Not for sending."}, "note"),
        ({"action": "fly"}, "action"),
        ({"action": "withdraw", "note": "x" * 2001}, "note"),
        ({"action": "send", "version": 0}, "version"),
        ({"action": "send", "version": None}, "version"),
    ],
)
def test_a_bad_field_is_400_naming_it_and_changes_nothing(api_as, lead, second, body, field):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    body = {"version": bid.version, **body}
    if body["version"] is None:
        del body["version"]

    response = api_as(lead.user).post(bid_url(bid.pk, "transitions/"), body, format="json")

    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]
    assert snapshot(bid) == before
    assert_matches_schema(response, TRANSITIONS)


def test_an_unknown_bid_is_404(api_as, lead):
    response = api_as(lead.user).post(
        bid_url(999_999, "transitions/"), {"action": "send", "version": 1}, format="json"
    )

    assert response.status_code == 404


def test_the_old_path_and_the_new_one_make_the_same_move(api_as, intake_coordinator, lead, second):
    by_path, by_action = (stage_for("start", lead, second, intake_coordinator) for _ in range(2))

    old = api_as(lead.user).post(bid_url(by_path.pk, "start/"), {"version": by_path.version})
    new = transition(api_as(lead.user), by_action, "start")

    assert old.status_code == new.status_code == 200
    for key in ("status", "version", "work_started_on", "hours_logged", "statement_state"):
        assert old.json()[key] == new.json()[key], key
    last = [BidEvent.objects.filter(bid=bid).latest("pk") for bid in (by_path, by_action)]
    assert [(e.action, e.from_status, e.to_status) for e in last] == [
        ("started", "won", "in_progress")
    ] * 2


# --- The schema -----------------------------------------------------------------------------


def test_the_schema_documents_transitions_and_marks_the_old_paths_deprecated():
    paths = api_schema_document()["paths"]

    operation = paths["/api/v1/bids/{id}/transitions/"]["post"]
    assert not operation.get("deprecated", False)
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    for path, action in OLD_PATHS.items():
        old = paths[f"/api/v1/bids/{{id}}/{path}"]["post"]
        assert old["deprecated"] is True, path
        assert f"`action` {action}" in old["description"], path
    for path in ("sign/", "invite/", "settle/", "hours/"):
        assert not paths[f"/api/v1/bids/{{id}}/{path}"]["post"].get("deprecated", False)


def test_the_schema_lists_the_actions_in_the_request_body():
    schemas = api_schema_document()["components"]["schemas"]

    body = schemas["BidTransitionRequest"]
    assert set(body["required"]) == {"version", "action"}
    assert ", ".join(states.BID_ACTIONS) in body["properties"]["action"]["description"]
    # The request's own moves keep their enum: the bid's actions are not a second "action" enum.
    assert "ActionEnum" in schemas
