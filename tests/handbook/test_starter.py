"""The starter handbook: well-formed pages that link to each other, loaded once by
``seed_handbook``."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from handbook import decisions
from handbook.management.commands.seed_handbook import starter_pages
from handbook.models import Page, PageLink
from handbook.rendering import WIKILINK, slug_for
from tests.factories import UserFactory

PAGES = starter_pages()
SLUGS = {page.slug for page in PAGES}


def _words(markdown: str) -> int:
    return len(re.findall(r"\w+", markdown))


def test_the_guide_has_seven_to_nine_pages():
    assert 7 <= len(PAGES) <= 9
    assert len(SLUGS) == len(PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_each_page_is_well_formed(page):
    assert page.category in {"policy", "procedure", "guide"}
    assert page.visibility in {"public", "members"}
    assert page.slug == slug_for(page.title)  # so [[Title]] links reach it
    assert 150 <= _words(page.body) <= 500
    assert WIKILINK.search(page.body), "links to at least one other page"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_every_wiki_link_points_at_a_starter_page(page):
    targets = {slug_for(match.group(1)) for match in WIKILINK.finditer(page.body)}

    assert targets <= SLUGS
    assert page.slug not in targets


def test_every_page_is_linked_from_another():
    linked = {slug_for(match.group(1)) for page in PAGES for match in WIKILINK.finditer(page.body)}

    assert linked == SLUGS


def test_the_guide_covers_what_the_issue_asks_for():
    text = " ".join(page.body.lower() for page in PAGES)

    for subject in (
        "intake coordinator",
        "outside professionals",
        "probation",
        "consensus",
        "two thirds",
        "three quarters",
        "equal_rate",
        "rate_weighted",
        "overrun",
        "signs a **specific version**",
        "time away",
        "minutes",
    ):
        assert subject in text, subject


def test_the_counting_rules_are_stated_as_the_code_counts():
    page = next(page for page in PAGES if page.slug == "how-we-make-decisions")
    stated = " ".join(page.body.split())

    rules = decisions.__doc__.split("The rules, as the decisions register states them:")[1]
    for rule in rules.strip().split("\n- "):
        # The code names its parameter; the page speaks of "the quorum of" members.
        rule = rule.lstrip("- ").replace("``quorum``", "the quorum of")
        assert " ".join(rule.split()) in stated


def test_no_person_is_named():
    # Roles only: the only capitalised words inside sentences are the page titles in links.
    text = " ".join(page.body for page in PAGES)
    text = WIKILINK.sub("", text)
    capitalised = set(re.findall(r"(?<=[a-z,;] )[A-Z][a-z]+", text))

    assert capitalised <= {"Nobody", "No"}, capitalised


@pytest.mark.django_db
def test_seed_handbook_loads_the_pages_once(admin):
    output = io.StringIO()
    call_command("seed_handbook", stdout=output)
    call_command("seed_handbook", stdout=output)

    assert set(Page.objects.values_list("slug", flat=True)) == SLUGS
    assert f"{len(PAGES)} created, 0 already there" in output.getvalue()
    assert f"0 created, {len(PAGES)} already there" in output.getvalue()
    page = Page.objects.get(slug="how-we-make-decisions")
    assert page.category == "policy" and page.visibility == "public"
    assert page.latest_revision.author == admin
    assert page.latest_revision.summary == "Starter handbook"
    assert PageLink.objects.filter(to_slug="meetings-and-minutes").exists()


@pytest.mark.django_db
def test_seed_handbook_keeps_an_edited_page(member):
    call_command("seed_handbook", username=member.username, stdout=io.StringIO())
    page = Page.objects.get(slug="outside-referrals")
    revision = page.latest_revision_id

    call_command("seed_handbook", username=member.username, stdout=io.StringIO())

    page.refresh_from_db()
    assert page.latest_revision_id == revision
    assert page.latest_revision.author == member


@pytest.mark.django_db
def test_seed_handbook_needs_an_author():
    UserFactory()  # not a superuser

    with pytest.raises(CommandError, match="No superuser"):
        call_command("seed_handbook", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user called"):
        call_command("seed_handbook", username="nobody", stdout=io.StringIO())
    assert not Page.objects.exists()


@pytest.mark.django_db
def test_seed_demo_loads_the_starter_handbook_once():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    pages = Page.objects.count()
    assert pages >= 7
    call_command("seed_demo", stdout=io.StringIO())
    assert Page.objects.count() == pages
