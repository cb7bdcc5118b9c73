"""The search page and the search API as a reader sees them: plain-text snippets with the
matched words marked, nothing a writer typed turned into markup, and a bounded number of
queries."""

import re

import pytest
from django.urls import reverse

from handbook import services
from handbook.models import Page
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

MARKDOWN = (
    "## Referrals\n\nWhen **nobody** fits, read [[Outside referrals|the referral guide]] or "
    "[[Intake and routing]], and use [the form](https://example.org/referral-form).\n\n"
    "- Log each `referral`\n> A *referral* names two professionals."
)


@pytest.fixture
def marked_up(member):
    return services.page_create(actor=member, title="Leaving cover", body=MARKDOWN)


def snippets(response) -> list[str]:
    return re.findall(r'<p class="search-snippet">(.*?)</p>', response.content.decode(), re.S)


def test_snippets_are_plain_text_with_the_matches_marked(signed_in, member, marked_up):
    response = signed_in(member).get(reverse("handbook-search"), {"q": "referral"})

    [snippet] = snippets(response)
    assert snippet == (
        "<mark>Referrals</mark> When nobody fits, read the <mark>referral</mark> guide or Intake "
        "and routing, and use the form. Log each <mark>referral</mark> A <mark>referral</mark> "
        "names two professionals."
    )
    for syntax in ("##", "**", "[[", "]]", "](", "`", "&gt;", "https://"):
        assert syntax not in snippet


def test_what_a_writer_typed_never_becomes_markup(signed_in, member):
    services.page_create(
        actor=member,
        title="Unsafe",
        body='Probation <mark>fake</mark> <b onclick="x()">bold</b> & "quotes" <not a tag',
    )

    [snippet] = snippets(signed_in(member).get(reverse("handbook-search"), {"q": "probation"}))

    assert snippet.count("<mark>") == 1 and snippet.startswith("<mark>Probation</mark>")
    assert "onclick" not in snippet
    assert "&amp;" in snippet and "&quot;quotes&quot;" in snippet and "&lt;not a tag" in snippet


def test_a_title_match_comes_first_on_the_page(signed_in, member, marked_up):
    titled = services.page_create(actor=member, title="Referral rules", body="Refer out.")

    response = signed_in(member).get(reverse("handbook-search"), {"q": "referral"})

    assert [hit.page for hit in response.context["hits"]] == [titled, marked_up]


def test_the_api_snippet_is_plain_text_too(api_as, member, marked_up):
    [hit] = api_as(member).get("/api/v1/handbook/search/", {"q": "professionals"}).json()["results"]

    assert "<mark>professionals</mark>" in hit["snippet"]
    assert "[[" not in hit["snippet"] and "**" not in hit["snippet"]


def test_the_search_page_makes_a_bounded_number_of_queries(
    signed_in, member, django_assert_max_num_queries
):
    for number in range(30):
        services.page_create(
            actor=member, title=f"Referral guide {number}", body=f"## Refer\n\n**Refer** {number}."
        )
    client = signed_in(fresh(member))
    # 1 session, 2 user, 3 roles, 4 member record, 5 group coordinator, 6 the navigation's
    # counts (as on every page); 7 the ranked hits with the text of their snippets.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook-search"), {"q": "referral"})
    assert len(response.context["hits"]) == 20
    assert Page.objects.count() == 30
