"""The client's path of stages (``intake.client_view``: ``client_kind`` and ``client_steps``):
the kind of help a request in each status leads to, and for each status the stages done, the
one where the request stands and those to come. Pure functions: no database."""

import pytest

from intake.client_view import (
    CLOSED,
    PATHS,
    REFERRAL,
    SINGLE,
    TEAM,
    client_kind,
    client_steps,
    next_step,
    stage_label,
)
from intake.models import Request

S = Request.Status

SINGLE_PATH = [
    "Received",
    "We contacted you",
    "Finding your consultant",
    "Work under way",
    "Done",
]
TEAM_PATH = [
    "Received",
    "We contacted you",
    "A team is preparing a proposal",
    "Proposal sent",
    "Work under way",
    "Done",
]


def states(steps) -> list[str]:
    return [step.state for step in steps]


def current(steps) -> str:
    (step,) = [step for step in steps if step.is_current]
    return step.label


# --- The kind of each status -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "team", "kind"),
    [
        (S.SUBMITTED, False, SINGLE),
        (S.CONTACTED, False, SINGLE),
        (S.TRIAGED, False, SINGLE),
        (S.ROUTED, False, SINGLE),
        (S.OFFERED, False, SINGLE),
        (S.ENGAGED, False, SINGLE),
        (S.COMPLETED, False, SINGLE),
        # A team's work: from bidding on, and an engagement or completion a team's bid won.
        (S.BIDDING, False, TEAM),
        (S.BID_SUBMITTED, False, TEAM),
        (S.LOST, False, TEAM),
        (S.ENGAGED, True, TEAM),
        (S.COMPLETED, True, TEAM),
        (S.REFERRED_OUT, False, REFERRAL),
        (S.WITHDRAWN, False, CLOSED),
        (S.CLOSED_SPAM, False, CLOSED),
    ],
)
def test_the_kind_of_help_each_status_leads_to(status, team, kind):
    assert client_kind(status, team=team) == kind


# --- One consultant -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.SUBMITTED, ["current", "upcoming", "upcoming", "upcoming", "upcoming"]),
        (S.CONTACTED, ["done", "current", "upcoming", "upcoming", "upcoming"]),
        (S.TRIAGED, ["done", "done", "current", "upcoming", "upcoming"]),
        (S.ROUTED, ["done", "done", "current", "upcoming", "upcoming"]),
        (S.OFFERED, ["done", "done", "current", "upcoming", "upcoming"]),
        (S.ENGAGED, ["done", "done", "done", "current", "upcoming"]),
        (S.COMPLETED, ["done", "done", "done", "done", "current"]),
    ],
)
def test_one_consultants_path(status, expected):
    steps = client_steps(status, SINGLE)
    assert [step.label for step in steps] == SINGLE_PATH
    assert states(steps) == expected


# --- A team ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "at"),
    [
        (S.BIDDING, "A team is preparing a proposal"),
        (S.BID_SUBMITTED, "Proposal sent"),
        (S.ENGAGED, "Work under way"),
        (S.COMPLETED, "Done"),
    ],
)
def test_a_teams_path(status, at):
    steps = client_steps(status, TEAM)
    assert [step.label for step in steps] == TEAM_PATH
    assert current(steps) == at
    position = TEAM_PATH.index(at)
    assert states(steps) == ["done"] * position + ["current"] + ["upcoming"] * (
        len(TEAM_PATH) - position - 1
    )


def test_a_team_proposal_not_taken_up_ends_the_path_there():
    steps = client_steps(S.LOST, TEAM)
    assert [step.label for step in steps] == [*TEAM_PATH[:4], "Proposal not taken up"]
    assert states(steps) == ["done", "done", "done", "done", "current"]


# --- A referral, and closed requests --------------------------------------------------------------


def test_a_referrals_path():
    steps = client_steps(S.REFERRED_OUT, REFERRAL)
    assert [step.label for step in steps] == [
        "Received",
        "We contacted you",
        "Referred to other professionals",
    ]
    assert states(steps) == ["done", "done", "current"]


@pytest.mark.parametrize(
    ("status", "last"), [(S.WITHDRAWN, "Withdrawn"), (S.CLOSED_SPAM, "Closed")]
)
def test_a_closed_requests_short_path(status, last):
    steps = client_steps(status, CLOSED)
    assert [(step.label, step.state) for step in steps] == [
        ("Received", "done"),
        (last, "current"),
    ]


# --- Every status on its kind's path, and the words --------------------------------------------


@pytest.mark.parametrize("status", list(S.values))
def test_every_status_has_exactly_one_current_stage_on_its_kinds_path(status):
    kind = client_kind(status)
    steps = client_steps(status, kind)
    assert [step.state for step in steps].count("current") == 1
    # Done stages come first, then the current one, then the stages still to come.
    order = {"done": 0, "current": 1, "upcoming": 2}
    assert [order[step.state] for step in steps] == sorted(order[step.state] for step in steps)
    assert len({step.key for step in steps}) == len(steps)
    assert stage_label(status, kind) != "In progress"
    assert next_step(status, kind)


def test_every_path_has_plain_labels():
    for path in PATHS.values():
        for key, label, _ in path:
            assert key and label and "_" not in label


def test_a_teams_words_differ_from_one_consultants_where_the_work_is_theirs():
    assert stage_label(S.ENGAGED, SINGLE) == "A consultant is working with you"
    assert stage_label(S.ENGAGED, TEAM) == "The team is working with you"
    assert "lead" in next_step(S.ENGAGED, TEAM)
    assert "consultant" in next_step(S.ENGAGED, SINGLE)
