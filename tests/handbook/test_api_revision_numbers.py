"""The pages API names a page's revision as its page does: ``revision`` is the page's own
revision number ("revision 3"), ``revision_id`` the revision's id (for ``/revisions/<id>/`` and
diffs). Edits and reverts send that number back as ``base_revision``; a stale one is 409."""

import pytest

from handbook import services
from handbook.models import PageRevision
from tests.helpers import api_schema_document
from tests.helpers import handbook_api_page_url as page_url
from tests.helpers import handbook_page_edit as edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(author):
    """A page at its revision 3 whose revisions' ids are not 1, 2, 3: other pages were written
    first and in between."""
    for number in range(4):
        services.page_create(actor=author, title=f"Earlier page {number}", body="Text.")
    page = services.page_create(actor=author, title="Membership policy", body="One.\n")
    services.page_create(actor=author, title="Another page", body="Text.")
    edit(page, author, "Two.\n")
    edit(page, author, "Three.\n")
    page.refresh_from_db()
    assert page.latest_revision.number == 3 != page.latest_revision_id
    return page


def test_detail_and_list_give_the_pages_own_revision_number(api_as, member, signed_in, third):
    detail = api_as(member).get(page_url(third)).json()
    [row] = [
        row
        for row in api_as(member)
        .get("/api/v1/handbook/pages/", {"page_size": 100})
        .json()["results"]
        if row["slug"] == third.slug
    ]

    assert (detail["revision"], detail["revision_id"]) == (3, third.latest_revision_id)
    assert (row["revision"], row["revision_id"]) == (3, third.latest_revision_id)
    # The page says the same.
    assert "<dd>3, <time" in signed_in(member).get(third.get_absolute_url()).content.decode()


def test_an_edit_based_on_the_answered_revision_goes_through(api_as, member, third):
    client = api_as(member)
    revision = client.get(page_url(third)).json()["revision"]

    response = client.put(
        page_url(third), {"body": "Four.\n", "base_revision": revision}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["revision"] == 4
    latest = PageRevision.objects.get(page=third, number=4)
    assert response.json()["revision_id"] == latest.pk
    assert latest.based_on.number == 3


@pytest.mark.parametrize("base", ["EARLIER_NUMBER", "LATEST_ID", 99])
def test_an_edit_based_on_anything_but_the_latest_number_is_409(api_as, member, third, base):
    base = {"EARLIER_NUMBER": 2, "LATEST_ID": third.latest_revision_id}.get(base, base)

    response = api_as(member).patch(
        page_url(third), {"body": "Mine.\n", "base_revision": base}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert (body["latest_revision"], body["latest_revision_id"]) == (3, third.latest_revision_id)
    assert "the latest is 3" in body["detail"]
    assert PageRevision.objects.filter(page=third).count() == 3


def test_a_revert_is_based_on_the_revision_number(api_as, member, third):
    first = PageRevision.objects.get(page=third, number=1)
    client = api_as(member)

    stale = client.post(
        page_url(third, "revert/"),
        {"revision": first.pk, "base_revision": third.latest_revision_id},
        format="json",
    )
    restored = client.post(
        page_url(third, "revert/"), {"revision": first.pk, "base_revision": 3}, format="json"
    )

    assert stale.status_code == 409 and stale.json()["latest_revision"] == 3
    assert restored.status_code == 201
    assert (restored.json()["number"], restored.json()["body"]) == (4, "One.\n")


def test_the_schema_documents_the_number_and_the_id():
    schemas = api_schema_document()["components"]["schemas"]

    for name in ("PageSummary", "PageDetail"):
        fields = schemas[name]["properties"]
        assert "revision number" in fields["revision"]["description"]
        assert "id" in fields["revision_id"]["description"]
    assert (
        "`revision` number"
        in schemas["PageEditRequest"]["properties"]["base_revision"]["description"]
    )
    conflict = schemas["EditConflict"]["properties"]
    assert "number" in conflict["latest_revision"]["description"]
    assert "latest_revision_id" in conflict
