"""How a decision's outcome follows from its votes: one pure function, no database query.

Who may vote and the quorum are the alliance's rules, not the choice of whoever opens a
decision: the eligible members are the working members when it is opened
(``handbook.services.decision_create``) and the quorum is ``quorum_for`` of them.

The rules, as the decisions register states them:

- **Quorum** first: at least ``quorum`` eligible members must have voted, and every vote counts
  towards it (for, against, abstain and block alike): abstaining is taking part. Below it the
  outcome is *no quorum* whatever the votes say.
- **Consensus**: one block blocks the decision. Otherwise it passes when at least one member is
  for and nobody is against; an abstention is standing aside and does not stop consensus.
- **Simple majority**: passes when more members are for than against. Abstentions are not
  counted either way; a block counts as a vote against (only consensus gives a veto).
- **Two thirds** and **three quarters**: passes when the votes for are at least that share of
  the votes for and against together (abstentions not counted, blocks counted against), and at
  least one member is for.

"""

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from handbook.models import Decision, Vote

# The rules and the votes are the values the models store.
CONSENSUS = Decision.Rule.CONSENSUS
SIMPLE_MAJORITY = Decision.Rule.SIMPLE_MAJORITY
TWO_THIRDS = Decision.Rule.TWO_THIRDS
THREE_QUARTERS = Decision.Rule.THREE_QUARTERS
RULES = (CONSENSUS, SIMPLE_MAJORITY, TWO_THIRDS, THREE_QUARTERS)

FOR, AGAINST, ABSTAIN, BLOCK = (
    Vote.Choice.FOR,
    Vote.Choice.AGAINST,
    Vote.Choice.ABSTAIN,
    Vote.Choice.BLOCK,
)
CHOICES = (FOR, AGAINST, ABSTAIN, BLOCK)

PASSED, FAILED, NO_QUORUM, BLOCKED = "passed", "failed", "no_quorum", "blocked"
# A motion its mover withdrew (a proposed change to a policy, withdrawn by its author): whatever
# the votes said, nothing was decided.
WITHDRAWN = "withdrawn"
OUTCOME_LABELS = {
    PASSED: _("Passed"),
    FAILED: _("Failed"),
    NO_QUORUM: _("No quorum"),
    BLOCKED: _("Blocked"),
    WITHDRAWN: _("Withdrawn"),
}

_SUPERMAJORITY = {TWO_THIRDS: Fraction(2, 3), THREE_QUARTERS: Fraction(3, 4)}


@dataclass(frozen=True)
class Tally:
    votes_for: int
    against: int
    abstain: int
    block: int

    @property
    def voted(self) -> int:
        return self.votes_for + self.against + self.abstain + self.block


def tally(choices: Iterable[str]) -> Tally:
    """Count the current votes (one per member: the caller passes only current votes)."""
    counts = dict.fromkeys(CHOICES, 0)
    for choice in choices:
        if choice not in counts:
            raise ValueError(f"unknown vote {choice!r}; expected one of {', '.join(CHOICES)}")
        counts[choice] += 1
    return Tally(counts[FOR], counts[AGAINST], counts[ABSTAIN], counts[BLOCK])


def outcome(rule: str, quorum: int, choices: Iterable[str], *, withdrawn: bool = False) -> str:
    """``passed``, ``failed``, ``no_quorum`` or ``blocked`` for the votes cast under ``rule``;
    ``withdrawn`` for a motion withdrawn before its result."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    if quorum < 0:
        raise ValueError(f"quorum must not be negative, got {quorum}")
    if withdrawn:
        return WITHDRAWN
    counted = tally(choices)
    if counted.voted < quorum or counted.voted == 0:
        return NO_QUORUM
    if rule == CONSENSUS:
        if counted.block:
            return BLOCKED
        return PASSED if counted.votes_for and not counted.against else FAILED
    against = counted.against + counted.block
    if rule == SIMPLE_MAJORITY:
        return PASSED if counted.votes_for > against else FAILED
    share = _SUPERMAJORITY[rule]
    decided = counted.votes_for + against
    if counted.votes_for and Fraction(counted.votes_for, decided) >= share:
        return PASSED
    return FAILED


def quorum_for(eligible: int, percent: int) -> int:
    """The quorum of a decision with ``eligible`` voters: ``percent`` of them, rounded up, and at
    least 1 (a decision nobody votes on has no result).

    Whole numbers only, so 50 % of 7 is 4 exactly, never 3.5 rounded by a float.
    """
    if eligible < 0:
        raise ValueError(f"eligible must not be negative, got {eligible}")
    if not 1 <= percent <= 100:
        raise ValueError(f"percent must be between 1 and 100, got {percent}")
    return max(1, -(-eligible * percent // 100))
