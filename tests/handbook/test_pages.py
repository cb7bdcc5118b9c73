"""The handbook pages: who may open each, what each shows, what each writes, and what a refused
write leaves behind (nothing). A page's history, diff and revert are in test_page_history.py;
meetings, decisions and votes in test_record_pages.py."""

import datetime
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from handbook import services
from handbook.models import Page, PageRevision
from network.services import add_months
from tests.helpers import handbook_page_url as page_url

pytestmark = pytest.mark.django_db


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


# --- Access ---------------------------------------------------------------------------------

MEMBERS_ONLY_VIEWS = ["handbook-new", "handbook-meetings", "handbook-decisions"]


@pytest.mark.parametrize("name", MEMBERS_ONLY_VIEWS)
def test_members_areas_send_anonymous_visitors_to_sign_in(client, name):
    address = reverse(name)
    response = client.get(address)
    assert response.status_code == 302
    assert response.url == login_redirect(address)


@pytest.mark.parametrize("name", MEMBERS_ONLY_VIEWS)
def test_members_areas_are_forbidden_to_applicants(signed_in, applicant, name):
    response = signed_in(applicant).get(reverse(name))
    assert response.status_code == 403
    assert b"members of the alliance" in response.content


@pytest.mark.parametrize("name", MEMBERS_ONLY_VIEWS)
def test_members_areas_open_for_members(signed_in, member, name):
    assert signed_in(member).get(reverse(name)).status_code == 200


def test_a_public_page_is_readable_by_anyone(client, signed_in, applicant, pages):
    address = page_url(pages["public"])
    response = client.get(address)
    assert response.status_code == 200
    assert b"Requests arrive through the public form." in response.content
    assert b"Edit" not in response.content
    assert signed_in(applicant).get(address).status_code == 200


def test_a_members_page_sends_anonymous_visitors_to_sign_in(client, pages):
    address = page_url(pages["policy"])
    response = client.get(address)
    assert response.status_code == 302
    assert response.url == login_redirect(address)


def test_a_members_page_is_not_found_for_a_signed_in_non_member(signed_in, applicant, pages):
    assert signed_in(applicant).get(page_url(pages["policy"])).status_code == 404


def test_a_members_page_is_readable_by_members(signed_in, member, pages):
    response = signed_in(member).get(page_url(pages["policy"]))
    assert response.status_code == 200
    assert b"We refer out when nobody fits." in response.content
    # A policy changes by decision: its members propose changes rather than edit.
    for action in (b">Propose a change<", b">History<", b"Mark reviewed"):
        assert action in response.content


def test_the_index_shows_anonymous_visitors_public_pages_only(client, pages):
    response = client.get(reverse("handbook-index"))
    assert response.status_code == 200
    assert b"How intake works" in response.content
    assert b"Outside referral policy" not in response.content
    assert b"New page" not in response.content


def test_the_index_shows_members_every_page_grouped_by_category(signed_in, member, pages):
    response = signed_in(member).get(reverse("handbook-index"))
    content = response.content.decode()
    assert [group.label for group in response.context["groups"]] == [
        "Policy",
        "Procedure",
        "Guide",
    ]
    assert "New page" in content and reverse("handbook-export") in content
    assert reverse("handbook-meetings") in content and reverse("handbook-decisions") in content


def test_the_index_filters_by_category_and_visibility(signed_in, member, pages):
    client = signed_in(member)
    response = client.get(reverse("handbook-index"), {"category": "guide"})
    assert [entry.page for entry in response.context["groups"][0].entries] == [pages["guide"]]
    response = client.get(reverse("handbook-index"), {"visibility": "public"})
    assert response.context["listing"].paginator.count == 1
    response = client.get(reverse("handbook-index"), {"category": "gossip"})
    assert response.status_code == 400
    assert response.context["listing"].paginator.count == 0


def test_the_index_has_an_empty_state(signed_in, member):
    response = signed_in(member).get(reverse("handbook-index"))
    assert b"The handbook has no pages yet" in response.content
    assert b"Write the first page" in response.content


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("applicant", 404), ("member", 200)])
def test_who_may_open_the_editor_of_a_members_page(request, signed_in, pages, who, status):
    user = request.getfixturevalue(who) if who else None
    response = signed_in(user).get(page_url(pages["policy"], "handbook-edit"))
    assert response.status_code == status


