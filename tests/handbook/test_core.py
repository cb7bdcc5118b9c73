"""The handbook's core: revisions never overwritten, rendering made safe, outcomes computed."""

import pytest
from django.core.exceptions import ValidationError

from handbook import decisions, services
from handbook.models import Page, PageRevision
from handbook.rendering import render

pytestmark = pytest.mark.django_db


def test_a_stale_edit_is_refused_and_nothing_is_lost(member, other_member):
    page = services.page_create(actor=member, title="Cover during time away", body="First.")
    first = page.latest_revision_id
    services.page_edit(actor=member, page_id=page.pk, base_revision=first, body="Second.")
    with pytest.raises(services.EditConflict) as conflict:
        services.page_edit(actor=other_member, page_id=page.pk, base_revision=first, body="Mine.")
    page.refresh_from_db()
    assert page.body == "Second."
    assert conflict.value.latest.body == "Second."
    assert PageRevision.objects.filter(page=page).count() == 2


def test_revisions_cannot_be_changed_or_deleted(member):
    page = services.page_create(actor=member, title="Membership and probation", body="Text")
    revision = page.latest_revision
    revision.body = "Rewritten history"
    with pytest.raises(ValidationError):
        revision.save()
    with pytest.raises(ValidationError):
        revision.delete()
    assert PageRevision.objects.get(pk=revision.pk).body == "Text"


def test_a_duplicate_slug_is_a_field_error(member):
    services.page_create(actor=member, title="Meetings and minutes")
    with pytest.raises(ValidationError) as error:
        services.page_create(actor=member, title="Meetings and Minutes!")
    assert "slug" in error.value.message_dict
    assert Page.objects.count() == 1


def test_rendering_removes_scripts_handlers_and_javascript_urls():
    rendered = render(
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
        '[click](javascript:alert(1)) <a href="javascript:alert(1)" style="color:red">x</a>'
        "\n\n[[Outside referrals]] and [[Missing page|a label]]",
        existing_slugs={"outside-referrals"},
    )
    html = rendered.html.lower()
    for vector in ("<script", "onerror", "javascript:", "style="):
        assert vector not in html
    assert 'class="wikilink"' in rendered.html and "wikilink missing" in rendered.html
    assert rendered.links_to == ("outside-referrals", "missing-page")


@pytest.mark.parametrize(
    ("rule", "quorum", "votes", "expected"),
    [
        ("two_thirds", 3, ["for", "for", "against"], "passed"),
        ("two_thirds", 3, ["for", "against", "against"], "failed"),
        ("two_thirds", 4, ["for", "for", "against"], "no_quorum"),
        ("consensus", 2, ["for", "block", "for"], "blocked"),
        ("consensus", 2, ["for", "abstain"], "passed"),
        ("simple_majority", 2, ["for", "block"], "failed"),
        ("three_quarters", 4, ["for", "for", "for", "against", "abstain"], "passed"),
    ],
)
def test_outcome_follows_the_votes(rule, quorum, votes, expected):
    assert decisions.outcome(rule, quorum, votes) == expected


def test_wiki_link_syntax_inside_code_stays_literal():
    body = "Write `[[Page title]]` to link.\n\n```\n[[Fenced]]\n```\n\n    [[Indented]]\n\n[[Real]]"
    rendered = render(body, existing_slugs={"real"})
    assert rendered.links_to == ("real",)
    assert "<code>[[Page title]]</code>" in rendered.html
    assert rendered.html.count('class="wikilink"') == 1


def test_line_endings_are_stored_as_newlines(member):
    page = services.page_create(actor=member, title="Line endings", body="One\r\nTwo")
    assert page.body == "One\nTwo"
    with pytest.raises(ValidationError):
        services.page_edit(
            actor=member, page_id=page.pk, base_revision=page.latest_revision_id, body="One\nTwo"
        )
