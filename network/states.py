"""One shape for every state machine: a table of ``Move`` rows and one door that applies them.

A move names the states it may start from (``sources``), the state it ends in (``target``),
who may make it (``may(actor, obj)``), the fields it takes, and its ``effect``: a function that
changes the related rows inside the door's transaction. Requests (``intake.workflow``), team
bids (``intake.bids.states``) and membership applications (``network.services``) each keep a
table of moves and one ``*_apply`` function that locks the row, checks version, state and right
in that order, runs the effect, bumps the version and writes one audit event.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str
    # (actor, obj) -> bool; the actor is None for the system's own moves (timers).
    may: Callable
    label: str
    fields: tuple[str, ...] = field(default=())
    # (obj, actor, move, **fields) -> whatever the door expects back; None: the move changes
    # nothing but the status.
    effect: Callable | None = None
    # False for moves a person never asks for by name: a timer's, or one another service makes.
    public: bool = True


def table(*moves: Move) -> dict[str, Move]:
    """The moves keyed by action, in the order given (pages list them in this order)."""
    by_action = {move.action: move for move in moves}
    if len(by_action) != len(moves):
        raise ValueError("Two moves share an action.")
    return by_action


def move_for(moves: dict[str, Move], action: str, fields: dict) -> Move:
    """The move named ``action``, after checking ``fields`` are its own (400 otherwise)."""
    move = moves.get(action)
    if move is None:
        raise ValidationError({"action": _("Unknown action %(action)r.") % {"action": action}})
    unknown = set(fields) - set(move.fields)
    if unknown:
        raise ValidationError({name: _("Not a field of this action.") for name in sorted(unknown)})
    return move
