"""The plain values the matching engine reads and answers with.

``matching`` never imports models: a thin adapter (``matching/adapter.py``) turns consultants,
skills and requests into these values, and the API renders the answers.
"""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SkillMatch:
    """A phrase recognised as a canonical skill, with the confidence of the match in [0, 1]."""

    skill: str
    score: float


@dataclass(frozen=True)
class NormalizedTerm:
    """One input term and what it became (``match`` None: unknown, kept and shown as such)."""

    term: str
    match: SkillMatch | None


@dataclass(frozen=True)
class ConsultantProfile:
    id: int
    name: str
    status: str  # network Consultant.Status value
    skills: dict[str, int]  # canonical skill name → level 1..5
    text: str  # bio and skill notes, for text similarity
    languages: frozenset[str] = frozenset()
    location: str = ""
    remote_ok: bool = True
    hourly_rate: float | None = None
    sliding_scale: bool = False
    pro_bono_hours_per_month: int = 0
    capacity_hours_per_week: int = 0
    committed_hours_per_week: float = 0.0  # hours already promised to current engagements
    away: tuple[tuple[datetime.date, datetime.date], ...] = ()
    clients_served: frozenset[int] = frozenset()  # organisation ids
    recent_offers: int = 0  # offers received in the last 90 days
    groups: frozenset[int] = frozenset()
    # Days of free service pledged for this calendar year and not yet given (never negative).
    free_days_left: float = 0.0


@dataclass(frozen=True)
class ExternalProfile:
    id: int
    name: str
    organization: str
    skills: frozenset[str]  # canonical skill names


@dataclass(frozen=True)
class RequestProfile:
    """What a request asks for, as plain values (a saved request or an unsaved one)."""

    text: str = ""
    skills: tuple[str, ...] = ()  # the terms as named (by the client, or by a coordinator)
    budget_max: float | None = None
    estimated_hours: int | None = None
    pro_bono: bool = False
    languages: frozenset[str] = frozenset()
    remote_ok: bool = True
    location: str = ""
    window: tuple[datetime.date, datetime.date] | None = None
    organization_id: int | None = None
    # Skills recognised in the text that a coordinator confirmed (canonical names): required,
    # like the named ones. Dismissed ones are neither required nor mentioned.
    confirmed: tuple[str, ...] = ()
    dismissed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    consultant_id: int
    name: str
    score: float
    factors: dict[str, float]  # factor name → its weighted contribution (they sum to score)
    covered_skills: list[str]
    missing_skills: list[str]
    groups: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ExternalCandidate:
    professional_id: int
    name: str
    organization: str
    coverage: float
    covered_skills: list[str]


@dataclass(frozen=True)
class MatchResult:
    """The ranking of one request.

    ``normalized_skills`` are the required skills (named, then confirmed): coverage and the
    refer-out rule count these. ``mentioned_skills`` were recognised in the text and not
    confirmed nor dismissed: suggestions, which only add to the text factor. ``unheld_skills``
    are the required skills no working member holds.
    """

    normalized_skills: list[SkillMatch]
    unknown_terms: list[str]
    candidates: list[Candidate]
    refer_out: bool
    refer_out_reason: str
    external: list[ExternalCandidate] = field(default_factory=list)
    mentioned_skills: list[SkillMatch] = field(default_factory=list)
    unheld_skills: list[str] = field(default_factory=list)
