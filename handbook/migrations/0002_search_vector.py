"""Full-text search over handbook pages on PostgreSQL: a generated, weighted ``tsvector`` (title
A, body B) with a GIN index. The column is not a model field: Django never writes it (the
database keeps it in step with every save) and only ``handbook.search`` reads it. SQLite has no
such column and searches with a plain fallback."""

from django.db import migrations

CREATE = [
    """
    ALTER TABLE handbook_page ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
      setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', coalesce(body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX handbook_page_search_vector ON handbook_page USING GIN (search_vector)",
]
DROP = [
    "DROP INDEX IF EXISTS handbook_page_search_vector",
    "ALTER TABLE handbook_page DROP COLUMN IF EXISTS search_vector",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("handbook", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
