"""The bid workspace as one user sees it: where the bid stands (the stepper), which sections they
may open, and the one section shown (``build_workspace``): the team, the agreement, the hours,
the settlement or the history, with the forms of the actions that user may take there.

Each section reads only what it shows, so a long history or many hours cost nothing on the other
sections. Who sees money follows ``bid_access.sees_bid_money``: the team and staff coordinators;
other members see a bid's team and status only (the team section).
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.forms import Form

from intake import access
from intake.bids import access as bid_access
from intake.bids import forms, money, settlement, terms
from intake.bids.models import AgreementVersion, Bid, BidInterest, BidMember, Settlement
from intake.bids.selectors import ProposedTeam, SkillCoverage, skill_coverage
from intake.bids.stages import (
    DONE,
    SECTIONS,
    Stage,
    available_sections,
    bid_stages,
    chosen_section,
)
from intake.bids.workspace_parts import (
    HoursTotal,
    OnBehalf,
    event_row,
    hours_section,
    settlement_section,
    team_building,
)
from network import access as network_access
from network.models import Consultant

B = Bid.Status
M = BidMember.Status

HISTORY_PAGE_SIZE = 20

__all__ = ["HISTORY_PAGE_SIZE", "HoursTotal", "OnBehalf", "Seat", "Workspace", "build_workspace"]


@dataclass
class Seat:
    member: BidMember
    change_form: Form | None = None
    remove_form: Form | None = None
    signed: bool = False
    rate_shown: bool = False


@dataclass
class Workspace:
    """What the workspace shows to one user, and which forms they get."""

    bid: Bid
    manages: bool
    money: bool
    seat: BidMember | None
    section: str = "team"
    sections: list[tuple[str, str]] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)
    coverage: list[SkillCoverage] = field(default_factory=list)
    action_forms: dict[str, Form] = field(default_factory=dict)
    agreement: AgreementVersion | None = None
    below_cost: money.BelowCost | None = None
    signed_count: int = 0
    team_size: int = 0
    may_sign: bool = False
    uncovered: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)
    versions: list[AgreementVersion] = field(default_factory=list)
    teams: list[ProposedTeam] = field(default_factory=list)
    interests: list[BidInterest] = field(default_factory=list)
    skill_filter: str = ""
    history: Page | None = None  # the history section's page of events, newest first
    latest: dict | None = None  # the newest event, on the other sections
    hours: Page | None = None  # the hours section's page of entries, newest first
    hours_totals: list[HoursTotal] = field(default_factory=list)
    settlement: Settlement | None = None
    statement_out: bool = False  # a statement is proposed: the hours are fixed
    approved_ids: set[int] = field(default_factory=set)
    approvals: list[str] = field(default_factory=list)
    to_approve: list[str] = field(default_factory=list)
    # Approvals a coordinator recorded for a member who no longer works: who, for whom, why.
    on_behalf: list[OnBehalf] = field(default_factory=list)
    # Team members who no longer work and have not approved: they cannot open the bid.
    away: list[Consultant] = field(default_factory=list)
    on_behalf_form: Form | None = None
    may_approve: bool = False
    final_approval: bool = False  # the reader's approval would be the last: it makes it final
    may_dispute: bool = False
    disputes: list[Settlement] = field(default_factory=list)
    statement_csv: str = ""
    me: Consultant | None = None
    hours_open: bool = False  # members log and take back hours (no statement out)
    can_submit: bool = False
    can_decide: bool = False
    can_withdraw: bool = False
    can_start: bool = False

    @property
    def on_team(self) -> bool:
        return self.seat is not None and self.seat.status == M.ACCEPTED

    @property
    def invited(self) -> bool:
        """Invited and still able to answer: the terms are open."""
        return self.seat is not None and self.seat.status == M.INVITED and self.bid.terms_open

    @property
    def shows_facts(self) -> bool:
        """The request's and the bid's details sit beside the team; the other sections take the
        whole width (their tables of figures need it)."""
        return self.section == "team"

    @property
    def current_stage(self) -> Stage | None:
        return next((stage for stage in self.stages if stage.state != DONE), None)

    @property
    def away_names(self) -> str:
        """The members in ``away``, as a sentence lists them."""
        return ", ".join(consultant.display_name for consultant in self.away)


def build_workspace(
    request, bid: Bid, *, section: str | None = None, failed: tuple[str, Form] | None = None
):
    """The workspace for ``request.user``, showing ``section`` (``?section=``) when they may open
    it, else the section of the bid's current stage. ``failed``: an action's form refused with
    errors, shown in its own section. Reads are bounded: see the query-count tests."""
    user = request.user
    me = network_access.consultant_of(user)
    seat = bid_access.bid_seat(user, bid)
    page = Workspace(
        bid=bid,
        manages=bid_access.manages_bid(user, bid),
        money=bid_access.sees_bid_money(user, bid),
        seat=seat,
        me=me,
    )
    everyone = list(bid.members.select_related("consultant").order_by("invited_at", "pk"))
    members = [member for member in everyone if member.status != M.REMOVED]
    members.sort(key=lambda member: member.consultant_id != bid.lead_id)
    team = [member for member in members if member.status == M.ACCEPTED]
    page.team_size = len(team)

    statement = None
    if page.money and bid.status in (B.IN_PROGRESS, B.SETTLED):
        statement = settlement.live_statement(bid)
    page.statement_out = statement is not None and statement.state == Settlement.State.PROPOSED
    withdrawn_from = ""
    if bid.status == B.WITHDRAWN:
        withdrawn_from = (
            bid.events.filter(action="withdrawn").values_list("from_status", flat=True).first()
            or ""
        )
    page.stages = bid_stages(
        bid.status,
        team_size=len(team),
        statement_out=page.statement_out,
        withdrawn_from=withdrawn_from,
    )
    available = available_sections(bid.status, money=page.money)
    page.sections = [(name, label) for name, label in SECTIONS if name in available]
    page.section = chosen_section(section, page.stages, available, invited=page.invited)

    forms_by_action: dict[str, Form] = {}
    if page.section == "team":
        _team_section(page, request, members, team, forms_by_action)
    elif page.section == "agreement":
        _agreement_section(page, user, team, forms_by_action)
    elif page.section == "hours":
        hours_section(page, request, team, forms_by_action)
    elif page.section == "settlement":
        settlement_section(page, user, team, statement, forms_by_action)
    elif page.section == "history":
        page.history = Paginator(
            bid.events.select_related("actor__consultant").order_by("-created_at", "-pk"),
            HISTORY_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        page.history.object_list = [event_row(event, everyone) for event in page.history]
    if page.money and page.section != "history":
        latest = bid.events.select_related("actor__consultant").order_by("-created_at", "-pk")
        latest = latest.first()
        page.latest = event_row(latest, everyone) if latest is not None else None

    if failed is not None:
        action, form = failed
        forms_by_action[action] = form
    page.action_forms = forms_by_action
    # Its action's name has hyphens, which a template cannot look up.
    page.on_behalf_form = forms_by_action.get("approve-on-behalf")
    return page


def _signatures(page: Workspace, team: list[BidMember]) -> set[int]:
    """The current agreement (on the page) and who on the team signed it."""
    page.agreement = terms.current_agreement(page.bid)
    if page.agreement is None:
        return set()
    signed = set(page.agreement.signatures.values_list("consultant_id", flat=True))
    page.signed_count = len(signed & {member.consultant_id for member in team})
    page.unsigned = [
        member.consultant.display_name for member in team if member.consultant_id not in signed
    ]
    return signed


def _team_section(page: Workspace, request, members, team, forms_by_action) -> None:
    user, bid = request.user, page.bid
    active = [member for member in members if member.status in (M.INVITED, M.ACCEPTED)]
    page.seats = [
        Seat(
            member,
            rate_shown=bid_access.sees_bid_rate(
                user, member.consultant, accepted_on_bid=member.status == M.ACCEPTED
            ),
        )
        for member in members
    ]
    page.coverage = skill_coverage(bid.request, active)
    page.uncovered = [item.skill for item in page.coverage if not item.covered_by]
    if page.money and bid.status == B.AGREEMENT_OUT:
        signed = _signatures(page, team)
        for item in page.seats:
            item.signed = item.member.consultant_id in signed
    if page.manages and bid.terms_open:
        team_building(page, request, members, team, forms_by_action)


def _agreement_section(page: Workspace, user, team, forms_by_action) -> None:
    bid = page.bid
    if page.invited:
        forms_by_action["accept"] = forms.VersionForm(bid=bid, auto_id="accept_%s")
        forms_by_action["decline"] = forms.DeclineForm(bid=bid, auto_id="decline_%s")
    if page.manages and bid.terms_open:
        forms_by_action["terms"] = forms.TermsForm(bid=bid, auto_id="terms_%s")
    if not page.money:
        return
    signed = _signatures(page, team)
    if page.agreement is not None:
        page.below_cost = money.below_cost_of_terms(page.agreement.terms)
        page.may_sign = (
            bid.status == B.AGREEMENT_OUT and page.on_team and page.seat.consultant_id not in signed
        )
    page.versions = list(
        bid.agreement_versions.annotate(signed=Count("signatures")).order_by("-number")
    )
    leads = bid_access.leads_bid(user, bid)
    page.can_submit = bid.status == B.SIGNED and (leads or access.is_intake_coordinator(user))
    page.can_decide = bid.status == B.SUBMITTED and access.is_intake_coordinator(user)
    page.can_withdraw = page.manages and bid.status in (B.DRAFT, B.AGREEMENT_OUT, B.SIGNED)
