"""The handbook's search index on SQLite: an FTS5 table of every page's title and body, kept in
step by triggers, filled from the pages that exist (``handbook.search_index`` holds the same
statements and the reasons; ``tests/handbook/test_search_index.py`` checks that the two agree).
Nothing to do on PostgreSQL, which searches the generated ``search_vector`` (migration 0002).

The statements are written out here, not imported, so that this migration does what it did
when it was written, whatever the module becomes."""

from django.db import migrations

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS handbook_page_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS handbook_page_fts_insert AFTER INSERT ON handbook_page BEGIN "
    "INSERT INTO handbook_page_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS handbook_page_fts_update AFTER UPDATE ON handbook_page "
    "WHEN old.title IS NOT new.title OR old.body IS NOT new.body OR old.id IS NOT new.id BEGIN "
    "DELETE FROM handbook_page_fts WHERE rowid = old.id; "
    "INSERT INTO handbook_page_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS handbook_page_fts_delete AFTER DELETE ON handbook_page BEGIN "
    "DELETE FROM handbook_page_fts WHERE rowid = old.id; END",
]
REBUILD = [
    "DELETE FROM handbook_page_fts",
    "INSERT INTO handbook_page_fts(rowid, title, body) SELECT id, title, body FROM handbook_page",
]
DROP = [
    "DROP TRIGGER IF EXISTS handbook_page_fts_insert",
    "DROP TRIGGER IF EXISTS handbook_page_fts_update",
    "DROP TRIGGER IF EXISTS handbook_page_fts_delete",
    "DROP TABLE IF EXISTS handbook_page_fts",
]


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("handbook", "0005_titles_show_every_character")]

    operations = [migrations.RunPython(_on_sqlite(CREATE + REBUILD), _on_sqlite(DROP))]
