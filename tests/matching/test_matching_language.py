"""The engine's explanations in the reader's language: a referral's reason and a proposed team's
lines come out in Spanish or French when that language is active, in English otherwise, and the
engine used without Django (benchmarks, evaluation) writes English."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from matching import adapter
from network.models import Consultant
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

ROOT = Path(__file__).resolve().parents[2]
MATCH = "/api/v1/match/"
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _language_restored():
    """The language active before each test, active again after it: an API call with
    ``Accept-Language`` leaves its language active in this thread (``LocaleMiddleware``)."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def network(db):
    python = SkillFactory(name="Python")
    quickbooks = SkillFactory(name="QuickBooks")
    SkillFactory(name="Web accessibility")
    lead = ConsultantFactory(display_name="Lead Member", hourly_rate=Decimal("1200.00"))
    ConsultantSkillFactory(consultant=lead, skill=python, level=4)
    away = ConsultantFactory(display_name="Away Member", status=Consultant.Status.ON_LEAVE)
    ConsultantSkillFactory(consultant=away, skill=quickbooks, level=5)
    books = ConsultantFactory(display_name="Books Member", hourly_rate=Decimal("95.00"))
    ConsultantSkillFactory(consultant=books, skill=quickbooks, level=3)
    return {"lead": lead, "away": away, "books": books}


def referral_reason(language: str | None) -> str:
    profile = adapter.request_profile(skills=["Web accessibility"])
    if language is None:
        return adapter.match(profile).refer_out_reason
    with translation.override(language):
        return adapter.match(profile).refer_out_reason


def team_lines(network, language: str | None) -> list[str]:
    profile = adapter.request_profile(
        skills=["Python", "QuickBooks"], estimated_hours=40, budget_max=Decimal("5000")
    )
    seed = [network["lead"].pk, network["away"].pk]
    if language is None:
        teams = adapter.propose_teams_for(profile, k=1, seed=seed)
    else:
        with translation.override(language):
            teams = adapter.propose_teams_for(profile, k=1, seed=seed)
    assert len(teams) == 1
    return teams[0].explanation


ENGLISH_REASON = (
    "No available member covers 50% of the confirmed skills. No working member holds: Web "
    "accessibility. Nobody active has Web accessibility."
)
ENGLISH_TEAM = [
    "Leads (on the team already): Lead Member covers Python (level 4), held by nobody else on "
    "the team; $1,200/h, 20 h/week free.",
    "Joins: Books Member covers QuickBooks (level 3), held by nobody else on the team; $95/h, "
    "20 h/week free.",
    "Away Member is on the team but not counted in this proposal: not working (on leave).",
    "Planned blended rate $647.50/h (40 h split evenly, 20.0 h each).",
    "Estimated cost $25,900.00 against a budget of $5,000.00.",
]


def test_a_referral_reason_in_english_is_unchanged(network):
    assert referral_reason(None) == ENGLISH_REASON
    assert referral_reason("en") == ENGLISH_REASON


def test_a_referral_reason_in_spanish(network):
    assert referral_reason("es") == (
        "Ningún miembro disponible cubre el 50% de las habilidades confirmadas. Ningún miembro "
        "en actividad tiene: Web accessibility. Nadie en actividad tiene Web accessibility."
    )


def test_a_referral_reason_in_french(network):
    assert referral_reason("fr") == (
        f"Aucun membre disponible ne couvre 50{NBSP}% des compétences confirmées. Aucun membre "
        f"en activité ne possède{NBSP}: Web accessibility. Personne en activité ne possède Web "
        "accessibility."
    )


def test_the_language_is_the_one_active_when_the_reason_is_written(network):
    # The same process, one language after the other: nothing keeps the first language.
    assert referral_reason("fr").startswith("Aucun membre")
    assert referral_reason("es").startswith("Ningún miembro")
    assert referral_reason("en") == ENGLISH_REASON


def test_the_match_api_answers_in_the_language_asked_for(api_as, intake_coordinator, network):
    client = api_as(intake_coordinator)
    body = {"skills": ["Web accessibility"]}

    spanish = client.post(MATCH, body, format="json", HTTP_ACCEPT_LANGUAGE="es")
    english = client.post(MATCH, body, format="json")

    assert spanish.json()["refer_out"] is True
    assert spanish.json()["refer_out_reason"].startswith("Ningún miembro disponible cubre")
    assert english.json()["refer_out_reason"] == ENGLISH_REASON


