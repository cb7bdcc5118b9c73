"""Search over handbook pages: ranked, highlighted, safe, and limited to what the reader sees.

Runs on SQLite (an FTS5 index ranked with bm25) and on PostgreSQL (full-text search over the
generated ``search_vector`` column) with the same expectations; the SQLite index itself is
tested in test_search_index.py.
"""

import pytest
from django.utils.safestring import SafeString

from handbook import access, services
from handbook.models import Page
from handbook.search import SearchHit, search_pages
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(member):
    def make(title, body, visibility=Page.Visibility.MEMBERS):
        return PageFactory(actor=member, title=title, body=body, visibility=visibility)

    return make


def test_a_title_match_ranks_above_a_body_only_match(pages):
    body_only = pages(
        "Meetings and minutes",
        "Every member reads the referral policy. The referral rules change rarely; "
        "each referral is logged, and a referral names two outside professionals.",
    )
    titled = pages("Outside referral policy", "When nobody in the alliance fits, we refer out.")
    pages("Cover during time away", "Nothing about that here.")

    hits = search_pages(Page.objects.all(), "referral")

    assert [hit.page for hit in hits] == [titled, body_only]
    assert hits[0].rank > hits[1].rank
    assert all(isinstance(hit, SearchHit) and 0 < hit.rank < 1 for hit in hits)


def test_a_title_match_beats_many_mentions_in_a_body(pages):
    mentions = pages("Notes", "Quorum, quorum, quorum: the quorum is half, the quorum rounds up.")
    titled = pages("Quorum", "Half of the working members.")

    assert [hit.page for hit in search_pages(Page.objects.all(), "quorum")] == [titled, mentions]


def test_more_mentions_rank_above_fewer(pages):
    filler = "Members meet each month and keep the minutes of every meeting they hold."
    once = pages("First notes", f"The quorum was met. {filler} Nothing else came up today.")
    thrice = pages("Second notes", f"The quorum, the quorum and the quorum. {filler}")
    twice = pages("Third notes", f"The quorum was met; the quorum rule held. {filler}")

    hits = search_pages(Page.objects.all(), "quorum")

    assert [hit.page for hit in hits] == [thrice, twice, once]
    assert hits[0].rank > hits[1].rank > hits[2].rank


def test_every_word_must_match(pages):
    both = pages("Team bids", "A shared-risk rate agreement for every bid.")
    pages("Rates", "Each member sets a standard rate.")

    assert [hit.page for hit in search_pages(Page.objects.all(), "rate bid")] == [both]


def test_matches_are_highlighted_in_the_snippet(pages):
    pages("Intake", "A new request is contacted within two business days by the coordinator.")

    [hit] = search_pages(Page.objects.all(), "coordinator")

    assert "<mark>coordinator</mark>" in hit.snippet
    assert "business days" in hit.snippet


def test_the_snippet_escapes_html_in_the_body(pages):
    pages(
        "Unsafe page",
        "Before <script>alert('x')</script> <img src=x onerror=alert(1)> probation "
        'and a < b & c > d "quoted" text',
    )

    [hit] = search_pages(Page.objects.all(), "probation")

    assert isinstance(hit.snippet, SafeString)
    assert "<mark>probation</mark>" in hit.snippet
    without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert "&lt;" in without_marks and "&amp;" in without_marks
    assert "script" not in without_marks and "onerror" not in without_marks


def test_a_snippet_shows_plain_words_not_markdown(pages):
    pages(
        "Leaving the alliance",
        "## When you leave\n\nTell the **community coordinator**; see "
        "[[Outside referrals|the referral guide]] and [the form](https://example.org/referral)."
        "\n\n- Hand over `each referral`\n> A *referral* is never dropped.",
    )

    [hit] = search_pages(Page.objects.all(), "referral")

    assert hit.snippet == (
        "When you leave Tell the community coordinator; see the <mark>referral</mark> guide and "
        "the form. Hand over each <mark>referral</mark> A <mark>referral</mark> is never dropped."
    )


def test_a_match_inside_markup_only_gives_the_start_of_the_text(pages):
    pages("Links", "Ask the desk. [[Probation rules|The rules]] have the rest.")

    [hit] = search_pages(Page.objects.all(), "probation")

    assert hit.snippet == "Ask the desk. The rules have the rest."