def test_an_applicant_may_read_but_not_edit_a_public_page(signed_in, applicant, pages):
    client = signed_in(applicant)
    assert client.get(page_url(pages["public"], "handbook-edit")).status_code == 403
    response = client.post(
        page_url(pages["public"], "handbook-edit"),
        {"base_revision": pages["public"].latest_revision_id, "title": "Mine", "body": "Mine"},
    )
    assert response.status_code == 403
    assert PageRevision.objects.filter(page=pages["public"]).count() == 1


def test_history_and_diff_are_for_signed_in_readers(client, signed_in, applicant, pages):
    names = ("handbook-history", "handbook-diff")
    for name in names:
        assert client.get(page_url(pages["public"], name)).status_code == 302
    signed_in(applicant)
    for name in names:
        assert client.get(page_url(pages["policy"], name)).status_code == 404
        assert client.get(page_url(pages["public"], name)).status_code == 200


# --- Creating and editing -------------------------------------------------------------------


def test_a_member_creates_a_page(signed_in, member):
    response = signed_in(member).post(
        reverse("handbook-new"),
        {
            "title": "Cover during time away",
            "category": "procedure",
            "visibility": "public",
            "body": "Name a colleague who covers.",
            "summary": "First draft",
        },
    )
    page = Page.objects.get()
    assert response.status_code == 302 and response.url == page.get_absolute_url()
    assert (page.slug, page.category, page.visibility) == (
        "cover-during-time-away",
        "procedure",
        "public",
    )
    assert page.latest_revision.summary == "First draft"
    assert page.latest_revision.author_id == member.pk


