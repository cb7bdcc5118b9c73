"""The harness of the role journeys (tests/e2e/test_journey_*.py): one person's browser that checks
every page it lands on.

``Journey.visit(path)`` opens a page and checks it; ``Journey.check()`` checks the page the last
click led to. A check fails, with a readable list, on:

- a serious or critical axe-core finding (WCAG 2.0/2.1 A and AA: the vendored axe-core, tags
  and impacts of ``tests.helpers.axe_violations``, the standard of test_accessibility.py; run here
  for the violations alone, which is several times faster than carrying every result back);
- a page wider than the window (``document.documentElement.scrollWidth`` more than one pixel
  over the viewport's width): nothing may scroll sideways, at 390 px above all;
- any answer of 500 or more the browser received since the last check (pages, redirects,
  fragments fetched by htmx).

Every journey is checked at 1280 px and at 390 px. A short one runs whole at each size: the
``journey_size`` fixture (tests/e2e/conftest.py) is parametrized over ``SIZES``, and the ``person``
fixture opens a ``Journey`` at that size. A long one runs once, at 1280 px, and each person has a
phone beside them (``person_at_both_sizes``): every page the journey checks, the phone opens as it
stands then and checks at 390 px, without making the journey's moves a second time.
A confirmation dialog (``data-confirm``) is accepted, as the person would, and remembered in
``dialogs``.
"""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.helpers import AXE, AXE_BLOCKING, AXE_TAGS, PASSWORD, axe_report

SIZES = {"desktop": DESKTOP, "phone": PHONE}


