"""The directory's indexes (network migrations 0009 and 0010): the pg_trgm extension and a
trigram index on the stored search text on PostgreSQL only, a no-op for them on SQLite, and the
plain indexes of the skill and language filters on every database."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from network.db import RunSQLOnPostgreSQL
from network.filters import ConsultantFilter
from network.models import Consultant

pytestmark = pytest.mark.django_db

migration = importlib.import_module("network.migrations.0009_directory_search_indexes")
search_text_migration = importlib.import_module("network.migrations.0010_directory_search_text")
TRIGRAM_INDEXES = migration.TRIGRAM_COLUMNS  # 0009's, one per column; 0010 drops them
SEARCH_INDEX = search_text_migration.SEARCH_INDEX
ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="pg_trgm and the trigram indexes exist on PostgreSQL only (SQLite has neither; "
    "its substring search stays a table scan); run with DATABASE_URL=postgres://…",
)
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="checks what SQLite is left with")


def _postgresql_only_operations(module=migration):
    return [
        operation
        for operation in module.Migration.operations
        if isinstance(operation, RunSQLOnPostgreSQL)
    ]


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, details in constraints.items() if details["index"]}


class RecordingEditor:
    """A stand-in schema editor on a database of the given vendor that records its SQL."""

    def __init__(self, vendor: str):
        self.connection = SimpleNamespace(vendor=vendor, alias="default", ops=connection.ops)
        self.executed: list[str] = []

    def execute(self, sql, params=None):
        self.executed.append(sql)


# --- Every database --------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["sqlite", "mysql", "oracle"])
def test_postgresql_only_steps_do_nothing_on_other_databases(vendor):
    editor = RecordingEditor(vendor)
    steps = _postgresql_only_operations() + _postgresql_only_operations(search_text_migration)
    assert len(steps) == 9
    for operation in steps:
        operation.database_forwards("network", editor, None, None)
        operation.database_backwards("network", editor, None, None)
    assert editor.executed == []


def test_postgresql_only_steps_run_their_sql_on_postgresql():
    editor = RecordingEditor("postgresql")
    for operation in _postgresql_only_operations():
        operation.database_forwards("network", editor, None, None)
    assert editor.executed[0] == "CREATE EXTENSION IF NOT EXISTS pg_trgm"
    for name, column in TRIGRAM_INDEXES.items():
        assert (
            f"CREATE INDEX {name} ON network_consultant "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        ) in editor.executed
    assert "ALTER TABLE network_consultant SET (parallel_workers = 0)" in editor.executed
    editor.executed.clear()
    for operation in reversed(_postgresql_only_operations()):
        operation.database_backwards("network", editor, None, None)
    assert {f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES} <= set(editor.executed)
    assert not any("EXTENSION" in sql for sql in editor.executed)  # left installed
    assert migration.Migration.operations[-1].describe().startswith("PostgreSQL only: ")


def test_skill_and_language_filters_have_their_indexes():
    assert "consultant_skill_level_member" in _index_names("network_consultantskill")
    assert "consultant_language_member" in _index_names("network_consultant_languages")
    # The (skill, level) index it replaces, a prefix of the new one, is gone.
    assert "network_con_skill_i_57089d_idx" not in _index_names("network_consultantskill")


# --- SQLite ----------------------------------------------------------------------------------


@sqlite_only
def test_sqlite_has_no_trigram_indexes():
    assert not ({SEARCH_INDEX, *TRIGRAM_INDEXES} & _index_names("network_consultant"))


# --- PostgreSQL ------------------------------------------------------------------------------


@postgresql_only
def test_postgresql_has_pg_trgm_and_one_trigram_index_on_the_search_text():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'network_consultant'"
        )
        definitions = dict(cursor.fetchall())
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'network_consultant'")
        (options,) = cursor.fetchone()
    assert "USING gin (search_text gin_trgm_ops)" in definitions[SEARCH_INDEX]
    # 0009's three, one per column, are gone: the search no longer reads those expressions.
    assert not set(TRIGRAM_INDEXES) & set(definitions)
    assert "parallel_workers=0" in options


@postgresql_only
def test_postgresql_search_filter_uses_the_trigram_index():
    # The pattern the filter writes (the word upper-cased and escaped by the database) folds to
    # a constant the index can answer (table scans priced out to see it).
    queryset = ConsultantFilter({"search": "oakland"}, queryset=Consultant.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.order_by().values("pk").explain()
    assert SEARCH_INDEX in plan and "'%OAKLAND%'" in plan, plan


@postgresql_only
def test_postgresql_search_text_steps_go_back_and_forth():
    steps = _postgresql_only_operations(search_text_migration)
    with connection.schema_editor(atomic=False) as editor:
        for operation in reversed(steps):
            operation.database_backwards("network", editor, None, None)
    indexes = _index_names("network_consultant")
    assert set(TRIGRAM_INDEXES) <= indexes and SEARCH_INDEX not in indexes
    with connection.schema_editor(atomic=False) as editor:
        for operation in steps:
            operation.database_forwards("network", editor, None, None)
    indexes = _index_names("network_consultant")
    assert SEARCH_INDEX in indexes and not set(TRIGRAM_INDEXES) & indexes


@postgresql_only
def test_postgresql_steps_go_back_and_forth():
    steps = _postgresql_only_operations()
    with connection.schema_editor(atomic=False) as editor:
        for operation in reversed(steps):
            operation.database_backwards("network", editor, None, None)
    assert not set(TRIGRAM_INDEXES) & _index_names("network_consultant")
    with connection.schema_editor(atomic=False) as editor:
        for operation in steps:
            operation.database_forwards("network", editor, None, None)
    assert set(TRIGRAM_INDEXES) <= _index_names("network_consultant")
