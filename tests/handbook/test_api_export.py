"""The handbook export API: a zip of Markdown files holding the pages the caller may read."""

import io
import zipfile

import pytest

from handbook import services
from tests.helpers import fresh

pytestmark = pytest.mark.django_db


EXPORT = "/api/v1/handbook/export/"


@pytest.mark.parametrize(
    ("role", "expected", "exported"),
    [
        ("anonymous", 200, 1),
        ("applicant", 200, 1),
        ("member", 200, 2),
        ("admin", 200, 2),
    ],
)
def test_export_holds_the_pages_the_caller_may_read(
    api_as, caller, role, expected, exported, public_page, members_page
):
    response = api_as(caller(role)).get(EXPORT)
    assert response.status_code == expected
    if exported is None:
        return
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".zip" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        markdown = [
            name for name in archive.namelist() if name.endswith(".md") and name != "index.md"
        ]
        assert len(markdown) == exported
        text = "\n".join(archive.read(name).decode() for name in markdown)
    assert "When nobody in the alliance fits" in text
    assert ("Team bids share risk" in text) == (exported == 2)


def test_export_answers_a_client_that_asks_for_a_zip(api_as, member, public_page):
    response = api_as(member).get(EXPORT, HTTP_ACCEPT="application/zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"


def test_export_query_count(api_as, member, author, django_assert_max_num_queries):
    for number in range(30):
        services.page_create(actor=author, title=f"Guide {number}", body="Text.")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 every page with its owner (one query, not one per page).
    with django_assert_max_num_queries(3):
        response = client.get(EXPORT)
    assert response.status_code == 200
