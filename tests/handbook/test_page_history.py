"""A handbook page's history, the diff of two revisions, and reverting to an old one, as the
pages show them."""

import pytest

from handbook import services
from handbook.models import Page
from tests.helpers import consultant
from tests.helpers import handbook_page_url as page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(member, pages):
    """The guide with three revisions: created, extended, reworded."""
    page = pages["guide"]
    first = page.latest_revision_id
    second = services.page_edit(
        actor=member,
        page_id=page.pk,
        base_revision=first,
        body="Rate agreements split the pool.\nBy hours.",
        summary="Add the split",
    )
    services.page_edit(
        actor=member,
        page_id=page.pk,
        base_revision=second.pk,
        body="Agreements split the pool.\nBy hours.",
        summary="Reword",
    )
    return Page.objects.get(pk=page.pk)


def test_the_history_lists_revisions_with_authors_and_line_counts(signed_in, member, revised):
    response = signed_in(member).get(page_url(revised, "handbook-history"))
    rows = response.context["rows"]
    assert [row.revision.number for row in rows] == [3, 2, 1]
    assert [(row.added, row.removed) for row in rows] == [(1, 1), (1, 0), (1, 0)]
    assert rows[0].author == consultant(member).display_name
    content = response.content.decode()
    assert "Reword" in content and "Revert to this revision" in content


def test_the_diff_shows_two_revisions_side_by_side(signed_in, member, revised):
    response = signed_in(member).get(page_url(revised, "handbook-diff"), {"from": 1, "to": 3})
    assert response.status_code == 200
    kinds = [row.kind for row in response.context["rows"]]
    assert kinds == ["replace", "insert"]
    assert response.context["stats"] == {"added": 2, "removed": 1}
    default = signed_in(member).get(page_url(revised, "handbook-diff"))
    assert (default.context["old"].number, default.context["new"].number) == (2, 3)


@pytest.mark.parametrize("query", [{"from": 1, "to": 9}, {"from": "x", "to": 2}, {"to": 2}])
def test_a_diff_of_revisions_that_do_not_exist_is_a_form_error(signed_in, member, revised, query):
    response = signed_in(member).get(page_url(revised, "handbook-diff"), query)
    assert response.status_code == 400


def test_revert_restores_an_old_revision_as_a_new_one(signed_in, member, revised):
    first = revised.revisions.get(number=1)
    response = signed_in(member).post(
        page_url(revised, "handbook-revert"),
        {"revision": first.pk, "base_revision": revised.latest_revision_id},
    )
    assert response.status_code == 302
    revised.refresh_from_db()
    assert revised.body == "Rate agreements split the pool."
    assert revised.latest_revision.number == 4 and revised.latest_revision.reverts == first


def test_a_stale_revert_answers_409_and_changes_nothing(signed_in, member, revised):
    first = revised.revisions.get(number=1)
    stale = revised.revisions.get(number=2)
    response = signed_in(member).post(
        page_url(revised, "handbook-revert"), {"revision": first.pk, "base_revision": stale.pk}
    )
    assert response.status_code == 409
    assert b"Someone saved revision 3 of this page" in response.content
    assert revised.revisions.count() == 3


def test_reverting_to_the_latest_revision_is_refused(signed_in, member, revised):
    response = signed_in(member).post(
        page_url(revised, "handbook-revert"),
        {"revision": revised.latest_revision_id, "base_revision": revised.latest_revision_id},
    )
    assert response.status_code == 400
    assert revised.revisions.count() == 3
