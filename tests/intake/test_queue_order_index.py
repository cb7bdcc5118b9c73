"""A page of the request list reads its rows from an index in the list's order and stops after
the page: the database sorts nothing, however many requests match.

The list is newest first, then by key (``-submitted_at, -pk``). An index that ends in the date
alone leaves the key to a sort of every matching row (with their joins) before the page is cut;
the queue filtered by status and the whole list each have an index ending in both.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Request
from tests.factories import RequestFactory
from tests.helpers import query_plan

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
TABLE = Request._meta.db_table


def _list_query(client, params: dict, count: int) -> str:
    """The SQL of the page's own query (the one that reads the rows, not the count)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(REQUESTS, params)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count
    [sql] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith(f'SELECT "{TABLE}"."id"') and "LIMIT" in query["sql"]
    ]
    return sql


@pytest.fixture
def thirty_requests():
    RequestFactory.create_batch(30, status=Request.Status.SUBMITTED)
    RequestFactory.create_batch(5, status=Request.Status.TRIAGED)


@pytest.mark.parametrize(
    ("params", "index", "count"),
    [
        ({"status": "submitted"}, "request_status_order_idx", 30),
        ({}, "request_order_idx", 35),
    ],
    ids=["the queue by status", "the whole list"],
)
def test_a_page_is_read_in_index_order_without_a_sort(
    thirty_requests, api_as, intake_coordinator, params, index, count
):
    plan = query_plan(_list_query(api_as(intake_coordinator), params, count))
    assert index in plan, plan
    assert "Sort" not in plan, plan  # PostgreSQL: Sort, Incremental Sort
    assert "TEMP B-TREE" not in plan, plan  # SQLite: USE TEMP B-TREE FOR ORDER BY


def test_the_indexes_end_in_the_lists_order():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    assert constraints["request_status_order_idx"]["columns"] == ["status", "submitted_at", "id"]
    assert constraints["request_order_idx"]["columns"] == ["submitted_at", "id"]
    assert Request._meta.ordering == ["-submitted_at", "-pk"]