def test_the_new_page_form_is_prefilled_from_a_red_link(signed_in, member):
    response = signed_in(member).get(reverse("handbook-new"), {"title": "Cover plan"})
    assert response.context["form"]["title"].value() == "Cover plan"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "How intake works"}, "title"),  # its address is taken
        ({"body": "x" * 2_000_001}, "body"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_a_bad_new_page_is_refused_with_the_form(signed_in, member, pages, fields, field):
    data = {"title": "A new page", "category": "guide", "visibility": "members", "body": "Text."}
    data.update(fields)
    response = signed_in(member).post(reverse("handbook-new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Page.objects.count() == 3


def test_a_member_edits_a_page(signed_in, member, pages):
    page = pages["guide"]
    response = signed_in(member).post(
        page_url(page, "handbook-edit"),
        {
            "base_revision": page.latest_revision_id,
            "title": "Team bids",
            "body": "Rate agreements split the pool by hours.",
            "summary": "Say how",
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "Rate agreements split the pool by hours."
    assert page.latest_revision.number == 2
    assert page.latest_revision.based_on.number == 1


def test_the_editor_carries_the_latest_revision(signed_in, member, pages):
    page = pages["guide"]
    response = signed_in(member).get(page_url(page, "handbook-edit"))
    assert f'name="base_revision" value="{page.latest_revision_id}"' in response.content.decode()
    assert response.context["form"]["body"].value() == "Rate agreements split the pool."


def test_an_unchanged_save_is_refused_with_the_form(signed_in, member, pages):
    page = pages["guide"]
    response = signed_in(member).post(
        page_url(page, "handbook-edit"),
        {"base_revision": page.latest_revision_id, "title": page.title, "body": page.body},
    )
    assert response.status_code == 400
    assert "body" in response.context["form"].errors
    assert PageRevision.objects.filter(page=page).count() == 1


def test_a_stale_edit_answers_409_with_both_texts_and_the_diff(
    signed_in, member, other_member, pages
):
    page = pages["guide"]
    opened = page.latest_revision_id
    services.page_edit(
        actor=member,
        page_id=page.pk,
        base_revision=opened,
        body="Rate agreements split the pool.\nTheir new line.",
    )
    latest = Page.objects.get(pk=page.pk).latest_revision
    mine = "Rate agreements split the pool.\nMy <b>new</b> line."
    client = signed_in(other_member)
    response = client.post(
        page_url(page, "handbook-edit"),
        {"base_revision": opened, "title": "Team bids", "body": mine, "summary": "Mine"},
    )

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone saved this page while you were editing" in content
    # Nothing lost: my text is in the editor, their text and the diff are shown.
    assert response.context["form"]["body"].value() == mine
    assert "My &lt;b&gt;new&lt;/b&gt; line." in content and "<b>new</b>" not in content
    assert "Their new line." in content
    assert 'class="diff-table"' in content
    kinds = {row.kind for row in response.context["diff_rows"]}
    assert "replace" in kinds
    # Nothing overwritten, and the editor is now based on the latest revision.
    assert f'name="base_revision" value="{latest.pk}"' in content
    assert Page.objects.get(pk=page.pk).body.endswith("Their new line.")
    assert PageRevision.objects.filter(page=page).count() == 2

    # After merging, the second save goes through.
    merged = "Rate agreements split the pool.\nTheir new line.\nMy new line."
    response = client.post(
        page_url(page, "handbook-edit"),
        {"base_revision": latest.pk, "title": "Team bids", "body": merged, "summary": "Merged"},
    )
    assert response.status_code == 302
    assert Page.objects.get(pk=page.pk).body == merged


def test_browser_line_endings_are_stored_as_plain_newlines(signed_in, member, pages):
    page = pages["guide"]
    signed_in(member).post(
        page_url(page, "handbook-edit"),
        {"base_revision": page.latest_revision_id, "title": page.title, "body": "One\r\nTwo"},
    )
    assert Page.objects.get(pk=page.pk).body == "One\nTwo"


def test_a_tampered_base_revision_is_a_form_error(signed_in, member, pages):
    page = pages["guide"]
    response = signed_in(member).post(
        page_url(page, "handbook-edit"), {"base_revision": "latest", "title": "T", "body": "B"}
    )
    assert response.status_code == 400
    assert Page.objects.get(pk=page.pk).body == "Rate agreements split the pool."


def test_marking_a_policy_reviewed_clears_its_due_badge(signed_in, member, pages, settings):
    settings.HANDBOOK_REVIEW_MONTHS = 12
    policy = pages["policy"]
    Page.objects.filter(pk=policy.pk).update(last_reviewed=datetime.date(2000, 1, 1))
    client = signed_in(member)
    response = client.get(page_url(policy))
    assert response.context["due"] and b"Due for review" in response.content
    index = client.get(reverse("handbook-index"), {"due": "on"})
    assert [entry.page for group in index.context["groups"] for entry in group.entries] == [policy]

    assert client.post(page_url(policy, "handbook-review")).status_code == 302
    assert Page.objects.get(pk=policy.pk).last_reviewed == timezone.localdate()
    assert not client.get(page_url(policy)).context["due"]


def test_months_before_keeps_the_day_within_the_month():
    assert add_months(datetime.date(2031, 3, 31), -1) == datetime.date(2031, 2, 28)
    assert add_months(datetime.date(2031, 1, 15), -12) == datetime.date(2030, 1, 15)


# --- Reading: links, backlinks, table of contents, XSS ---------------------------------------


def test_a_page_shows_red_links_and_backlinks(signed_in, member, pages):
    client = signed_in(member)
    policy = client.get(page_url(pages["policy"])).content.decode()
    assert 'class="wikilink missing"' in policy and 'class="wikilink"' in policy
    public = client.get(page_url(pages["public"]))
    assert list(public.context["backlinks"]) == [pages["policy"]]


def test_a_red_link_offers_a_member_to_write_the_page(client, signed_in, member, pages):
    response = signed_in(member).get(reverse("handbook-page", args=["cover-plan"]))
    assert response.status_code == 404
    assert reverse("handbook-new") + "?title=Cover%20plan" in response.content.decode()


def test_a_red_link_sends_anonymous_visitors_to_sign_in(client):
    assert client.get(reverse("handbook-page", args=["cover-plan"])).status_code == 302


def test_backlinks_from_members_pages_are_hidden_from_the_public(client, pages):
    assert list(client.get(page_url(pages["public"])).context["backlinks"]) == []


def test_a_long_page_has_a_table_of_contents(signed_in, member):
    page = services.page_create(
        actor=member, title="Long", body="## One\n\ntext\n\n## Two\n\ntext\n\n## Three\n\ntext"
    )
    content = signed_in(member).get(page_url(page)).content.decode()
    assert 'class="handbook-toc"' in content and 'href="#two"' in content


XSS_VECTORS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object>",
    '<div onclick="alert(1)">click</div>',
    "[[<script>alert(1)</script>]]",
    '[[x" onmouseover="alert(1)|label]]',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
]


class ElementCollector(HTMLParser):
    """Every element and its attributes, as a browser's parser would see them."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def live_vectors(content: str) -> list:
    """Elements in the page's main content that could run script or restyle the page."""
    main = content.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    collector = ElementCollector()
    collector.feed("<main " + main)
    found = []
    for tag, attrs in collector.elements:
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "img", "style"}:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append((tag, name))
            if name in {"href", "src", "action", "xlink:href"} and re.sub(
                r"\s", "", value
            ).lower().startswith("javascript:"):
                found.append((tag, name, value))
    return found


def test_xss_vectors_are_rendered_inert(signed_in, member):
    page = services.page_create(
        actor=member,
        title="<script>alert('title')</script>",
        body="\n\n".join(XSS_VECTORS),
        summary="<img src=x onerror=alert(2)>",
    )
    client = signed_in(member)
    for address in (
        page_url(page),
        page_url(page, "handbook-history"),
        page_url(page, "handbook-edit"),
        reverse("handbook-index"),
        reverse("handbook-search") + "?q=alert",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert live_vectors(response.content.decode()) == [], address


# --- Search and export ----------------------------------------------------------------------


def test_search_shows_ranked_highlighted_results(signed_in, member, pages):
    response = signed_in(member).get(reverse("handbook-search"), {"q": "intake"})
    hits = response.context["hits"]
    # The title match first, then the page that only mentions it.
    assert [hit.page for hit in hits] == [pages["public"], pages["policy"]]
    assert "<mark>intake</mark>" in response.content.decode().lower()


def test_search_for_anonymous_visitors_finds_public_pages_only(client, pages):
    response = client.get(reverse("handbook-search"), {"q": "intake"})
    assert [hit.page for hit in response.context["hits"]] == [pages["public"]]


def test_a_blank_search_shows_the_form_and_a_hint(client):
    response = client.get(reverse("handbook-search"), {"q": "   "})
    assert response.status_code == 200
    assert b'id="search-hint"' in response.content


def test_a_search_with_no_results_says_so(client, pages):
    response = client.get(reverse("handbook-search"), {"q": "zebra"})
    assert b"No pages match" in response.content


def test_export_gives_anonymous_visitors_the_public_pages_only(client, signed_in, member, pages):
    response = client.get(reverse("handbook-export"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="handbook-')
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "procedure/how-intake-works.md" in names
    assert not any("outside-referral-policy" in name for name in names)
    names = zipfile.ZipFile(io.BytesIO(signed_in(member).get(reverse("handbook-export")).content))
    assert "policy/outside-referral-policy.md" in names.namelist()


# --- Query counts ---------------------------------------------------------------------------


def test_the_page_view_makes_a_bounded_number_of_queries(
    signed_in, member, pages, django_assert_max_num_queries
):
    for number in range(10):
        services.page_create(actor=member, title=f"Linking {number}", body="[[Team bids]]")
    client = signed_in(member)
    # 1 session, 2 user, 3 the viewer's role groups, 4 their member record, 5 whether they
    # coordinate a group (context processor), 6 the page with its latest revision and owner
    # through the access gate, 7 which linked pages exist (red links), 8 backlinks, 9 the
    # navigation's counts (network.desk).
    with django_assert_max_num_queries(9):
        response = client.get(page_url(pages["guide"]))
    assert len(response.context["backlinks"]) == 10


def test_the_index_makes_a_bounded_number_of_queries(
    signed_in, member, pages, django_assert_max_num_queries
):
    for number in range(30):
        services.page_create(actor=member, title=f"Guide {number}", category="guide")
    client = signed_in(member)
    # 1-5 session, user, roles, member record, group coordinator (as for every page),
    # 6 the count of pages, 7 one page of pages (without their bodies), 8 the navigation's
    # counts (network.desk).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("handbook-index"))
    assert response.context["listing"].paginator.count == 33
