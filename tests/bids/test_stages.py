"""Where a bid stands (``intake.bids.stages``): the seven stages for each of a bid's statuses, the
sections each reader may open, the section they land on, and the section each action's form lives
in. Pure functions: no database."""

import pytest

from intake.bids.actions import ACTIONS, NOT_DONE
from intake.bids.models import BidStatus
from intake.bids.stages import (
    ACTION_SECTIONS,
    STAGE_NAMES,
    available_sections,
    bid_stages,
    chosen_section,
    default_section,
)

B = BidStatus


def states(stages) -> list[str]:
    return [stage.state for stage in stages]


def at(status, **facts) -> tuple[list[str], str | None]:
    """The stages' states, and the name of the current stage (None when there is none)."""
    stages = bid_stages(status, **facts)
    current = [stage.name for stage in stages if stage.state == "current"]
    assert len(current) <= 1
    return states(stages), current[0] if current else None


@pytest.mark.parametrize(
    ("status", "facts", "current", "done"),
    [
        (B.DRAFT, {"team_size": 1}, "team", 0),
        (B.DRAFT, {"team_size": 2}, "agreement", 1),
        (B.AGREEMENT_OUT, {"team_size": 2}, "signatures", 2),
        (B.SIGNED, {"team_size": 3}, "submitted", 3),
        (B.SUBMITTED, {"team_size": 3}, "won", 4),
        (B.WON, {"team_size": 3}, "work", 5),
        (B.IN_PROGRESS, {"team_size": 3}, "work", 5),
        (B.IN_PROGRESS, {"team_size": 3, "statement_out": True}, "settlement", 6),
    ],
)
def test_each_status_marks_the_stages_before_it_done_and_its_own_current(
    status, facts, current, done
):
    found, current_name = at(status, **facts)

    assert current_name == current
    index = STAGE_NAMES.index(current)
    assert index == done
    assert found == ["done"] * done + ["current"] + ["future"] * (len(STAGE_NAMES) - done - 1)


def test_a_settled_bid_has_every_stage_done_and_none_current():
    assert at(B.SETTLED, team_size=2) == (["done"] * 7, None)


def test_a_lost_bid_ends_at_the_clients_answer():
    stages = bid_stages(B.LOST, team_size=2)

    assert states(stages) == ["done"] * 4 + ["stopped", "future", "future"]
    assert stages[4].name == "won" and stages[4].about == "The client turned the bid down."


@pytest.mark.parametrize(
    ("before", "team_size", "ended_at"),
    [
        (B.DRAFT, 1, "team"),
        (B.DRAFT, 2, "agreement"),
        (B.AGREEMENT_OUT, 2, "signatures"),
        (B.SIGNED, 2, "submitted"),
    ],
)
def test_a_withdrawn_bid_ends_where_it_was_withdrawn(before, team_size, ended_at):
    stages = bid_stages(B.WITHDRAWN, team_size=team_size, withdrawn_from=before)

    stopped = [stage.name for stage in stages if stage.state == "stopped"]
    assert stopped == [ended_at]
    assert not any(stage.current for stage in stages)


def test_the_stages_are_numbered_and_said_for_a_screen_reader():
    stages = bid_stages(B.AGREEMENT_OUT, team_size=2)

    assert [(stage.number, stage.label) for stage in stages] == [
        (1, "Team"),
        (2, "Agreement"),
        (3, "Signatures"),
        (4, "Submitted"),
        (5, "Won"),
        (6, "Work"),
        (7, "Settlement"),
    ]
    assert [stage.spoken_state for stage in stages[1:4]] == ["done", "current", "to come"]
    assert stages[2].about == "Every member on the team signs the agreement."
    assert [stage.about for stage in stages if stage.state != "current"] == [""] * 6


def test_a_won_bid_says_the_lead_starts_the_work():
    work = bid_stages(B.WON, team_size=2)[5]
    assert work.about.startswith("The client took the bid: the lead starts the work")


# --- Sections ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sections"),
    [
        (B.DRAFT, ["team", "agreement", "history"]),
        (B.SUBMITTED, ["team", "agreement", "history"]),
        (B.WON, ["team", "agreement", "hours", "history"]),
        (B.IN_PROGRESS, ["team", "agreement", "hours", "settlement", "history"]),
        (B.SETTLED, ["team", "agreement", "hours", "settlement", "history"]),
        (B.LOST, ["team", "agreement", "history"]),
    ],
)
def test_the_team_opens_the_sections_of_the_bids_stage(status, sections):
    assert available_sections(status, money=True) == sections
    # Members who do not see the bid's money read its team only.
    assert available_sections(status, money=False) == ["team"]


@pytest.mark.parametrize(
    ("status", "facts", "section"),
    [
        (B.DRAFT, {"team_size": 1}, "team"),
        (B.DRAFT, {"team_size": 2}, "agreement"),
        (B.AGREEMENT_OUT, {}, "agreement"),
        (B.SIGNED, {}, "agreement"),
        (B.SUBMITTED, {}, "agreement"),
        (B.WON, {}, "hours"),
        (B.IN_PROGRESS, {}, "hours"),
        (B.IN_PROGRESS, {"statement_out": True}, "settlement"),
        (B.SETTLED, {}, "settlement"),
        (B.LOST, {}, "agreement"),
        (B.WITHDRAWN, {"withdrawn_from": B.DRAFT, "team_size": 1}, "team"),
    ],
)
def test_the_workspace_opens_on_the_section_of_the_current_stage(status, facts, section):
    stages = bid_stages(status, **facts)
    assert default_section(stages, available_sections(status, money=True)) == section
    assert default_section(stages, ["team"]) == "team"  # without the money, the team


def test_an_invited_member_lands_on_the_agreement_they_answer():
    stages = bid_stages(B.DRAFT, team_size=1)
    available = available_sections(B.DRAFT, money=True)

    assert default_section(stages, available, invited=True) == "agreement"


def test_a_section_asked_for_is_shown_only_when_the_reader_may_open_it():
    stages = bid_stages(B.DRAFT, team_size=2)
    available = available_sections(B.DRAFT, money=True)

    assert chosen_section("history", stages, available) == "history"
    assert chosen_section("hours", stages, available) == "agreement"  # not yet: the default
    assert chosen_section("nonsense", stages, available) == "agreement"
    assert chosen_section(None, stages, ["team"]) == "team"


def test_every_action_names_its_section_and_what_a_refusal_did_not_do():
    assert set(ACTION_SECTIONS) == set(ACTIONS) == set(NOT_DONE)
    assert set(ACTION_SECTIONS.values()) <= {"team", "agreement", "hours", "settlement"}
