"""Decision outcomes (handbook/decisions.py): the counting rules as the decisions register
states them, checked on a table of cases and as properties over any votes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handbook import decisions
from handbook.decisions import (
    ABSTAIN,
    AGAINST,
    BLOCK,
    BLOCKED,
    CONSENSUS,
    FAILED,
    FOR,
    NO_QUORUM,
    PASSED,
    RULES,
    SIMPLE_MAJORITY,
    THREE_QUARTERS,
    TWO_THIRDS,
    WITHDRAWN,
    outcome,
    tally,
)


def votes(for_=0, against=0, abstain=0, block=0) -> list[str]:
    return [FOR] * for_ + [AGAINST] * against + [ABSTAIN] * abstain + [BLOCK] * block


@pytest.mark.parametrize(
    ("rule", "quorum", "cast", "expected"),
    [
        # Quorum first, and every kind of vote counts towards it.
        (SIMPLE_MAJORITY, 3, votes(for_=2), NO_QUORUM),
        (SIMPLE_MAJORITY, 3, votes(for_=2, abstain=1), PASSED),
        (SIMPLE_MAJORITY, 3, votes(for_=1, block=1, abstain=1), FAILED),
        (CONSENSUS, 3, votes(for_=5, block=1), BLOCKED),
        (CONSENSUS, 7, votes(for_=5, block=1), NO_QUORUM),
        (SIMPLE_MAJORITY, 0, [], NO_QUORUM),  # nobody voted: no result at all
        # Consensus: a block blocks; otherwise for and nobody against; abstaining stands aside.
        (CONSENSUS, 1, votes(for_=3), PASSED),
        (CONSENSUS, 1, votes(for_=1, abstain=4), PASSED),
        (CONSENSUS, 1, votes(for_=9, against=1), FAILED),
        (CONSENSUS, 1, votes(abstain=3), FAILED),
        (CONSENSUS, 1, votes(for_=3, against=1, block=1), BLOCKED),
        # Simple majority: more for than against; abstentions ignored; a block is against.
        (SIMPLE_MAJORITY, 1, votes(for_=2, against=1), PASSED),
        (SIMPLE_MAJORITY, 1, votes(for_=2, against=2), FAILED),
        (SIMPLE_MAJORITY, 1, votes(for_=1, abstain=5), PASSED),
        (SIMPLE_MAJORITY, 1, votes(for_=2, against=1, block=1), FAILED),
        (SIMPLE_MAJORITY, 1, votes(abstain=2), FAILED),
        # Two thirds: for / (for + against + block) >= 2/3, and at least one for.
        (TWO_THIRDS, 1, votes(for_=2, against=1), PASSED),  # exactly two thirds
        (TWO_THIRDS, 1, votes(for_=3, against=1, abstain=2), PASSED),
        (TWO_THIRDS, 1, votes(for_=3, against=2), FAILED),
        (TWO_THIRDS, 1, votes(for_=2, block=1), PASSED),
        (TWO_THIRDS, 1, votes(for_=2, against=1, block=1), FAILED),
        (TWO_THIRDS, 1, votes(abstain=3), FAILED),
        # Three quarters.
        (THREE_QUARTERS, 1, votes(for_=3, against=1), PASSED),  # exactly three quarters
        (THREE_QUARTERS, 1, votes(for_=2, against=1), FAILED),
        (THREE_QUARTERS, 1, votes(for_=6, against=1, block=1), PASSED),
        (THREE_QUARTERS, 1, votes(for_=1, abstain=9), PASSED),
    ],
)
def test_outcome_table(rule, quorum, cast, expected):
    assert outcome(rule, quorum, cast) == expected


def test_tally_counts_each_choice():
    counted = tally(votes(for_=3, against=2, abstain=1, block=4))

    assert (counted.votes_for, counted.against, counted.abstain, counted.block) == (3, 2, 1, 4)
    assert counted.voted == 10


@pytest.mark.parametrize(
    ("rule", "quorum", "cast"),
    [
        ("unanimity", 1, [FOR]),
        (CONSENSUS, -1, [FOR]),
        (CONSENSUS, 1, ["maybe"]),
    ],
)
def test_unknown_rules_choices_and_negative_quorums_are_refused(rule, quorum, cast):
    with pytest.raises(ValueError):
        outcome(rule, quorum, cast)


# --- Properties -----------------------------------------------------------------------------

ballots = st.lists(st.sampled_from(decisions.CHOICES), max_size=40)
rules = st.sampled_from(RULES)
quorums = st.integers(min_value=0, max_value=45)


def reference(rule: str, quorum: int, cast: list[str]) -> str:
    """The register's wording, counted again in integers."""
    f, a, ab, b = (cast.count(choice) for choice in (FOR, AGAINST, ABSTAIN, BLOCK))
    if f + a + ab + b < quorum or not cast:
        return NO_QUORUM
    if rule == CONSENSUS:
        return BLOCKED if b else PASSED if f and not a else FAILED
    against = a + b
    if rule == SIMPLE_MAJORITY:
        return PASSED if f > against else FAILED
    numerator, denominator = (2, 3) if rule == TWO_THIRDS else (3, 4)
    return PASSED if f and f * denominator >= numerator * (f + against) else FAILED