class Journey:
    """``page`` (Playwright) as one person walks through the site, at ``size`` ("desktop" or
    "phone")."""

    def __init__(self, page: Page, size: str, phone: "Journey | None" = None) -> None:
        self.page = page
        self.size = size
        self.phone = phone  # the same person at 390 px, who opens every page checked here
        self.server_errors: list[str] = []
        self.dialogs: list[str] = []
        self.checked: list[str] = []
        page.on("response", self._record_response)
        page.on("dialog", self._accept_dialog)

    # --- Moving about ---------------------------------------------------------------------

    def visit(self, path: str, *, status: int = 200, check: bool = True):
        """Open ``path``; it must answer ``status``. Checks the page unless ``check`` is off."""
        response = self.page.goto(path)
        assert response is not None, f"no answer from {path}"
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        if check:
            self.check()
        return response

    def sign_in(self, user) -> None:
        """Through the real sign-in form, as ``user`` (a User or a member); checks the form."""
        user = getattr(user, "user", user)
        self.visit("/accounts/login/")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        if self.phone is not None:
            self.phone.sign_in(user)

    def form(self, button: str | re.Pattern, *, within=None):
        """The form whose submit button is named ``button`` (exactly, for a string)."""
        scope = within if within is not None else self.page
        # Hidden too: a form folded in a closed <details> is found, then unfolded.
        button_locator = self.page.get_by_role(
            "button", name=button, exact=isinstance(button, str), include_hidden=True
        )
        return scope.locator("form").filter(has=button_locator).first

    def submit(self, button: str | re.Pattern, fields: dict | None = None, *, within=None):
        """Fill the form whose button is ``button``, field by field through the start of their
        labels, and press the button. A select takes the start of its option's text (a list of
        them for a multiple select); a fieldset of radio buttons or tick boxes takes the start of
        the label of the one to choose, or a list of them; a lone checkbox takes True or False.
        A form in a closed <details> is unfolded first."""
        form = self.form(button, within=within)
        # A form folded in a closed <details> ("Record a decision…") is opened first.
        folded = form.locator("xpath=ancestor::details[not(@open)][1]")
        if folded.count():
            folded.locator("xpath=./summary").click()
        for label, value in (fields or {}).items():
            # A label may end in "(optional)": match its start.
            name = re.compile(rf"^{re.escape(label)}(?!\w)")
            group = form.get_by_role("group", name=name)
            if isinstance(value, (str, list)) and group.count():  # radio buttons, tick boxes
                for item in [value] if isinstance(value, str) else value:
                    group.get_by_label(re.compile(rf"^\s*{re.escape(item)}")).check()
                continue
            field = form.get_by_label(name)
            kind = field.evaluate("element => element.tagName + ':' + (element.type || '')")
            if kind.startswith("SELECT"):
                field.select_option(label=_option_labels(field, value))
            elif kind in ("INPUT:checkbox", "INPUT:radio"):
                field.set_checked(bool(value))
            else:
                field.fill(value)
        form.get_by_role("button", name=button, exact=isinstance(button, str)).click()

    def done(self, text: str | re.Pattern) -> None:
        """The page says ``text`` (any case) in a status message: what a form's success reads."""
        if isinstance(text, str):
            text = re.compile(re.escape(text), re.IGNORECASE)
        expect(self.page.get_by_role("status").filter(has_text=text).first).to_be_visible()

    def heading(self, text: str | re.Pattern) -> None:
        """The page's one level-1 heading reads ``text``."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    # --- Checks ---------------------------------------------------------------------------

    def check(self) -> None:
        """Check the page as it is now: no server error, no sideways scroll, no serious axe
        finding."""
        page = self.page
        page.wait_for_load_state()
        where = f"{page.url} ({self.size})"
        assert not self.server_errors, f"server errors before {where}: {self.server_errors}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{where} scrolls sideways by {overflow}px: {self._too_wide()}"
        violations = serious_violations(page)
        assert violations == [], axe_report(where, violations)
        self.checked.append(page.url)
        if self.phone is not None:
            # The page as it stands now, at 390 px; a refused form's page is opened afresh.
            path = path_of(page).split("#")[0]
            response = self.phone.page.goto(path)
            if response is None:  # the phone was there already, at another #fragment
                response = self.phone.page.reload()
            assert response.status < 500, f"{path} answered {response.status} on the phone"
            self.phone.check()

    def _too_wide(self) -> list[str]:
        """The innermost shown elements that reach past the window's right edge, as CSS
        paths."""
        return self.page.evaluate(
            """() => {
              const edge = window.innerWidth + 1;
              const wide = [...document.body.querySelectorAll("*")].filter(
                (element) => element.checkVisibility({contentVisibilityAuto: true}) &&
                  element.getBoundingClientRect().right > edge);
              const innermost = wide.filter(
                (element) => !wide.some((other) => other !== element && element.contains(other)));
              const name = (element) => element.tagName.toLowerCase() +
                (element.id ? "#" + element.id : "") +
                [...element.classList].map((c) => "." + c).join("");
              return innermost.slice(0, 5).map((element) => {
                const path = [];
                for (let at = element; at && at !== document.body; at = at.parentElement) {
                  path.unshift(name(at));
                }
                return path.slice(-4).join(" > ") +
                  " (right edge " + Math.round(element.getBoundingClientRect().right) + "px)";
              });
            }"""
        )

    def _record_response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def _accept_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()


_AXE_RUN = """async ([tags, blocking]) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations.filter((violation) => blocking.includes(violation.impact));
}"""


def serious_violations(page: Page) -> list[dict]:
    """The serious and critical axe-core violations of WCAG 2.0/2.1 A and AA on ``page``, as
    ``tests.helpers.axe_violations`` finds them, shaped for ``axe_report``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;true")
    return page.evaluate(_AXE_RUN, [AXE_TAGS, sorted(AXE_BLOCKING)])


def _option_labels(select, wanted: str | list[str]) -> list[str]:
    """The full texts of the options of ``select`` that read, or start with, each ``wanted``."""
    texts = select.evaluate("element => [...element.options].map(option => option.label)")
    chosen = []
    for text in [wanted] if isinstance(wanted, str) else wanted:
        matching = [option for option in texts if option == text] or [
            option for option in texts if option.startswith(text)
        ]
        assert matching, f"no option {text!r} among {texts}"
        chosen.append(matching[0])
    return chosen


def path_of(page: Page) -> str:
    """The path (and query) of the page's address, without the live server's origin."""
    return re.sub(r"^https?://[^/]+", "", page.url)
