"""The handbook pages: who may open each, what each shows, what each writes, and what a refused
write leaves behind (nothing)."""

import datetime
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from handbook import services
from handbook.models import ActionItem, Decision, Meeting, Page, PageRevision, Vote
from handbook.record_views import RULE_EXPLANATIONS, RULES_PREVIEW
from network.models import Consultant, User
from network.services import add_months
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    """Signed in, but not (yet) a member: reads public pages only."""
    return ConsultantFactory(status=Consultant.Status.APPLICANT).user


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        if user is not None:
            client.force_login(User.objects.get(pk=user.pk))
        return client

    return sign_in


@pytest.fixture
def pages(member):
    """A public procedure, a members-only policy that links to it, and a guide."""
    public = services.page_create(
        actor=member,
        title="How intake works",
        body="# How intake works\n\nRequests arrive through the public form.",
        category=Page.Category.PROCEDURE,
        visibility=Page.Visibility.PUBLIC,
    )
    policy = services.page_create(
        actor=member,
        title="Outside referral policy",
        body="We refer out when nobody fits. See [[How intake works]] and [[Cover plan]].",
        category=Page.Category.POLICY,
    )
    guide = services.page_create(
        actor=member, title="Team bids", body="Rate agreements split the pool.", summary="First"
    )
    return {"public": public, "policy": policy, "guide": guide}


def consultant(user) -> Consultant:
    return Consultant.objects.get(user=user)


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


def page_url(page, name="handbook-page") -> str:
    return reverse(name, args=[page.slug])


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
    for action in (b">Edit<", b">History<", b"Mark reviewed"):
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


def test_decisions_and_meetings_need_membership(client, signed_in, applicant, member):
    meeting = services.meeting_create(actor=member, title="Spring", date=datetime.date(2030, 4, 1))
    decision = services.decision_create(actor=member, text="Adopt", rule="consensus")
    addresses = (meeting.get_absolute_url(), decision.get_absolute_url())
    for address in addresses:
        assert client.get(address).status_code == 302
    signed_in(applicant)
    for address in addresses:
        assert client.get(address).status_code == 403
    signed_in(member)
    for address in addresses:
        assert client.get(address).status_code == 200


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
    data = {"title": "A new page", "category": "guide", "visibility": "members", **fields}
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


# --- History, diff, revert ------------------------------------------------------------------


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


# --- Meetings, decisions, votes, action items -----------------------------------------------


@pytest.fixture
def trio(member, other_member):
    third = ConsultantFactory(status=Consultant.Status.ACTIVE).user
    return [member, other_member, third]


def test_a_member_records_a_meeting_with_minutes(signed_in, member, trio):
    response = signed_in(member).post(
        reverse("handbook-meetings"),
        {
            "title": "Spring meeting",
            "date": "2030-04-01",
            "attendees": [consultant(user).pk for user in trio],
            "agenda": "1. Referral policy",
            "minutes": "We met and agreed.",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.attendees.count() == 3
    assert meeting.minutes.category == Page.Category.MINUTES
    assert meeting.minutes.body == "We met and agreed."
    page = signed_in(member).get(meeting.get_absolute_url())
    assert meeting.minutes.get_absolute_url() in page.content.decode()
    # The motion form asks for neither voters nor quorum; it says what the rules will set.
    assert set(page.context["decision_form"].fields) == {"text", "rule", "adopted_revision"}
    preview = RULES_PREVIEW.format(working=3, percent=50, quorum=2)
    assert page.context["rules_preview"] == preview and preview in page.content.decode()


def test_a_bad_meeting_is_refused_with_the_form(signed_in, member):
    response = signed_in(member).post(
        reverse("handbook-meetings"), {"title": "Spring", "date": "2030-13-45"}
    )
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert not Meeting.objects.exists()


@pytest.fixture
def meeting(member, trio):
    meeting = services.meeting_create(
        actor=member,
        title="Spring meeting",
        date=datetime.date(2030, 4, 1),
        attendees=[consultant(user).pk for user in trio],
    )
    return meeting


def test_a_two_thirds_decision_follows_the_votes(client, signed_in, member, trio, meeting):
    response = signed_in(member).post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "Adopt the referral policy", "decision-rule": "two_thirds"},
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    # The three working members may vote; the quorum is half of them, rounded up.
    assert {voter.user for voter in decision.eligible.all()} == set(trio)
    assert (decision.quorum, decision.quorum_percent) == (2, 50)
    vote_url = reverse("handbook-vote", args=[decision.pk])

    for user, choice in zip(trio, ["for", "for", "against"], strict=True):
        client.force_login(user)
        assert client.post(vote_url, {"choice": choice}).status_code == 302
    page = client.get(decision.get_absolute_url())
    assert page.context["outcome"] == "passed"
    assert 'data-outcome="passed">Passed<' in page.content.decode()

    client.force_login(trio[1])
    client.post(vote_url, {"choice": "against", "reason": "Changed my mind"})
    page = client.get(decision.get_absolute_url())
    assert page.context["outcome"] == "failed"
    assert [vote.choice for vote in page.context["superseded"]] == ["for"]
    assert Vote.objects.filter(decision=decision).count() == 4
    register = client.get(reverse("handbook-decisions"))
    assert 'data-outcome="failed"' in register.content.decode()
    failed = client.get(reverse("handbook-decisions"), {"outcome": "passed"})
    assert list(failed.context["listing"].object_list) == []


def test_a_decision_links_the_policy_revision_it_adopted(signed_in, member, meeting, pages):
    revision = pages["policy"].latest_revision
    client = signed_in(member)
    client.post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {
            "decision-text": "Adopt the referral policy",
            "decision-rule": "consensus",
            "decision-adopted_revision": revision.pk,
        },
    )
    decision = Decision.objects.get()
    assert decision.adopted_revision == revision
    link = reverse("handbook-history", args=[pages["policy"].slug]) + "#revision-1"
    assert link in client.get(decision.get_absolute_url()).content.decode()
    assert link in client.get(reverse("handbook-decisions")).content.decode()