@given(rules, quorums, ballots)
def test_outcome_agrees_with_the_register(rule, quorum, cast):
    assert outcome(rule, quorum, cast) == reference(rule, quorum, cast)


@given(rules, quorums, ballots, st.randoms(use_true_random=False))
def test_the_order_of_votes_does_not_matter(rule, quorum, cast, random):
    shuffled = list(cast)
    random.shuffle(shuffled)

    assert outcome(rule, quorum, shuffled) == outcome(rule, quorum, cast)


@given(rules, quorums, ballots)
def test_below_quorum_there_is_no_result(rule, quorum, cast):
    if len(cast) < quorum:
        assert outcome(rule, quorum, cast) == NO_QUORUM
    else:
        assert outcome(rule, quorum, cast) != NO_QUORUM or not cast


@given(rules, ballots)
def test_an_abstention_changes_nothing_once_quorum_is_met(rule, cast):
    quorum = len(cast)

    assert outcome(rule, quorum, [*cast, ABSTAIN]) == outcome(rule, quorum, cast) or not cast


@given(st.sampled_from([SIMPLE_MAJORITY, TWO_THIRDS, THREE_QUARTERS]), quorums, ballots)
def test_only_consensus_gives_a_veto(rule, quorum, cast):
    as_against = [AGAINST if choice == BLOCK else choice for choice in cast]

    assert outcome(rule, quorum, cast) == outcome(rule, quorum, as_against)
    assert outcome(rule, quorum, cast) != BLOCKED


@given(quorums, ballots)
def test_a_block_always_blocks_consensus_once_quorum_is_met(quorum, cast):
    cast = [*cast, BLOCK]

    expected = NO_QUORUM if len(cast) < quorum else BLOCKED
    assert outcome(CONSENSUS, quorum, cast) == expected


@given(rules, quorums, ballots, st.integers(min_value=0, max_value=39))
def test_turning_a_vote_into_for_never_turns_a_pass_into_a_fail(rule, quorum, cast, index):
    if not cast:
        return
    index %= len(cast)
    better = [*cast[:index], FOR, *cast[index + 1 :]]

    if outcome(rule, quorum, cast) == PASSED:
        assert outcome(rule, quorum, better) == PASSED


@given(quorums, ballots)
def test_stricter_rules_pass_less(quorum, cast):
    order = [CONSENSUS, THREE_QUARTERS, TWO_THIRDS, SIMPLE_MAJORITY]
    passed = [outcome(rule, quorum, cast) == PASSED for rule in order]

    # Whatever passes under a stricter rule passes under every looser one.
    for stricter, looser in zip(passed, passed[1:], strict=False):
        assert looser or not stricter


def test_outcome_labels_cover_every_outcome():
    assert set(decisions.OUTCOME_LABELS) == {PASSED, FAILED, NO_QUORUM, BLOCKED, WITHDRAWN}
    assert FAILED in decisions.OUTCOME_LABELS


@given(rules, quorums, ballots)
def test_a_withdrawn_motion_is_withdrawn_whatever_the_votes(rule, quorum, cast):
    assert outcome(rule, quorum, cast, withdrawn=True) == WITHDRAWN
    assert outcome(rule, quorum, cast, withdrawn=False) == outcome(rule, quorum, cast)


# --- The quorum the rules set ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligible", "percent", "expected"),
    [
        (4, 50, 2),
        (5, 50, 3),  # rounded up: half of five is not enough
        (7, 50, 4),
        (1, 50, 1),
        (0, 50, 1),  # at least 1: nobody voting is no result
        (3, 100, 3),
        (3, 34, 2),
        (3, 33, 1),
        (101, 1, 2),
        (10, 1, 1),
    ],
)
def test_quorum_for_table(eligible, percent, expected):
    assert decisions.quorum_for(eligible, percent) == expected


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=100))
def test_the_quorum_is_the_fewest_votes_that_reach_the_share(eligible, percent):
    quorum = decisions.quorum_for(eligible, percent)

    assert quorum >= 1
    assert quorum * 100 >= eligible * percent  # reaches the share
    assert quorum == 1 or (quorum - 1) * 100 < eligible * percent  # one fewer would not
    assert eligible == 0 or quorum <= eligible  # never more than can vote


@pytest.mark.parametrize(("eligible", "percent"), [(-1, 50), (4, 0), (4, 101)])
def test_quorum_for_refuses_impossible_inputs(eligible, percent):
    with pytest.raises(ValueError):
        decisions.quorum_for(eligible, percent)
