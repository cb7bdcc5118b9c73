"""Matching for a saved request: its profile for the engine, the Skills section and the
suggestions panel on the coordinator's request page.

A request's named skills and the skills a coordinator confirmed are required; skills recognised
in its description are suggestions (``MatchResult.mentioned_skills``) that the Skills section
offers to confirm or dismiss, through ``intake.workflow.request_skills_edit``.

The panel is a template tag (``{% match_panel as panel %}`` in
``intake/includes/match_panel.html``; the library is registered in ``network.settings``), so the
request page shows it without its view knowing about matching. Its one-click forms post to the
workflow's own transition URL with the field names of ``intake.forms.TransitionForm``, so an
offer, a route or a referral made from the panel goes through the same door, checks and version
as one made from the move forms below it.
"""

from collections import Counter
from dataclasses import dataclass, field

from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intake import access
from intake.forms import SkillsEditForm, TransitionForm
from intake.models import Request
from intake.selectors import request_matches
from intake.workflow import allowed_moves
from matching import adapter
from matching.rank import factor_weights
from matching.types import Candidate, ExternalCandidate, MatchResult
from network.models import ConsultantGroup

register = template.Library()

# Candidates shown on the page; the API gives up to MATCHING_LIMIT.
PANEL_CANDIDATES = 5
FACTOR_LABELS = {
    "skill_coverage": _("Skills covered"),
    "text_similarity": _("Words and mentioned skills in common with the request"),
    "capacity": _("Time free"),
    "budget_fit": _("Fits the budget"),
    "continuity": _("Has served this client"),
    "rotation": _("Fair rotation (few recent offers)"),
    # Pro bono requests only (matching.rank.factor_weights).
    "free_days_left": _("Free service days left this year (pledged, not yet given)"),
}


# --- The Skills section ---------------------------------------------------------------------


@dataclass(frozen=True)
class SkillsSection:
    request: Request
    named: list[str]  # as written
    confirmed: list[str]
    dismissed: list[str]
    suggestions: list[str]  # recognised in the description, not yet decided
    unknown: list[str]  # named terms (or confirmed names) the skills list does not know
    editable: bool  # the viewer may change them (and the request is open)
    form: SkillsEditForm | None = None  # the add field, with errors after a failed change
    # Named terms the skills list knows under another name ("NPSP" → "Salesforce Nonprofit
    # Success Pack"), for coordinators who see the suggestions.
    recognised_as: dict[str, str] = field(default_factory=dict)

    @property
    def named_rows(self) -> list[tuple[str, str]]:
        """Each named term as written, with the skill it was recognised as ("" when the same
        or unknown)."""
        return [(term, self.recognised_as.get(term, "")) for term in self.named]


def skills_section_for(user, client_request: Request, *, failed_form=None) -> SkillsSection:
    """The request page's Skills section for ``user``: suggestions for coordinators who see
    the internal detail, and the buttons to change the skills for those who work the queue
    while the request is open."""
    editable = client_request.is_open and access.works_the_queue(user, client_request)
    suggestions, unknown, recognised_as = [], [], {}
    named = list(client_request.skills or [])
    if editable or access.sees_internal_detail(user, client_request):
        result = request_matches(client_request)
        suggestions = [match.skill for match in result.mentioned_skills]
        unknown = result.unknown_terms
        normalizer = adapter.current_index().normalizer
        for item in normalizer.normalize_many(named):
            if item.match is not None and item.match.skill.casefold() != item.term.casefold():
                recognised_as[item.term] = item.match.skill
    form = None
    if editable:
        form = failed_form or SkillsEditForm(client_request)
    return SkillsSection(
        request=client_request,
        named=named,
        confirmed=list(client_request.confirmed_skills or []),
        dismissed=list(client_request.dismissed_skills or []) if editable else [],
        suggestions=suggestions,
        unknown=unknown,
        editable=editable,
        form=form,
        recognised_as=recognised_as,
    )


# --- The panel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorBar:
    name: str
    label: str
    contribution: float  # the weighted contribution to the score
    weight: float  # the most this factor can add

    @property
    def percent(self) -> int:
        return round(100 * self.contribution / self.weight) if self.weight else 0


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    factors: list[FactorBar]

    @property
    def score_percent(self) -> int:
        return round(100 * self.candidate.score)


@dataclass(frozen=True)
class SuggestedGroup:
    id: int
    name: str
    candidates: int  # how many of the shown candidates belong to it


