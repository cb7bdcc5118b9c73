"""The handbook search API: ranked hits with snippets, over the pages the caller may read."""

import pytest

from handbook import services
from tests.helpers import fresh

pytestmark = pytest.mark.django_db


SEARCH = "/api/v1/handbook/search/"


@pytest.mark.parametrize(
    ("role", "expected", "found"),
    [
        ("anonymous", 200, {"outside-referrals"}),
        ("applicant", 200, {"outside-referrals"}),
        ("member", 200, {"outside-referrals", "rate-agreements"}),
        ("admin", 200, {"outside-referrals", "rate-agreements"}),
    ],
)
def test_search_covers_the_pages_the_caller_may_read(
    api_as, caller, role, expected, found, public_page, members_page
):
    response = api_as(caller(role)).get(SEARCH, {"q": "referrals"})
    assert response.status_code == expected
    if found is not None:
        assert {hit["slug"] for hit in response.json()["results"]} == found


def test_search_answers_ranked_hits_with_snippets(api_as, member, public_page, members_page):
    response = api_as(member).get(SEARCH, {"q": "refer"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "refer"
    hit = body["results"][0]
    assert set(hit) == {"title", "slug", "category", "snippet", "rank"}
    assert hit["slug"] == "outside-referrals"
    assert "<mark>" in hit["snippet"]
    assert isinstance(hit["rank"], float)


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}])
def test_a_blank_search_is_a_field_error(api_as, member, query):
    response = api_as(member).get(SEARCH, query)
    assert response.status_code == 400
    assert "q" in response.json()


def test_search_query_count(api_as, member, author, django_assert_max_num_queries):
    for number in range(30):
        services.page_create(actor=author, title=f"Referral guide {number}", body="Refer out.")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the ranked hits with their snippets' text.
    with django_assert_max_num_queries(3):
        response = client.get(SEARCH, {"q": "referral"})
    assert len(response.json()["results"]) == 20
