"""A request's skills in a real browser: the intake coordinator sees the skills the client named
apart from those the description mentions, confirms one suggestion, dismisses another, adds a
skill, and the suggested members stay above any referral. The page stays free of serious axe-core
violations after each change.
"""

import pytest
from playwright.sync_api import expect

from intake import services as intake_services
from intake.models import Request, RequestEvent
from intake.workflow import request_apply
from matching import adapter
from network import services
from network.roles import Role
from tests.factories import ConsultantSkillFactory, SkillAliasFactory, SkillFactory
from tests.helpers import axe_report, axe_violations, member_with_password

pytestmark = pytest.mark.e2e


@pytest.fixture
def food_bank(transactional_db):
    """A taxonomy, a member holding the named skills, and a triaged food-bank request whose
    description mentions Excel spreadsheets and mail merges."""
    services.languages_ensure()
    npsp = SkillFactory(name="Salesforce Nonprofit Success Pack", slug="salesforce-npsp")
    SkillAliasFactory(skill=npsp, alias="NPSP")
    cleanup = SkillFactory(name="Data cleanup", slug="data-cleanup")
    excel = SkillFactory(name="Microsoft Excel", slug="microsoft-excel")
    SkillAliasFactory(skill=excel, alias="Excel")
    merges = SkillFactory(name="Mail merges", slug="mail-merges")
    SkillAliasFactory(skill=merges, alias="mail merge")
    SkillFactory(name="WordPress", slug="wordpress")

    desk = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=desk.user, role=Role.INTAKE_COORDINATOR)
    member = member_with_password(display_name="Database Member")
    ConsultantSkillFactory(consultant=member, skill=npsp, level=4)
    ConsultantSkillFactory(consultant=member, skill=cleanup, level=4)
    adapter.forget_index()

    request = intake_services.request_submit(
        organization_name="Riverside Food Bank",
        contact_name="Office desk",
        contact_email="office@riverside-food-bank.example.org",
        title="Clean up our donor database",
        description=(
            "Our donor records live in our old Excel spreadsheets and we do mail merges for "
            "the thank-you letters."
        ),
        skills=["NPSP", "data cleanup"],
    ).request
    for action in ("contact", "triage"):
        request_apply(request_id=request.pk, action=action, actor=desk.user, version=None)
    yield {"desk": desk, "member": member, "request": Request.objects.get(pk=request.pk)}
    adapter.forget_index()


def test_the_coordinator_confirms_dismisses_and_adds_skills(page, food_bank, sign_in):
    request = food_bank["request"]
    sign_in(page, food_bank["desk"])
    page.goto(f"/coordination/requests/{request.pk}/")

    skills = page.locator("#skills")
    named = skills.locator(".skills-named")
    suggested = skills.locator(".skills-suggested")
    # Named skills are shown as written, with the skill a term was recognised as.
    expect(named).to_contain_text("NPSP")
    expect(named.locator(".skill-row", has_text="NPSP")).to_contain_text(
        "recognised as Salesforce Nonprofit Success Pack"
    )
    expect(named).to_contain_text("data cleanup")
    expect(suggested).to_contain_text("Microsoft Excel")
    expect(suggested).to_contain_text("Mail merges")
    # The member holding the named skills is suggested, and nobody is proposed for referral.
    expect(page.locator(".match-candidates")).to_contain_text("Database Member")
    expect(page.locator(".match-refer-out")).to_have_count(0)
    assert not axe_violations(page), axe_report(page.url, axe_violations(page))

    # Confirm one suggestion: it becomes required, and nobody holds it.
    suggested.get_by_role("button", name="Confirm Microsoft Excel").click()
    expect(page.get_by_role("status")).to_contain_text("Microsoft Excel")
    expect(skills.locator(".skills-confirmed")).to_contain_text("Microsoft Excel")
    expect(skills.locator(".skills-suggested")).not_to_contain_text("Microsoft Excel")

    # Dismiss the other: it leaves the suggestions and can be undone.
    skills.locator(".skills-suggested").get_by_role("button", name="Dismiss Mail merges").click()
    expect(skills.locator(".skills-dismissed")).to_contain_text("Mail merges")
    expect(skills.locator(".skills-suggested")).to_have_count(0)

    # Add a named skill by typing it as a client would.
    skills.locator(".skills-add-form input[type=text]").fill("wordpres")
    skills.get_by_role("button", name="Add skill").click()
    expect(skills.locator(".skills-named")).to_contain_text("wordpres")
    assert not axe_violations(page), axe_report(page.url, axe_violations(page))

    request.refresh_from_db()
    assert request.skills == ["NPSP", "data cleanup", "wordpres"]
    assert request.confirmed_skills == ["Microsoft Excel"]
    assert request.dismissed_skills == ["Mail merges"]
    assert RequestEvent.objects.filter(request=request, action="skills_edit").count() == 3