@dataclass(frozen=True)
class MatchPanel:
    request: Request
    result: MatchResult
    rows: list[CandidateRow]
    # The move the "offer" buttons make: "offer" once routed, "route" (with a member) before.
    offer_action: str | None
    offer_fields: dict[str, str] = field(default_factory=dict)  # field → posted name
    group: SuggestedGroup | None = None
    route_fields: dict[str, str] = field(default_factory=dict)
    refer_out: bool = False
    refer_fields: dict[str, str] = field(default_factory=dict)
    external: list[ExternalCandidate] = field(default_factory=list)
    refer_message: str = ""


def _factor_bars(candidate: Candidate, maxima: dict[str, float]):
    """One bar per factor the request has (``matching.rank.factor_weights``): the engine gives
    the coverage weight to the text when no skill was recognised, and only a pro bono request
    has the free days factor."""
    return [
        FactorBar(name, FACTOR_LABELS.get(name, name), candidate.factors.get(name, 0.0), maximum)
        for name, maximum in maxima.items()
        if maximum > 0
    ]


def _field_names(action: str, client_request: Request, names) -> dict[str, str]:
    form = TransitionForm(action, client_request)
    return {name: form.add_prefix(name) for name in names}


def _suggested_group(candidates: list[Candidate], client_request: Request):
    """The group holding most of the shown candidates (ties: the group's name)."""
    counts = Counter(group for candidate in candidates for group in candidate.groups)
    counts.pop(client_request.assigned_group_id, None)
    if not counts:
        return None
    names = dict(ConsultantGroup.objects.filter(pk__in=counts).values_list("pk", "name"))
    ranked = sorted(
        (group_id for group_id in counts if group_id in names),
        key=lambda group_id: (-counts[group_id], names[group_id]),
    )
    if not ranked:
        return None
    best = ranked[0]
    return SuggestedGroup(best, names[best], counts[best])


def _refer_message(result: MatchResult, language: str) -> str:
    """The message proposed to the client, in the client's language."""
    skills = ", ".join(match.skill for match in result.normalized_skills)
    with translation.override(language):
        if skills:
            return str(
                _(
                    "Thank you for telling us about your project. None of the alliance's members "
                    "can take on this work with %(skills)s at the moment, so we recommend the "
                    "professionals below, who know this field. Please mention the alliance when "
                    "you contact them, and write to us if it does not work out."
                )
                % {"skills": skills}
            )
        return str(
            _(
                "Thank you for telling us about your project. None of the alliance's members can "
                "take on this work at the moment, so we recommend the professionals below, who "
                "know this field. Please mention the alliance when you contact them, and write to "
                "us if it does not work out."
            )
        )


def match_panel_for(user, client_request: Request) -> MatchPanel | None:
    """The suggestions panel for ``user``, or None when they have no offer, route or referral
    to make on this request (members, and coordinators of closed requests, see no panel)."""
    if not access.sees_internal_detail(user, client_request):
        return None
    moves = {move.action for move in allowed_moves(user, client_request)}
    offer_action = next((action for action in ("offer", "route") if action in moves), None)
    if offer_action is None and "refer_out" not in moves:
        return None
    result = request_matches(client_request)
    shown = result.candidates[:PANEL_CANDIDATES]
    maxima = factor_weights(
        adapter.weights_from_settings(),
        skills_named=bool(result.normalized_skills),
        pro_bono=client_request.pro_bono,
    )
    rows = [CandidateRow(candidate, _factor_bars(candidate, maxima)) for candidate in shown]
    panel = {
        "request": client_request,
        "result": result,
        "rows": rows,
        "offer_action": offer_action,
    }
    if offer_action is not None:
        panel["offer_fields"] = _field_names(
            offer_action, client_request, ("version", "consultant")
        )
    if "route" in moves:
        panel["group"] = _suggested_group(shown, client_request)
        panel["route_fields"] = _field_names("route", client_request, ("version", "group"))
    if result.refer_out and "refer_out" in moves:
        panel.update(
            refer_out=True,
            external=result.external,
            refer_message=_refer_message(result, client_request.language),
            refer_fields=_field_names(
                "refer_out", client_request, ("version", "professionals", "message", "confirm")
            ),
        )
    return MatchPanel(**panel)


@register.simple_tag(takes_context=True)
def match_panel(context) -> MatchPanel | None:
    """``{% match_panel as panel %}`` on the request page: the panel for the signed-in user."""
    request, client_request = context.get("request"), context.get("client_request")
    if request is None or client_request is None:
        return None
    return match_panel_for(request.user, client_request)
