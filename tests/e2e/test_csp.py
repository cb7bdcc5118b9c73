"""In a real browser, the Content-Security-Policy blocks nothing the pages need: no console
message about the policy and no securitypolicyviolation event, with htmx and Swagger UI running."""

import pytest
from playwright.sync_api import expect

from network import services
from network.roles import Role

pytestmark = pytest.mark.e2e

# Playwright's init scripts run outside the page's policy, so this listener is always there.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def watch_for_csp_problems(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return problems


def visit(page, path: str, problems: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__cspViolations"))


def test_public_pages_run_under_the_policy(page):
    problems = watch_for_csp_problems(page)
    for path in ["/", "/request/", "/join/", "/accounts/login/", "/accounts/password-reset/"]:
        visit(page, path, problems)
    assert problems == []


def test_member_pages_and_htmx_filtering_run_under_the_policy(page, alliance, sign_in):
    problems = watch_for_csp_problems(page)
    sign_in(page, alliance["me"])
    visit(page, "/members/", problems)
    # An htmx swap: the directory filters live; htmx would inject a <style> if not told not to.
    page.get_by_label("Skill").fill("wordpress")
    page.get_by_label("Skill").press("Enter")
    expect(page.locator("#directory-results")).to_contain_text("Web Colleague")
    problems.extend(page.evaluate("window.__cspViolations"))
    for path in ["/profile/", "/bids/board/", "/handbook/"]:
        visit(page, path, problems)
    assert problems == []


def test_the_coordinator_queue_runs_under_the_policy(page, alliance, sign_in):
    services.user_grant_role(user=alliance["me"].user, role=Role.INTAKE_COORDINATOR)
    problems = watch_for_csp_problems(page)
    sign_in(page, alliance["me"])
    visit(page, "/coordination/queue/", problems)
    visit(page, "/coordination/metrics/", problems)
    assert problems == []


def test_swagger_ui_renders_the_api_under_its_policy(page):
    problems = watch_for_csp_problems(page)
    visit(page, "/api/docs/", problems)
    expect(page.get_by_text("Switchboard API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    problems.extend(page.evaluate("window.__cspViolations"))
    assert problems == []
