"""Where a bid stands, as the workspace shows it: the seven stages of a bid (the stepper at the
top of the workspace), the workspace's sections (one shown at a time, ``?section=``), which
section each action's form lives in, and which section a reader lands on.

Pure functions of a bid's status and a few facts about it (how many members are on the team,
whether a statement is out, the status a withdrawn bid left): no database, so every state is
tested without one.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake.bids.models import BidStatus

B = BidStatus

# name, label, what the stage is about (said under the current one)
STAGES = (
    (
        "team",
        pgettext_lazy("bid stage", "Team"),
        _("The lead invites the team: a bid needs one member besides the lead."),
    ),
    (
        "agreement",
        pgettext_lazy("bid stage", "Agreement"),
        _("The lead sets the terms and sends the agreement for signature."),
    ),
    (
        "signatures",
        pgettext_lazy("bid stage", "Signatures"),
        _("Every member on the team signs the agreement."),
    ),
    (
        "submitted",
        pgettext_lazy("bid stage", "Submitted"),
        _("The lead submits the signed bid to the client."),
    ),
    (
        "won",
        pgettext_lazy("bid stage", "Won"),
        _("The bid is with the client: waiting for their answer."),
    ),
    ("work", pgettext_lazy("bid stage", "Work"), _("The team works and logs its hours.")),
    (
        "settlement",
        pgettext_lazy("bid stage", "Settlement"),
        _("Every member approves the statement that splits the pool."),
    ),
)
STAGE_NAMES = tuple(name for name, _label, _about in STAGES)

DONE, CURRENT, FUTURE, STOPPED = "done", "current", "future", "stopped"


@dataclass(frozen=True)
class Stage:
    number: int  # 1 to 7
    name: str
    label: str
    state: str  # done, current, future, or stopped (where a lost or withdrawn bid ended)
    about: str = ""  # shown under the current or stopped stage

    @property
    def current(self) -> bool:
        return self.state == CURRENT

    @property
    def spoken_state(self) -> str:
        """What a screen reader hears after the name ("Stage 3 of 7: Signatures, current")."""
        spoken = {
            DONE: pgettext_lazy("bid stage state", "done"),
            CURRENT: pgettext_lazy("bid stage state", "current"),
            STOPPED: _("where the bid ended"),
        }
        return spoken.get(self.state, _("to come"))


def _index(status: str, team_size: int, statement_out: bool) -> int:
    """The stage a bid in ``status`` is at (0-based); len(STAGES) when every stage is done."""
    if status == B.DRAFT:
        return 0 if team_size < 2 else 1
    return {
        B.AGREEMENT_OUT: 2,
        B.SIGNED: 3,
        B.SUBMITTED: 4,
        B.WON: 5,
        B.IN_PROGRESS: 6 if statement_out else 5,
        B.SETTLED: len(STAGES),
        B.LOST: 4,
    }.get(status, 0)


def bid_stages(
    status: str,
    *,
    team_size: int = 1,
    statement_out: bool = False,
    withdrawn_from: str = "",
) -> list[Stage]:
    """The seven stages of a bid in ``status``: those before the current one done, the current
    one marked, the rest to come. ``team_size``: members on the team, the lead included (a draft
    with nobody besides the lead is still forming its team); ``statement_out``: a statement is
    proposed and waits for approvals; ``withdrawn_from``: the status a withdrawn bid was in. A lost
    or withdrawn bid has no current stage: the stage where it ended is marked ``stopped``."""
    stopped_at = None
    if status == B.LOST:
        stopped_at = _index(B.LOST, team_size, False)
        about = _("The client turned the bid down.")
    elif status == B.WITHDRAWN:
        stopped_at = _index(withdrawn_from or B.DRAFT, team_size, False)
        about = _("The team withdrew the bid; the request stayed open for other bids.")
    at = stopped_at if stopped_at is not None else _index(status, team_size, statement_out)
    stages = []
    for index, (name, label, what) in enumerate(STAGES):
        if index < at:
            state, said = DONE, ""
        elif index == at and stopped_at is not None:
            state, said = STOPPED, about
        elif index == at:
            state, said = CURRENT, _about_now(name, status) or what
        else:
            state, said = FUTURE, ""
        stages.append(Stage(index + 1, name, label, state, said))
    return stages


def _about_now(name: str, status: str) -> str:
    if name == "work" and status == B.WON:
        return _("The client took the bid: the lead starts the work, then the team logs hours.")
    return ""


# --- Sections ---------------------------------------------------------------------------------

# name, label: the workspace's tabs, in order.
SECTIONS = (
    ("team", pgettext_lazy("bid section", "Team")),
    ("agreement", pgettext_lazy("bid section", "Agreement")),
    ("hours", pgettext_lazy("bid section", "Hours")),
    ("settlement", pgettext_lazy("bid section", "Settlement")),
    ("history", pgettext_lazy("bid section", "History")),
)
SECTION_NAMES = tuple(name for name, _label in SECTIONS)

# The section each workspace action's form lives in: after the action, done or refused, the
# reader is back there.
ACTION_SECTIONS = {
    "invite": "team",
    "invite-team": "team",
    "member": "team",
    "remove": "team",
    "accept": "agreement",
    "decline": "agreement",
    "terms": "agreement",
    "send": "agreement",
    "sign": "agreement",
    "withdraw": "agreement",
    "submit": "agreement",
    "decide": "agreement",
    "start-work": "hours",
    "hours": "hours",
    "hours-delete": "hours",
    "settle": "settlement",
    "approve": "settlement",
    "approve-on-behalf": "settlement",
    "dispute": "settlement",
}

_AT_WORK = (B.WON, B.IN_PROGRESS, B.SETTLED)
_SETTLING = (B.IN_PROGRESS, B.SETTLED)


def available_sections(status: str, *, money: bool) -> list[str]:
    """The sections a reader may open: everyone reads the team; the team and staff coordinators
    (who see the bid's money) read the agreement and the history, the hours once the bid is won
    and the settlement once the work has started."""
    if not money:
        return ["team"]
    shown = {"team", "agreement", "history"}
    if status in _AT_WORK:
        shown.add("hours")
    if status in _SETTLING:
        shown.add("settlement")
    return [name for name in SECTION_NAMES if name in shown]


def default_section(stages: list[Stage], available: list[str], *, invited: bool = False) -> str:
    """The section a reader lands on: the one of the bid's current stage (where it ended, for a
    lost or withdrawn bid; the statement for a settled one). A member invited to the team lands on
    the agreement, where they answer."""
    if invited and "agreement" in available:
        return "agreement"
    at = next((stage.name for stage in stages if stage.state in (CURRENT, STOPPED)), "settlement")
    wanted = {
        "team": "team",
        "agreement": "agreement",
        "signatures": "agreement",
        "submitted": "agreement",
        "won": "agreement",
        "work": "hours",
        "settlement": "settlement",
    }[at]
    return wanted if wanted in available else available[0]


def chosen_section(asked: str | None, stages, available: list[str], *, invited=False) -> str:
    """``?section=`` when the reader may open it, else the default."""
    if asked in available:
        return asked
    return default_section(stages, available, invited=invited)
