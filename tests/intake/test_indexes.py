"""The largest tables carry no index that no query uses: every index costs each insert.

A request, its events and its notifications are written on every submission and every move, and
they grow without bound. On PostgreSQL, ``unique=True`` or ``db_index=True`` on a CharField adds a
second index for LIKE look-ups (``varchar_pattern_ops``), and a single-column index is redundant
next to a composite one that starts with the same column.
"""

import pytest
from django.db import connection

from intake.models import Notification, Request, RequestEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = [model._meta.db_table for model in (Request, RequestEvent, Notification)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("LIKE indexes and index definitions are read from PostgreSQL's catalogue")


def indexes(table: str) -> list[tuple[str, bool, list[str], str]]:
    """(name, unique, columns in order, definition) of every index on ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT index_class.relname, index.indisunique,
                   array(SELECT attribute.attname
                         FROM unnest(index.indkey) WITH ORDINALITY AS key(number, position)
                         JOIN pg_attribute attribute
                           ON attribute.attrelid = index.indrelid
                          AND attribute.attnum = key.number
                         ORDER BY key.position),
                   pg_get_indexdef(index.indexrelid)
            FROM pg_index index
            JOIN pg_class index_class ON index_class.oid = index.indexrelid
            WHERE index.indrelid = %s::regclass
            """,
            [table],
        )
        return [
            (name, unique, list(columns), definition)
            for name, unique, columns, definition in cursor.fetchall()
        ]


@pytest.mark.parametrize("table", TABLES)
def test_no_like_indexes(table):
    assert [name for name, _, _, definition in indexes(table) if "pattern_ops" in definition] == []


@pytest.mark.parametrize("table", TABLES)
def test_no_index_is_the_leading_part_of_another(table):
    found = indexes(table)
    redundant = [
        (name, other)
        for name, unique, columns, _ in found
        if not unique
        for other, _, other_columns, _ in found
        if other != name and other_columns[: len(columns)] == columns
    ]
    assert redundant == []


def test_the_unique_keys_are_still_unique():
    unique = {
        tuple(columns) for _, is_unique, columns, _ in indexes(Request._meta.db_table) if is_unique
    }
    assert {("id",), ("reference",), ("status_token_hash",)} <= unique
