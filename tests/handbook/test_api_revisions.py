"""The handbook pages API's history: a page's revisions, the diff of two of them, and reverting
to an old one (a new revision; a stale revert is refused)."""

import pytest

from handbook.models import PageRevision
from tests.helpers import fresh
from tests.helpers import handbook_api_page_url as page_url
from tests.helpers import handbook_page_edit as edit

pytestmark = pytest.mark.django_db


# --- History -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "public_status", "members_status"),
    [
        ("anonymous", 401, 401),
        ("applicant", 200, 404),
        ("member", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_history_permissions(
    api_as, caller, role, public_status, members_status, public_page, members_page
):
    client = api_as(caller(role))
    assert client.get(page_url(public_page, "revisions/")).status_code == public_status
    assert client.get(page_url(members_page, "revisions/")).status_code == members_status
    revision = members_page.latest_revision_id
    detail = client.get(page_url(members_page, f"revisions/{revision}/"))
    assert detail.status_code == members_status


def test_history_lists_revisions_newest_first_with_lines_changed(
    api_as, member, other_member, author, public_page
):
    edit(public_page, other_member, "When nobody fits, we refer out.\nWe say why.\n", summary="Why")
    edit(public_page, member, "We say why.\n", summary="Shorter")

    response = api_as(member).get(page_url(public_page, "revisions/"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [3, 2, 1]
    newest, middle, first = rows
    assert newest["summary"] == "Shorter" and newest["author"] == member.consultant.display_name
    assert (newest["lines_added"], newest["lines_removed"]) == (0, 1)
    assert (middle["lines_added"], middle["lines_removed"]) == (2, 1)
    assert (first["lines_added"], first["lines_removed"]) == (1, 0)
    assert first["author"] == "Page Author"
    assert newest["based_on"] == middle["id"] and first["based_on"] is None
    assert "body" not in newest


def test_history_compares_the_last_row_of_a_page_with_the_row_before_it(
    api_as, member, public_page
):
    edit(public_page, member, "Two\n")
    edit(public_page, member, "Two\nThree\n")
    rows = api_as(member).get(page_url(public_page, "revisions/"), {"page_size": 2}).json()
    assert [row["number"] for row in rows["results"]] == [3, 2]
    assert (rows["results"][1]["lines_added"], rows["results"][1]["lines_removed"]) == (1, 1)


def test_a_revision_answers_its_body(api_as, member, public_page):
    first = public_page.latest_revision
    edit(public_page, member, "Changed.\n")
    response = api_as(member).get(page_url(public_page, f"revisions/{first.pk}/"))
    assert response.status_code == 200
    assert response.json()["body"] == first.body
    assert response.json()["number"] == 1


def test_a_revision_of_another_page_is_not_found(api_as, member, public_page, members_page):
    other = members_page.latest_revision_id
    response = api_as(member).get(page_url(public_page, f"revisions/{other}/"))
    assert response.status_code == 404


def test_history_query_count(api_as, member, public_page, django_assert_max_num_queries):
    for number in range(30):
        edit(public_page, member, f"Version {number}\n")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page, 4 count, 5 the 25 newest revisions with authors,
    # 6 the revision before the oldest listed one (for its line counts).
    with django_assert_max_num_queries(6):
        response = client.get(page_url(public_page, "revisions/"))
    assert len(response.json()["results"]) == 25


# --- Revert ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 401), ("applicant", 403), ("member", 201), ("admin", 201),
])  # fmt: skip
def test_revert_permissions(api_as, caller, role, expected, author, public_page):
    first = public_page.latest_revision_id
    latest = edit(public_page, author, "Vandalised.\n")
    response = api_as(caller(role)).post(
        page_url(public_page, "revert/"),
        {"revision": first, "base_revision": latest.number},
        format="json",
    )
    assert response.status_code == expected
    assert PageRevision.objects.filter(page=public_page).count() == (3 if expected == 201 else 2)


def test_revert_restores_an_old_text_as_a_new_revision(api_as, member, public_page):
    first = public_page.latest_revision
    latest = edit(public_page, member, "Vandalised.\n")
    response = api_as(member).post(
        page_url(public_page, "revert/"),
        {"revision": first.pk, "base_revision": latest.number},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 3 and body["reverts"] == first.pk and body["based_on"] == latest.pk
    assert body["body"] == first.body
    public_page.refresh_from_db()
    assert public_page.body == first.body and public_page.latest_revision_id == body["id"]


def test_a_stale_revert_is_refused(api_as, member, other_member, public_page):
    first = public_page.latest_revision
    opened = edit(public_page, member, "Second.\n")
    edit(public_page, other_member, "Third.\n")
    response = api_as(member).post(
        page_url(public_page, "revert/"),
        {"revision": first.pk, "base_revision": opened.number},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["your_body"] == first.body
    assert response.json()["latest_body"] == "Third.\n"
    assert PageRevision.objects.filter(page=public_page).count() == 3


@pytest.mark.parametrize(
    "payload",
    [{}, {"revision": "OTHER_PAGE"}, {"revision": "LATEST"}, {"revision": 10**9}],
)
def test_a_bad_revert_changes_nothing(api_as, member, public_page, members_page, payload):
    latest = public_page.latest_revision_id
    revision = {
        "OTHER_PAGE": members_page.latest_revision_id,
        "LATEST": latest,
    }.get(payload.get("revision"), payload.get("revision"))
    data = {"base_revision": public_page.latest_revision.number} if payload else {}
    if revision is not None:
        data["revision"] = revision
    response = api_as(member).post(page_url(public_page, "revert/"), data, format="json")
    assert response.status_code == 400
    assert "revision" in response.json()
    assert PageRevision.objects.filter(page=public_page).count() == 1


def test_revert_query_count(api_as, member, public_page, django_assert_max_num_queries):
    first = public_page.latest_revision_id
    latest = edit(public_page, member, "Second.\n")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page; service: 4 savepoint, 5 lock the page, 6 the old
    # revision, 7 insert revision, 8 update page, 9 delete links (no insert: none), 10 release;
    # answer: 11 the author's name, 12 whether a proposed change was adopted as it (none).
    with django_assert_max_num_queries(12):
        response = client.post(
            page_url(public_page, "revert/"),
            {"revision": first, "base_revision": latest.number},
            format="json",
        )
    assert response.status_code == 201


# --- Diff ----------------------------------------------------------------------------------


def test_a_diff_of_two_revisions(api_as, member, public_page):
    first = public_page.latest_revision
    second = edit(public_page, member, "When nobody fits, we refer out.\nAnd say why.\n")
    response = api_as(member).get(
        page_url(public_page, "diff/"), {"from": first.pk, "to": second.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["from"]["id"] == first.pk and body["to"]["id"] == second.pk
    assert body["from"]["number"] == 1 and body["to"]["number"] == 2
    assert (body["added"], body["removed"]) == (2, 1)
    assert "-When nobody in the alliance fits, we refer out." in body["unified"]
    assert "+And say why." in body["unified"]
    assert body["rows"]
    row = body["rows"][0]
    assert set(row) == {"kind", "old_number", "old_text", "new_number", "new_text"}
    assert any(row["new_text"] == "And say why." for row in body["rows"])


@pytest.mark.parametrize("revision_id", [2**63, -(2**63) - 1])
def test_a_diff_of_a_revision_id_out_of_range_is_400_not_a_server_error(
    api_as, member, public_page, revision_id
):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by the API fuzzer)."""
    response = api_as(member).get(
        page_url(public_page, "diff/"),
        {"from": revision_id, "to": public_page.latest_revision_id},
    )

    assert response.status_code == 400
    assert "from" in response.json()


@pytest.mark.parametrize(
    ("role", "public_status", "members_status"),
    [("anonymous", 401, 401), ("applicant", 200, 404), ("member", 200, 200), ("admin", 200, 200)],
)
def test_diff_permissions(
    api_as, caller, role, public_status, members_status, public_page, members_page
):
    client = api_as(caller(role))
    for page, expected in ((public_page, public_status), (members_page, members_status)):
        revision = page.latest_revision_id
        response = client.get(page_url(page, "diff/"), {"from": revision, "to": revision})
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "SELF"}, "from"),
        ({"from": "SELF"}, "to"),
        ({"from": "x", "to": "SELF"}, "from"),
        ({"from": "OTHER", "to": "SELF"}, "from"),
        ({"from": "SELF", "to": 10**9}, "to"),
    ],
)
def test_a_diff_of_revisions_not_of_this_page_is_400(
    api_as, member, public_page, members_page, query, field
):
    ids = {"SELF": public_page.latest_revision_id, "OTHER": members_page.latest_revision_id}
    query = {name: ids.get(value, value) for name, value in query.items()}
    response = api_as(member).get(page_url(public_page, "diff/"), query)
    assert response.status_code == 400
    assert field in response.json()


def test_diff_query_count(api_as, member, public_page, django_assert_max_num_queries):
    first = public_page.latest_revision_id
    second = edit(public_page, member, "Changed\n").pk
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page, 4 both revisions with their authors.
    with django_assert_max_num_queries(4):
        response = client.get(page_url(public_page, "diff/"), {"from": first, "to": second})
    assert response.status_code == 200