def test_the_snippet_is_cut_around_the_first_match(pages):
    pages(
        "Long page",
        "Filler words here. " * 40 + "The probation period is nine months." + " More." * 60,
    )

    [hit] = search_pages(Page.objects.all(), "probation")

    assert hit.snippet.startswith("… ") and hit.snippet.endswith(" …")
    assert "<mark>probation</mark> period is nine months." in hit.snippet
    assert len(hit.snippet) < 260


def test_a_title_only_match_gives_the_start_of_the_body(pages):
    pages("Probation", "Nine months, then a vote of the members.")

    [hit] = search_pages(Page.objects.all(), "probation")

    assert hit.snippet == "Nine months, then a vote of the members."


def test_only_pages_in_the_given_queryset_are_found(pages, db):
    public = pages("Public outside referrals", "Referral", visibility=Page.Visibility.PUBLIC)
    pages("Members referral notes", "Referral", visibility=Page.Visibility.MEMBERS)

    anonymous = access.visible_pages(None)
    hits = search_pages(anonymous, "referral")

    assert [hit.page for hit in hits] == [public]


def test_the_limit_is_respected(pages):
    for number in range(5):
        pages(f"Minutes {number}", "The quorum was reached.")

    assert len(search_pages(Page.objects.all(), "quorum", limit=3)) == 3
    assert search_pages(Page.objects.all(), "quorum", limit=0) == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t", None])
def test_a_blank_query_finds_nothing(pages, query):
    pages("Anything", "Some text")

    assert search_pages(Page.objects.all(), query) == []


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE handbook_page; --",
        '"unbalanced quote',
        "a & b | !c <-> d:* (((",
        "%_%",
        "\\",
        "OR 1=1",
        "-",
        "\x00nul byte",
        "\ue000sentinel\ue001",
        "😀 émoji ünïcode",
        "x" * 5000,
        "the and of",  # only stop words on PostgreSQL
    ],
)
def test_weird_queries_do_not_error(pages, query):
    pages("Decisions", "How we decide: consensus, two thirds, simple majority.")

    hits = search_pages(Page.objects.all(), query)

    assert isinstance(hits, list)
    assert Page.objects.count() == 1


def test_a_quoted_phrase_finds_the_page(pages):
    page = pages("Decisions", "Day-to-day questions need a two thirds majority.")
    pages("Counting", "Two members, then thirds of the rest.")

    assert [hit.page for hit in search_pages(Page.objects.all(), '"two thirds"')] == [page]


def test_or_offers_alternatives_and_a_minus_excludes(pages):
    leave = pages("Leave", "Time away on leave.")
    holiday = pages("Holiday", "Time away on holiday.")
    pages("Sabbatical", "A sabbatical is long.")

    either = search_pages(Page.objects.all(), "leave or holiday")
    assert {hit.page for hit in either} == {leave, holiday}
    assert [hit.page for hit in search_pages(Page.objects.all(), "time -holiday")] == [leave]


def test_an_edit_is_searchable_at_once(pages, member):
    page = pages("Cover", "Old text about holidays.")
    services.page_edit(
        actor=member,
        page_id=page.pk,
        base_revision=page.latest_revision_id,
        body="New text about sabbaticals.",
    )

    assert search_pages(Page.objects.all(), "holidays") == []
    assert [hit.page for hit in search_pages(Page.objects.all(), "sabbaticals")] == [page]


def test_the_search_is_one_query(pages, django_assert_num_queries):
    for number in range(3):
        pages(f"Policy {number}", "Review every policy once a year.")

    # 1. the matching pages, ranked and limited, with their snippets
    with django_assert_num_queries(1):
        hits = search_pages(Page.objects.all(), "policy")
    assert len(hits) == 3


def test_stemming_matches_other_forms_of_a_word(pages):
    page = pages("Routing", "Requests are routed to a consultant group.")

    [hit] = search_pages(Page.objects.all(), "routing requests")

    assert hit.page == page
    assert "<mark>routed</mark>" in hit.snippet and "<mark>Requests</mark>" in hit.snippet


def test_a_stem_ending_in_i_marks_the_word_ending_in_y(pages):
    pages("Reviews", "Each policy is reviewed; the policies are kept current.")

    [hit] = search_pages(Page.objects.all(), "policies")

    assert (
        hit.snippet
        == "Each <mark>policy</mark> is reviewed; the <mark>policies</mark> are kept current."
    )
