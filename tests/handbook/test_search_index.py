"""The handbook's search index on SQLite (``handbook.search_index``, migration 0006): an FTS5
table that triggers keep in step with every write of a page, rebuilt by
``manage.py handbook_search_index``; and the reader's words turned into FTS5's syntax
(``handbook.search.fts_query``). On PostgreSQL the migration and the command do nothing."""

import importlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from handbook import search_index
from handbook.models import Page
from handbook.search import fts_query, search_pages
from tests.factories import PageFactory

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 index exists on SQLite only"
)
MIGRATION = importlib.import_module("handbook.migrations.0006_search_index_on_sqlite")


def found(query: str) -> list[str]:
    return [hit.page.title for hit in search_pages(Page.objects.all(), query)]


def indexed() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, title FROM handbook_page_fts ORDER BY rowid")
        return list(cursor.fetchall())


# --- The reader's words in FTS5's syntax -----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quorum", '("quorum")'),
        ("time away", '("time" AND "away")'),
        ('"two thirds" majority', '("two thirds" AND "majority")'),
        ("leave or holiday", '(("leave") OR ("holiday"))'),
        ("cover during leave OR holiday", '(("cover" AND "during" AND "leave") OR ("holiday"))'),
        ("time -holiday", '("time") NOT "holiday"'),
        ('time -"bank holiday"', '("time") NOT "bank holiday"'),
        ("shared-risk rate", '("shared risk" AND "rate")'),
        # FTS5's own syntax is only words: a bare term's words are a phrase, as on PostgreSQL.
        ('quorum NEAR(a b) AND "x" * ^col:',
         '("quorum" AND "NEAR a" AND "b" AND "AND" AND "x" AND "col")'),
        ('"unbalanced quote', '("unbalanced quote")'),
        ("or leave", '("leave")'),
        ("-holiday", None),
        ("&&& ((( ***", None),
        ("😀", None),
        ("émoji ünïcode", '("émoji" AND "ünïcode")'),
    ],
)  # fmt: skip
def test_a_query_becomes_quoted_fts5_terms(query, expected):
    assert fts_query(query) == expected


def test_a_query_keeps_at_most_sixteen_terms():
    assert fts_query(" ".join(f"w{number}" for number in range(40))).count('"') == 32


# --- The index, kept by triggers ---------------------------------------------------------------


@on_sqlite
@pytest.mark.django_db
def test_the_migrated_database_has_the_index_and_its_triggers():
    assert search_index.missing() == []


@on_sqlite
@pytest.mark.django_db
def test_the_migration_runs_the_statements_the_module_names():
    assert MIGRATION.CREATE == search_index.CREATE
    assert MIGRATION.REBUILD == search_index.REBUILD
    assert MIGRATION.DROP == search_index.DROP


@on_sqlite
@pytest.mark.django_db
def test_every_write_of_a_page_reaches_the_index():
    # A page written row by row (no revision, so it may be deleted): the triggers index it.
    page = Page.objects.create(title="Cover", slug="cover", body="Holidays need cover.")
    assert indexed() == [(page.pk, "Cover")]
    assert found("holidays") == ["Cover"]

    # Whatever writes the page: the services, or a bulk update that bypasses them.
    Page.objects.filter(pk=page.pk).update(title="Time away", body="Sabbaticals need cover.")
    assert indexed() == [(page.pk, "Time away")]
    assert found("holidays") == []
    assert found("sabbaticals") == ["Time away"]

    Page.objects.filter(pk=page.pk).delete()
    assert indexed() == []
    assert found("sabbaticals") == []


@on_sqlite
@pytest.mark.django_db
def test_a_write_that_leaves_the_text_alone_does_not_reindex(member):
    page = PageFactory(actor=member, title="Cover", body="Holidays need cover.")
    with connection.cursor() as cursor:
        # Mark the indexed copy: re-indexing would put the page's own text back.
        cursor.execute("UPDATE handbook_page_fts SET body = 'marked' WHERE rowid = %s", [page.pk])

    Page.objects.filter(pk=page.pk).update(last_reviewed=None, category=Page.Category.POLICY)

    assert found("marked") == ["Cover"]


# --- Rebuilding ---------------------------------------------------------------------------------


@on_sqlite
@pytest.mark.django_db
def test_the_command_rebuilds_a_lost_index(member):
    PageFactory(actor=member, title="Cover", body="Holidays need cover.")
    PageFactory(actor=member, title="Intake", body="Requests come in.")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM handbook_page_fts")
    assert found("holidays") == []

    output = io.StringIO()
    call_command("handbook_search_index", stdout=output)

    assert output.getvalue() == "Indexed 2 handbook pages.\n"
    assert found("holidays") == ["Cover"]


@on_sqlite
@pytest.mark.django_db
def test_the_command_puts_back_triggers_a_copied_table_lost(member):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.TABLE}_update")
    with pytest.raises(CommandError, match=f"lacks {search_index.TABLE}_update"):
        call_command("handbook_search_index", check=True, stdout=io.StringIO())

    output = io.StringIO()
    call_command("handbook_search_index", stdout=output)
    call_command("handbook_search_index", check=True, stdout=output)

    assert f"(created {search_index.TABLE}_update)" in output.getvalue()
    assert "The search index and its triggers are in place." in output.getvalue()
    page = PageFactory(actor=member, title="Cover", body="Old words.")
    Page.objects.filter(pk=page.pk).update(body="New words.")
    assert found("new") == ["Cover"]


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_there_is_no_fts_table_and_nothing_to_rebuild():
    if connection.vendor != "postgresql":
        pytest.skip("checks what the migration leaves on PostgreSQL")

    output = io.StringIO()
    call_command("handbook_search_index", stdout=output)

    assert search_index.TABLE not in connection.introspection.table_names()
    assert search_index.missing() == []
    assert "Nothing to do on postgresql" in output.getvalue()
