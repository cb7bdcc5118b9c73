"""How a page reads: its title once (a body's own leading level-1 heading is not shown again),
and its text as plain words for search snippets (``handbook.rendering``)."""

import re

import pytest

from handbook.management.commands.seed_handbook import starter_pages
from handbook.rendering import plain_text, render

STARTER = starter_pages()


def headings(html: str, level: int) -> list[str]:
    return re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", html, re.S)


# --- One title ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "# Membership policy\n\nNine months of probation.",
        "#Membership policy\n\nNine months of probation.",
        "\n\n#   membership   POLICY  \n\nNine months of probation.",
        "# Membership policy #\n\nNine months of probation.",
        "Membership policy\n=================\n\nNine months of probation.",
        "<h1>Membership policy</h1>\n\nNine months of probation.",
        # Any leading level-1 heading: the page's own title is its heading.
        "# About membership\n\nNine months of probation.",
    ],
)
def test_a_leading_level_one_heading_is_not_shown_again(body):
    rendered = render(body, set())

    assert headings(rendered.html, 1) == []
    assert rendered.html.startswith("<p>Nine months of probation.</p>")


def test_only_the_leading_heading_goes_and_the_rest_of_the_page_stays():
    body = "# Membership\n\nIntro.\n\n## Probation\n\nNine months.\n\n# Leaving\n\nSay so."

    html = render(body, set()).html

    assert headings(html, 1) == ["Leaving"]
    assert headings(html, 2) == ["Probation"]
    assert html.startswith("<p>Intro.</p>")


@pytest.mark.parametrize(
    "body",
    [
        "## Membership\n\nText.",  # a level-2 heading is a section, not the title
        "Intro first.\n\n# Membership\n\nText.",  # not leading
        "```\n# Membership\n```",  # code, shown as typed
        "    # Membership",  # indented code
    ],
)
def test_a_heading_that_is_not_a_leading_level_one_heading_stays(body):
    html = render(body, set()).html

    assert "Membership" in html


def test_a_body_of_nothing_but_its_title_renders_empty():
    assert render("# Membership policy\n", set()).html == ""


@pytest.mark.parametrize("page", STARTER, ids=lambda page: page.slug)
def test_every_starter_page_shows_its_title_once(page):
    # Each starter page opens with "# Its title"; the page shows that title as its heading.
    assert page.body.lstrip().startswith(f"# {page.title}\n")

    html = render(page.body, set()).html

    assert headings(html, 1) == []
    assert html.startswith("<p>")


@pytest.mark.django_db
def test_the_page_shows_one_title_and_keeps_the_stored_body(signed_in, member, pages):
    page = pages["public"]  # its body opens with "# How intake works"

    response = signed_in(member).get(page.get_absolute_url())

    content = response.content.decode()
    assert len(re.findall(r"<h1\b", content)) == 1
    assert re.search(r"<h1>\s*How intake works\s*</h1>", content)
    page.refresh_from_db()
    assert page.body.startswith("# How intake works\n")


@pytest.mark.django_db
def test_the_api_html_leaves_out_the_leading_title_too(api_as, member, pages):
    body = api_as(member).get(f"/api/v1/handbook/pages/{pages['public'].slug}/").json()

    assert body["body"].startswith("# How intake works")
    assert "<h1" not in body["html"]


# --- Plain text, for snippets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("# Title\n\n## Section ##\n\nText.", "Title Section Text."),
        ("Title\n=====\n\nSub\n---\n\nText.", "Title Sub Text."),
        ("Some **bold**, __strong__, *em*, _em_ and ~~old~~ words.",
         "Some bold, strong, em, em and old words."),
        ("A snake_case_name and 2 * 3 * 4 stay.", "A snake_case_name and 2 * 3 * 4 stay."),
        ("Run `manage.py migrate` first.", "Run manage.py migrate first."),
        ("See [[Intake and routing]] and [[intake-and-routing|the front door]].",
         "See Intake and routing and the front door."),
        ('A [link](https://example.org "Title") and ![a chart](chart.png).',
         "A link and a chart."),
        ("A [reference link][ref].\n\n[ref]: https://example.org", "A reference link."),
        ("Mail <mailto:desk@example.org> or <https://example.org>.",
         "Mail mailto:desk@example.org or https://example.org."),
        ("- one\n- two\n* three\n1. four\n2) five", "one two three four five"),
        ("> quoted\n> > nested", "quoted nested"),
        ("| Rule | Share |\n|------|:-----:|\n| Consensus | all |",
         "Rule Share Consensus all"),
        ("Before\n\n---\n\nAfter", "Before After"),
        ("<div class='x'>Tagged <strong>text</strong></div><!-- note -->", "Tagged text"),
        ("Escaped \\*stars\\* and \\# hash", "Escaped *stars* and # hash"),
        ("AT&amp;T &lt;3", "AT&T <3"),
        ("```\n[[Not a link]] and **as typed**\n```\nAfter.",
         "[[Not a link]] and **as typed** After."),
        ("Inline `[[as typed]]` code.", "Inline [[as typed]] code."),
        ("a < b & c > d", "a < b & c > d"),
        ("", ""),
    ],
)  # fmt: skip
def test_plain_text_has_the_words_without_the_markdown(markdown, text):
    assert plain_text(markdown) == text


def test_plain_text_is_one_line():
    assert plain_text("One\n\n  Two\tthree\n\n\nFour") == "One Two three Four"