def test_a_bad_decision_is_refused_with_the_form(signed_in, member, meeting):
    response = signed_in(member).post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "", "decision-rule": "unanimity"},
    )
    assert response.status_code == 400
    assert {"text", "rule"} <= set(response.context["decision_form"].errors)
    assert not Decision.objects.exists()


@pytest.fixture
def decision(member, meeting):
    return services.decision_create(
        actor=member, meeting=meeting, text="Adopt the cover plan", rule="simple_majority"
    )


def test_a_vote_by_a_member_not_eligible_is_forbidden(signed_in, decision):
    """A member admitted after the decision was opened is not on its list."""
    latecomer = ConsultantFactory(status=Consultant.Status.ACTIVE).user
    response = signed_in(latecomer).post(
        reverse("handbook-vote", args=[decision.pk]), {"choice": "for"}
    )
    assert response.status_code == 403
    assert b"not among the members eligible" in response.content
    assert not Vote.objects.exists()


def test_a_vote_after_the_decision_closed_answers_409(signed_in, member, decision):
    client = signed_in(member)
    assert client.post(reverse("handbook-close", args=[decision.pk])).status_code == 302
    response = client.post(reverse("handbook-vote", args=[decision.pk]), {"choice": "for"})
    assert response.status_code == 409
    assert b"Voting on this decision has closed" in response.content
    assert not Vote.objects.exists()
    again = client.post(reverse("handbook-close", args=[decision.pk]))
    assert again.status_code == 409


def test_a_bad_vote_is_refused_with_the_form(signed_in, member, decision):
    response = signed_in(member).post(
        reverse("handbook-vote", args=[decision.pk]), {"choice": "maybe"}
    )
    assert response.status_code == 400
    assert not Vote.objects.exists()


@pytest.mark.parametrize("rule", list(Decision.Rule.values))
def test_the_decision_page_states_how_abstentions_count(signed_in, member, rule):
    decision = services.decision_create(actor=member, text="Motion", rule=rule)
    content = signed_in(member).get(decision.get_absolute_url()).content.decode()
    assert RULE_EXPLANATIONS[rule] in content
    assert "abst" in RULE_EXPLANATIONS[rule].lower()
    assert "Every vote counts towards quorum (for, against, abstain and block alike)" in content


def test_action_items_are_added_and_marked_done(signed_in, member, meeting):
    client = signed_in(member)
    response = client.post(
        reverse("handbook-action-new", args=[meeting.pk]),
        {"action-text": "Draft the cover plan", "action-owner": consultant(member).pk,
         "action-due": "2030-05-01"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert client.post(reverse("handbook-action-done", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    bad = client.post(
        reverse("handbook-action-new", args=[meeting.pk]), {"action-text": "", "action-due": "x"}
    )
    assert bad.status_code == 400
    assert ActionItem.objects.count() == 1


def test_every_form_carries_a_csrf_token(signed_in, member, pages, decision):
    client = signed_in(member)
    for address in (
        reverse("handbook-new"),
        page_url(pages["guide"], "handbook-edit"),
        page_url(pages["guide"]),
        reverse("handbook-meetings"),
        decision.meeting.get_absolute_url(),
        decision.get_absolute_url(),
    ):
        content = client.get(address).content.decode()
        posts = len(re.findall(r'<form[^>]*method="post"', content))
        assert posts and content.count("csrfmiddlewaretoken") >= posts, address


# --- Query counts ---------------------------------------------------------------------------


def test_the_page_view_makes_a_bounded_number_of_queries(
    signed_in, member, pages, django_assert_max_num_queries
):
    for number in range(10):
        services.page_create(actor=member, title=f"Linking {number}", body="[[Team bids]]")
    client = signed_in(member)
    # 1 session, 2 user, 3 the viewer's role groups, 4 their member record, 5 whether they
    # coordinate a group (context processor), 6 the page with its latest revision and owner
    # through the access gate, 7 which linked pages exist (red links), 8 backlinks.
    with django_assert_max_num_queries(8):
        response = client.get(page_url(pages["guide"]))
    assert len(response.context["backlinks"]) == 10


def test_the_index_makes_a_bounded_number_of_queries(
    signed_in, member, pages, django_assert_max_num_queries
):
    for number in range(30):
        services.page_create(actor=member, title=f"Guide {number}", category="guide")
    client = signed_in(member)
    # 1-5 session, user, roles, member record, group coordinator (as for every page),
    # 6 the count of pages, 7 one page of pages (without their bodies).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook-index"))
    assert response.context["listing"].paginator.count == 33


def test_the_decisions_register_makes_a_bounded_number_of_queries(
    signed_in, member, trio, meeting, django_assert_max_num_queries
):
    for number in range(10):
        decision = services.decision_create(
            actor=member,
            meeting=meeting,
            text=f"Motion {number}",
            rule="two_thirds",
        )
        for user in trio:
            services.vote_cast(actor=user, decision_id=decision.pk, choice="for")
    client = signed_in(member)
    # 1-5 session, user, roles, member record, group coordinator, 6 the decisions with their
    # meeting, adopted revision's page and eligible count, 7 their current votes.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook-decisions"))
    assert len(response.context["listing"].object_list) == 10