def test_the_match_apis_refusals_follow_the_language(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        MATCH, {"title": "Help"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        f"Décrivez le travail ou indiquez au moins une compétence{NBSP}: il n'y a rien pour "
        "rechercher des membres."
    ]


def test_a_too_long_skill_term_is_refused_in_spanish(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        MATCH, {"skills": ["x" * 101]}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 400
    assert "como máximo 100 caracteres" in json.dumps(response.json(), ensure_ascii=False)


def test_a_team_explanation_in_english_is_unchanged(network):
    assert team_lines(network, None) == ENGLISH_TEAM
    assert team_lines(network, "en") == ENGLISH_TEAM


def test_a_team_explanation_in_spanish(network):
    assert team_lines(network, "es") == [
        "Dirige (ya en el equipo): Lead Member cubre Python (nivel 4), que nadie más del equipo "
        f"tiene; 1{NBSP}200 $/h, 20 h libres por semana.",
        "Se une: Books Member cubre QuickBooks (nivel 3), que nadie más del equipo tiene; "
        "95 $/h, 20 h libres por semana.",
        "Away Member forma parte del equipo, pero no se cuenta en este equipo propuesto: no "
        "está en actividad (de licencia).",
        "Tarifa combinada prevista: 647,50 $/h (40 h repartidas por igual, 20,0 h cada uno).",
        f"Costo estimado: 25{NBSP}900,00 $, frente a un presupuesto de 5{NBSP}000,00 $.",
    ]


def test_a_team_explanation_in_french(network):
    assert team_lines(network, "fr") == [
        f"Dirige (déjà dans l'équipe){NBSP}: Lead Member couvre Python (niveau 4), que personne "
        f"d'autre dans l'équipe ne possède{NBSP}; 1{NBSP}200{NBSP}$/h, 20{NBSP}h libres par "
        "semaine.",
        f"Rejoint l'équipe{NBSP}: Books Member couvre QuickBooks (niveau 3), que personne "
        f"d'autre dans l'équipe ne possède{NBSP}; 95{NBSP}$/h, 20{NBSP}h libres par semaine.",
        "Away Member fait partie de l'équipe, mais n'est pas compté dans cette équipe "
        f"proposée{NBSP}: pas en activité (en congé).",
        f"Tarif combiné prévu{NBSP}: 647,50{NBSP}$/h (40{NBSP}h réparties à parts égales, "
        f"20,0{NBSP}h chacun).",
        f"Coût estimé{NBSP}: 25{NBSP}900,00{NBSP}$, pour un budget de 5{NBSP}000,00{NBSP}$.",
    ]


def test_the_engine_without_django_writes_english():
    """A new interpreter that never sets Django up: the engine's messages stay English."""
    code = """
import json, sys
from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.rank import rank
from matching.teams import propose_teams
from matching.types import ConsultantProfile, RequestProfile

normalizer = Normalizer.from_taxonomy([("Python", []), ("QuickBooks", [])])
members = [
    ConsultantProfile(1, "Lead Member", "active", {"Python": 4}, "", hourly_rate=1200.0,
                      capacity_hours_per_week=20),
    ConsultantProfile(2, "Away Member", "on_leave", {"QuickBooks": 5}, "",
                      capacity_hours_per_week=20),
]
index = MatchIndex.build(members, [], normalizer)
result = rank(index, RequestProfile(skills=("QuickBooks",)))
teams = propose_teams(index, RequestProfile(skills=("Python", "QuickBooks")), seed=(1, 2))
print(json.dumps({
    "reason": result.refer_out_reason,
    "team": teams[0].explanation,
    "django": sorted(name for name in sys.modules if name.split(".")[0] == "django"),
}))
"""
    env = {"PATH": os.environ["PATH"], "HOME": str(ROOT)}
    with translation.override("fr"):  # this process's language reaches no other interpreter
        finished = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert finished.returncode == 0, finished.stderr
    answer = json.loads(finished.stdout.strip().splitlines()[-1])

    assert answer["django"] == []
    assert answer["reason"] == (
        "No available member covers 50% of the confirmed skills. No working member holds: "
        "QuickBooks. Nobody active has QuickBooks (1 inactive or former member)."
    )
    assert answer["team"][:2] == [
        "Leads (on the team already): Lead Member covers Python (level 4), held by nobody else "
        "on the team; $1,200/h, 20 h/week free.",
        "Away Member is on the team but not counted in this proposal: not working (on leave).",
    ]
