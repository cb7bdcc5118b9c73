"""The handbook pages API: reading (public pages open to anyone), writing (members), and stale
edits refused with nothing lost. History, diffs and reverts are in test_api_revisions.py,
reviews in test_api_review.py, search and export in test_api_search.py and test_api_export.py."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from handbook import services
from handbook.models import MAX_BODY_CHARACTERS, Page, PageRevision
from tests.helpers import HANDBOOK_PAGES as PAGES
from tests.helpers import assert_matches_schema, fresh
from tests.helpers import handbook_api_page_url as page_url
from tests.helpers import handbook_page_edit as edit

pytestmark = pytest.mark.django_db


# --- List and detail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_members_page"),
    [("anonymous", False), ("applicant", False), ("member", True), ("admin", True)],
)
def test_list_shows_public_pages_to_anyone_and_every_page_to_members(
    api_as, caller, role, sees_members_page, public_page, members_page
):
    response = api_as(caller(role)).get(PAGES)
    assert response.status_code == 200
    slugs = {row["slug"] for row in response.json()["results"]}
    expected = {public_page.slug, members_page.slug} if sees_members_page else {public_page.slug}
    assert slugs == expected


def test_list_rows_carry_the_latest_revision_and_no_body(api_as, member, public_page):
    row = api_as(member).get(PAGES).json()["results"][0]
    assert row["revision"] == 1  # the page's own revision number, as its page shows it
    assert row["revision_id"] == public_page.latest_revision_id
    assert row["owner"] == "Page Author"
    assert row["category"] == "procedure" and row["visibility"] == "public"
    assert row["due_for_review"] is False
    assert "body" not in row and "html" not in row


def test_list_filters_by_category_visibility_and_plain_search(
    api_as, member, public_page, members_page
):
    client = api_as(member)

    def slugs(query):
        response = client.get(PAGES, query)
        assert response.status_code == 200
        return [row["slug"] for row in response.json()["results"]]

    assert slugs({"category": "procedure"}) == [public_page.slug, members_page.slug]
    assert slugs({"category": "guide"}) == []
    assert slugs({"visibility": "public"}) == [public_page.slug]
    assert slugs({"search": "share risk"}) == [members_page.slug]
    assert slugs({"search": "REFERRALS"}) == [public_page.slug, members_page.slug]
    assert client.get(PAGES, {"category": "novel"}).status_code == 400


def test_list_filters_policies_due_for_review(
    api_as, member, public_policy, members_page, settings
):
    """The reminders' rule: policies only; procedures, guides and minutes are never due."""
    settings.HANDBOOK_REVIEW_MONTHS = 12
    stale = timezone.localdate() - datetime.timedelta(days=400)
    for page in (public_policy, members_page):
        services.page_mark_reviewed(actor=member, page_id=page.pk, on=stale)
    old_minutes = services.page_create(
        actor=member, title="Minutes of an old meeting", category=Page.Category.MINUTES
    )
    services.page_mark_reviewed(actor=member, page_id=old_minutes.pk, on=stale)
    client = api_as(member)

    due = client.get(PAGES, {"due_for_review": "true"}).json()["results"]
    assert [row["slug"] for row in due] == [public_policy.slug]
    assert due[0]["due_for_review"] is True
    not_due = client.get(PAGES, {"due_for_review": "false"}).json()["results"]
    assert {row["slug"] for row in not_due} == {members_page.slug, old_minutes.slug}
    assert {row["due_for_review"] for row in not_due} == {False}


def test_list_query_count(api_as, member, author, django_assert_max_num_queries):
    for number in range(30):
        services.page_create(actor=author, title=f"Guide {number}", body="Text " * 50)
    client = api_as(fresh(member))
    # 1 the member's groups (roles), 2 their member record, 3 count, 4 the page of rows with
    # their owners (one join). The same for 25 rows as for one.
    with django_assert_max_num_queries(4):
        response = client.get(PAGES)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


