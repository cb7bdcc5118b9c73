"""The matching API: ``POST /api/v1/skills/normalize/``, ``POST /api/v1/match/`` and
``GET /api/v1/requests/<id>/matches/`` — their answers, bad input, who may call them and what
they cost."""

import pytest

from intake.models import Request
from network.models import Consultant, Language, User
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    RequestFactory,
    SkillAliasFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

NORMALIZE = "/api/v1/skills/normalize/"
MATCH = "/api/v1/match/"


def matches_url(request_id: int) -> str:
    return f"/api/v1/requests/{request_id}/matches/"


def fresh(user) -> User:
    """The user re-read, so role look-ups cached on the object are not reused."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def network(db):
    civicrm = SkillFactory(name="CiviCRM")
    SkillAliasFactory(skill=civicrm, alias="Civi CRM")
    wordpress = SkillFactory(name="WordPress")
    accessibility = SkillFactory(name="Web accessibility")
    crm = ConsultantFactory(display_name="Member 01 · CRM", bio="Donor databases and CiviCRM.")
    ConsultantSkillFactory(consultant=crm, skill=civicrm, level=5)
    web = ConsultantFactory(display_name="Member 02 · Web", bio="WordPress sites.")
    ConsultantSkillFactory(consultant=web, skill=wordpress, level=4)
    outside = ExternalProfessionalFactory(name="Outside 01 · accessibility")
    outside.skills.add(accessibility)
    return {"crm": crm, "web": web, "outside": outside}


# --- POST /api/v1/skills/normalize/ ---------------------------------------------------------


def test_normalize_names_the_canonical_skill_or_null(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        NORMALIZE, {"terms": ["civi crm", "Underwater basket weaving"]}, format="json"
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["input"] == "civi crm"
    assert results[0]["skill"] == "CiviCRM"
    assert 0 < results[0]["score"] <= 1
    assert results[1] == {"input": "Underwater basket weaving", "skill": None, "score": None}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"terms": []},
        {"terms": ["CiviCRM"] * 51},
        {"terms": ["x" * 101]},
        {"terms": "CiviCRM"},
    ],
    ids=["missing", "empty", "51 terms", "term of 101 characters", "not a list"],
)
def test_normalize_bad_input_is_400(api_as, intake_coordinator, network, body):
    response = api_as(intake_coordinator).post(NORMALIZE, body, format="json")

    assert response.status_code == 400
    assert "terms" in response.json()


def test_normalize_accepts_50_terms_of_100_characters(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        NORMALIZE, {"terms": ["y" * 100] * 50}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) == 50


# --- POST /api/v1/match/ --------------------------------------------------------------------


def test_match_ranks_members_with_their_factors(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        MATCH,
        {
            "title": "Donor database",
            "description": "Our donor records need cleaning up.",
            "skills": ["Civi CRM", "Quantum knitting"],
            "budget_max": "2000",
            "estimated_hours": 20,
            "desired_start": "2030-01-15",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "normalized_skills",
        "unknown_terms",
        "candidates",
        "refer_out",
        "refer_out_reason",
        "external",
        "mentioned_skills",
        "unheld_skills",
    }
    assert [match["skill"] for match in body["normalized_skills"]] == ["CiviCRM"]
    assert body["unheld_skills"] == []
    assert body["unknown_terms"] == ["Quantum knitting"]
    assert body["refer_out"] is False
    best = body["candidates"][0]
    assert best["consultant"] == {"id": network["crm"].pk, "name": "Member 01 · CRM"}
    assert set(best) == {"consultant", "score", "factors", "covered_skills", "missing_skills"}
    assert set(best["factors"]) == {
        "skill_coverage",
        "text_similarity",
        "capacity",
        "budget_fit",
        "continuity",
        "rotation",
    }
    assert best["score"] == pytest.approx(sum(best["factors"].values()), abs=1e-6)
    assert best["covered_skills"] == ["CiviCRM"]
    assert best["missing_skills"] == []


def test_match_refers_out_with_outside_professionals(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(
        MATCH, {"description": "Audit our site.", "skills": ["Web accessibility"]}, format="json"
    )

    body = response.json()
    assert body["refer_out"] is True
    assert body["refer_out_reason"]
    assert body["external"][0] == {
        "id": network["outside"].pk,
        "name": "Outside 01 · accessibility",
        "organization": "Independent practice",
        "coverage": 1.0,
        "covered_skills": ["Web accessibility"],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Help"}, "non_field_errors"),
        ({"description": "  ", "skills": []}, "non_field_errors"),
        ({"description": "Help", "skills": ["CiviCRM"] * 51}, "skills"),
        ({"description": "Help", "skills": ["x" * 101]}, "skills"),
        ({"description": "Help", "budget_max": "-1"}, "budget_max"),
        ({"description": "Help", "languages": ["xx"]}, "languages"),
        ({"description": "Help", "desired_start": "soon"}, "desired_start"),
    ],
    ids=[
        "no description and no skills",
        "blank description",
        "51 skills",
        "skill of 101 characters",
        "negative budget",
        "unknown language",
        "bad date",
    ],
)
def test_match_bad_input_is_400(api_as, intake_coordinator, network, body, field):
    response = api_as(intake_coordinator).post(MATCH, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_match_keeps_to_members_who_speak_the_language(api_as, intake_coordinator, network):
    network["web"].languages.add(Language.objects.get(code="es"))
    ConsultantSkillFactory(consultant=network["crm"], skill=network["web"].skills.get().skill)

    response = api_as(intake_coordinator).post(
        MATCH, {"skills": ["WordPress"], "languages": ["es"]}, format="json"
    )

    ids = [candidate["consultant"]["id"] for candidate in response.json()["candidates"]]
    assert ids == [network["web"].pk]


def test_match_with_skills_only_is_fine(api_as, intake_coordinator, network):
    response = api_as(intake_coordinator).post(MATCH, {"skills": ["WordPress"]}, format="json")

    assert response.status_code == 200
    assert response.json()["candidates"][0]["consultant"]["id"] == network["web"].pk


def test_an_edit_shows_in_the_next_ranking(api_as, intake_coordinator, network):
    client = api_as(intake_coordinator)
    client.post(MATCH, {"skills": ["WordPress"]}, format="json")
    ConsultantSkillFactory(consultant=network["crm"], skill=network["web"].skills.get().skill)
    network["web"].status = Consultant.Status.ON_LEAVE
    network["web"].save()

    response = client.post(MATCH, {"skills": ["WordPress"]}, format="json")

    ids = [candidate["consultant"]["id"] for candidate in response.json()["candidates"]]
    assert ids == [network["crm"].pk]


# --- GET /api/v1/requests/<id>/matches/ -----------------------------------------------------


def test_matches_for_a_saved_request(api_as, intake_coordinator, network):
    saved = RequestFactory(skills=["civi crm"], description="Clean up donor records.")

    response = api_as(intake_coordinator).get(matches_url(saved.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["candidates"][0]["consultant"]["id"] == network["crm"].pk
    assert body["refer_out"] is False


def test_matches_of_a_request_the_coordinator_may_not_see_is_404(
    api_as, group_coordinator, network
):
    elsewhere = RequestFactory()

    assert api_as(group_coordinator).get(matches_url(elsewhere.pk)).status_code == 404


def test_group_coordinator_gets_matches_for_the_groups_requests(api_as, group_coordinator, network):
    group = group_coordinator.consultant.coordinated_groups.get()
    routed = RequestFactory(status=Request.Status.ROUTED, assigned_group=group)

    assert api_as(group_coordinator).get(matches_url(routed.pk)).status_code == 200


# --- Who may call -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["intake_coordinator", "community_coordinator", "group_coordinator", "admin"],
)
def test_coordinators_and_admins_may_match(api_as, request, network, role):
    user = request.getfixturevalue(role)
    client = api_as(user)

    assert client.post(NORMALIZE, {"terms": ["CiviCRM"]}, format="json").status_code == 200
    assert client.post(MATCH, {"skills": ["CiviCRM"]}, format="json").status_code == 200


def _applicant():
    return ConsultantFactory(status=Consultant.Status.APPLICANT).user


@pytest.mark.parametrize(
    "who",
    ["anonymous", "member", "applicant", "account without a member record"],
)
def test_others_are_refused(api, api_as, member, network, who):
    users = {
        "anonymous": None,
        "member": member,
        "applicant": _applicant(),
        "account without a member record": UserFactory(),
    }
    client = api_as(users[who]) if users[who] else api
    saved = RequestFactory()
    refused = 401 if who == "anonymous" else 403

    assert client.post(NORMALIZE, {"terms": ["CiviCRM"]}, format="json").status_code == refused
    assert client.post(MATCH, {"skills": ["CiviCRM"]}, format="json").status_code == refused
    assert client.get(matches_url(saved.pk)).status_code == refused


# --- What a call costs --------------------------------------------------------------------


def test_match_query_count_is_bounded(
    api_as, intake_coordinator, network, django_assert_max_num_queries
):
    client = api_as(fresh(intake_coordinator))
    client.post(MATCH, {"skills": ["CiviCRM"]}, format="json")  # builds the index
    spanish = Language.objects.get(code="es")
    for _ in range(20):
        consultant = ConsultantFactory()
        consultant.languages.add(spanish)
        ConsultantSkillFactory(consultant=consultant, skill=network["crm"].skills.get().skill)
    client.post(MATCH, {"skills": ["CiviCRM"]}, format="json")  # rebuilds after the edits
    client = api_as(fresh(intake_coordinator))

    # 1 the viewer's roles, 2 the index's stamp, 3 the language codes.
    with django_assert_max_num_queries(3):
        response = client.post(MATCH, {"skills": ["CiviCRM"], "languages": ["es"]}, format="json")

    assert len(response.json()["candidates"]) == 10


def test_normalize_query_count_is_bounded(
    api_as, intake_coordinator, network, django_assert_max_num_queries
):
    api_as(intake_coordinator).post(NORMALIZE, {"terms": ["CiviCRM"]}, format="json")
    client = api_as(fresh(intake_coordinator))

    # 1 the viewer's roles, 2 the index's stamp.
    with django_assert_max_num_queries(2):
        response = client.post(NORMALIZE, {"terms": ["CiviCRM"] * 50}, format="json")

    assert response.status_code == 200


def test_request_matches_query_count_is_bounded(
    api_as, intake_coordinator, network, django_assert_max_num_queries
):
    saved = RequestFactory(skills=["CiviCRM"])
    api_as(intake_coordinator).get(matches_url(saved.pk))
    client = api_as(fresh(intake_coordinator))

    # 1 roles, 2 the request through the gate, 3 its languages, 4 the index's stamp.
    with django_assert_max_num_queries(4):
        response = client.get(matches_url(saved.pk))

    assert response.status_code == 200