@pytest.mark.parametrize(
    ("role", "public_status", "members_status"),
    [
        ("anonymous", 200, 404),
        ("applicant", 200, 404),
        ("member", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_detail_permissions(
    api_as, caller, role, public_status, members_status, public_page, members_page
):
    client = api_as(caller(role))
    assert client.get(page_url(public_page)).status_code == public_status
    assert client.get(page_url(members_page)).status_code == members_status


def test_detail_answers_text_html_revision_and_backlinks(api_as, member, public_page, members_page):
    body = api_as(member).get(page_url(public_page)).json()
    assert body["title"] == "Outside referrals"
    assert body["slug"] == "outside-referrals"
    assert body["body"] == public_page.body
    assert "<p>When nobody in the alliance fits, we refer out.</p>" in body["html"]
    assert body["revision"] == 1
    assert body["revision_id"] == public_page.latest_revision_id
    assert body["owner"] == "Page Author"
    assert body["last_reviewed"] == timezone.localdate().isoformat()
    assert body["due_for_review"] is False
    assert body["toc_html"] == ""
    assert body["backlinks"] == [{"title": "Rate agreements", "slug": "rate-agreements"}]
    assert body["updated_at"]


def test_backlinks_from_members_pages_are_hidden_from_anonymous_readers(
    api_as, public_page, members_page
):
    assert api_as(None).get(page_url(public_page)).json()["backlinks"] == []


def test_detail_shows_a_table_of_contents_for_long_pages(api_as, member):
    page = services.page_create(
        actor=member, title="Intake", body="## One\n\ntext\n\n## Two\n\ntext\n\n## Three\n"
    )
    body = api_as(member).get(page_url(page)).json()
    assert 'href="#one"' in body["toc_html"] and 'href="#three"' in body["toc_html"]


def attributes(fragment: str) -> list[tuple[str, str, str | None]]:
    """Every (tag, attribute, value) in an HTML fragment, as a browser's parser sees them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, name.lower(), value) for name, value in attrs)

    Collector().feed(fragment)
    return found


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<body onload="alert(1)">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<object data="javascript:alert(1)"></object>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="  javascript:alert(1)">spaces</a>',
    '[[Page" onmouseover="alert(1)]]',
    "[[Real page|<img src=x onerror=alert(1)>]]",
    "`<script>alert(1)</script>` and\n\n    <script>alert(1)</script>",
    "<style>body{background:red}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_in_a_body_come_back_inert(api_as, member, vector):
    response = api_as(member).post(
        PAGES, {"title": "Hostile", "body": f"Before\n\n{vector}\n\nAfter"}, format="json"
    )
    assert response.status_code == 201, response.content
    html = response.json()["html"].lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "style=" not in html
    assert "<style" not in html and "<iframe" not in html and "<svg" not in html
    # No event handler attribute on any element (onerror, onload, onmouseover…), and no link
    # to anything but the web, mail or this site.
    for tag, name, value in attributes(response.json()["html"]):
        assert not name.startswith("on"), (tag, name)
        assert name != "style", tag
        if name in {"href", "src", "action", "data"}:
            assert re.match(r"(https?:|mailto:|/|#)", value or ""), (tag, name, value)


def test_detail_query_count(api_as, member, members_page, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page with its latest revision and owner, 4 which of its
    # link targets exist (red links), 5 its backlinks.
    with django_assert_max_num_queries(5):
        response = client.get(page_url(members_page))
    assert response.status_code == 200


# --- Create --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 401), ("applicant", 403), ("member", 201), ("admin", 201),
])  # fmt: skip
def test_create_permissions(api_as, caller, role, expected):
    response = api_as(caller(role)).post(
        PAGES, {"title": "Cover during time away", "body": "Ask a colleague."}, format="json"
    )
    assert response.status_code == expected
    assert Page.objects.count() == (1 if expected == 201 else 0)


def test_create_answers_the_detail(api_as, member):
    response = api_as(member).post(
        PAGES,
        {
            "title": "Membership and probation",
            "slug": "membership",
            "category": "policy",
            "visibility": "public",
            "body": "Nine months of probation.\n",
            "summary": "First draft",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    page = Page.objects.get()
    assert body["slug"] == "membership" == page.slug
    assert (body["revision"], body["revision_id"]) == (1, page.latest_revision_id)
    assert body["html"] == "<p>Nine months of probation.</p>"
    assert body["category"] == "policy" and body["visibility"] == "public"
    assert page.latest_revision.summary == "First draft"
    assert page.latest_revision.author == member


def test_create_makes_the_slug_from_the_title(api_as, member):
    response = api_as(member).post(PAGES, {"title": "How decisions are made"}, format="json")
    assert response.json()["slug"] == "how-decisions-are-made"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "How we\u200b work"}, "title"),  # a zero-width space
        ({"title": "\u202eHow we work"}, "title"),  # a right-to-left override
        ({"title": "Fine", "category": "gossip"}, "category"),
        ({"title": "Fine", "visibility": "secret"}, "visibility"),
        ({"title": "Fine", "summary": "s" * 301}, "summary"),
        ({"title": "Fine", "body": "b" * (MAX_BODY_CHARACTERS + 1)}, "body"),
        ({"title": "Fine", "body": ["a list"]}, "body"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(api_as, member, payload, field):
    response = api_as(member).post(PAGES, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Page.objects.count() == 0 and PageRevision.objects.count() == 0


def test_a_body_of_exactly_the_limit_is_accepted(api_as, member):
    response = api_as(member).post(
        PAGES, {"title": "Long", "body": "b" * MAX_BODY_CHARACTERS}, format="json"
    )
    assert response.status_code == 201


def test_a_duplicate_slug_is_a_slug_error(api_as, member, public_page):
    revisions = PageRevision.objects.count()
    client = api_as(member)
    for payload in ({"title": "Outside Referrals!"}, {"title": "Other", "slug": public_page.slug}):
        response = client.post(PAGES, payload, format="json")
        assert response.status_code == 400
        assert "slug" in response.json()
    assert Page.objects.count() == 1 and PageRevision.objects.count() == revisions


@pytest.mark.parametrize("megabytes", [2, 3])
def test_a_body_of_megabytes_is_a_clean_400(api_as, member, megabytes):
    """2 MB passes Django's upload limit and meets the body limit; 3 MB is refused by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE first. Either way: a JSON 400, nothing written."""
    payload = json.dumps({"title": "Huge", "body": "x" * (megabytes * 1024 * 1024)})
    response = api_as(member).post(PAGES, payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()
    assert Page.objects.count() == 0 and PageRevision.objects.count() == 0


def test_create_query_count(api_as, member, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # Access: 1 roles, 2 member record. Service: 3 savepoint, 4 slug taken?, 5 savepoint,
    # 6 insert page, 7 release, 8 insert revision, 9 update page, 10 delete old links,
    # 11 insert links, 12 release. Answer: 13 the page again, 14 red links, 15 backlinks.
    with django_assert_max_num_queries(15):
        response = client.post(
            PAGES, {"title": "Meetings", "body": "See [[Decisions]]."}, format="json"
        )
    assert response.status_code == 201


# --- Edit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 401), ("applicant", 403), ("member", 200), ("admin", 200),
])  # fmt: skip
def test_edit_permissions(api_as, caller, role, expected, public_page):
    response = api_as(caller(role)).put(
        page_url(public_page),
        {"body": "Changed.", "base_revision": 1},
        format="json",
    )
    assert response.status_code == expected
    assert PageRevision.objects.filter(page=public_page).count() == (2 if expected == 200 else 1)


def test_an_applicant_is_refused_before_the_page_is_looked_up(api_as, applicant, members_page):
    response = api_as(applicant).patch(
        page_url(members_page), {"body": "x", "base_revision": 1}, format="json"
    )
    assert response.status_code == 403  # refused before the page is even looked up


def test_an_edit_saves_a_new_revision_and_answers_the_detail(api_as, member, public_page):
    first = public_page.latest_revision_id
    response = api_as(member).put(
        page_url(public_page),
        {
            "body": "We refer out to trusted professionals.\n",
            "summary": "Say who",
            "base_revision": 1,
            "title": "Outside referral policy",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    latest = PageRevision.objects.get(page=public_page, number=2)
    assert (body["revision"], body["revision_id"]) == (2, latest.pk)
    assert body["title"] == "Outside referral policy"
    assert body["slug"] == public_page.slug
    assert body["html"] == "<p>We refer out to trusted professionals.</p>"
    assert latest.based_on_id == first and latest.summary == "Say who"
    assert latest.author == member


def test_patch_may_change_only_the_title(api_as, member, public_page):
    response = api_as(member).patch(
        page_url(public_page),
        {"title": "Referrals", "base_revision": 1},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Referrals"
    assert response.json()["body"] == public_page.body


def test_a_stale_edit_is_refused_with_both_texts_and_the_diff(
    api_as, member, other_member, public_page
):
    opened = public_page.latest_revision.number
    theirs = edit(public_page, other_member, "When nobody fits, we refer out quickly.\n")
    mine = "When nobody in the alliance fits, we refer out, and say why.\n"

    response = api_as(member).put(
        page_url(public_page),
        {"body": mine, "summary": "Say why", "base_revision": opened},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert (body["latest_revision"], body["latest_revision_id"]) == (theirs.number, theirs.pk)
    assert body["latest_body"] == theirs.body
    assert body["your_body"] == mine
    assert "-When nobody fits, we refer out quickly." in body["diff"]
    assert "+When nobody in the alliance fits, we refer out, and say why." in body["diff"]
    assert "Nothing was saved" in body["detail"]
    public_page.refresh_from_db()
    assert public_page.latest_revision_id == theirs.pk
    assert public_page.body == theirs.body
    assert PageRevision.objects.filter(page=public_page).count() == 2
    # Saving again on the latest revision goes through: the writer's text was never lost.
    retry = api_as(member).put(
        page_url(public_page),
        {"body": body["your_body"], "base_revision": body["latest_revision"]},
        format="json",
    )
    assert retry.status_code == 200
    assert retry.json()["body"] == mine


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "New"}, "base_revision"),
        ({"body": "New", "base_revision": None}, "base_revision"),
        ({"body": "New", "base_revision": "latest"}, "base_revision"),
        ({"base_revision": "CURRENT"}, "body"),
        ({"body": "b" * (MAX_BODY_CHARACTERS + 1), "base_revision": "CURRENT"}, "body"),
        ({"body": "Same as before", "base_revision": "CURRENT"}, "body"),
        ({"body": "New", "title": "", "base_revision": "CURRENT"}, "title"),
        ({"body": "New", "summary": "s" * 301, "base_revision": "CURRENT"}, "summary"),
    ],
)
def test_an_edit_with_bad_input_changes_nothing(api_as, member, author, payload, field):
    page = services.page_create(actor=author, title="Cover", body="Same as before")
    if payload.get("base_revision") == "CURRENT":
        payload = {**payload, "base_revision": page.latest_revision.number}
    response = api_as(member).put(page_url(page), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert PageRevision.objects.filter(page=page).count() == 1
    page.refresh_from_db()
    assert page.body == "Same as before" and page.title == "Cover"


def test_editing_a_missing_page_is_404(api_as, member):
    response = api_as(member).put(
        f"{PAGES}no-such-page/", {"body": "x", "base_revision": 1}, format="json"
    )
    assert response.status_code == 404


def test_edit_query_count(api_as, member, public_page, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the page; service: 4 savepoint, 5 lock the page, 6 insert
    # revision, 7 update page, 8 delete links (no insert: the body has none), 9 release;
    # answer: 10 the page again, 11 red links, 12 backlinks.
    with django_assert_max_num_queries(12):
        response = client.put(
            page_url(public_page),
            {"body": "New text.", "base_revision": public_page.latest_revision.number},
            format="json",
        )
    assert response.status_code == 200


# --- Answers match the schema (found by the API fuzzer, tests/fuzz) ----------------------------


@pytest.mark.parametrize(
    ("query", "status"), [({"category": "nonsense"}, 400), ({"page": 99}, 404)]
)
def test_a_bad_filter_and_a_page_past_the_end_are_documented(api, query, status):
    response = api.get(PAGES, query)

    assert response.status_code == status
    assert_matches_schema(response, "GET /api/v1/handbook/pages/")
