"""Indexes for a directory of 100,000 members (docs/operations.md, "The directory at scale").

Every database: the skill filter's (skill, level, member) index replaces (skill, level), and the
language filter gets (language, member) on the languages table, so both read the index alone.

PostgreSQL only (nothing happens on SQLite): the pg_trgm extension and trigram GIN indexes on
the three columns the directory's substring search reads (``UPPER(column) LIKE UPPER('%word%')``,
Django's ``icontains``, in ``network.filters.ConsultantFilter.filter_search``), and no parallel
workers for scans of the members' table: a parallel walk of the directory's order stopped by a
LIMIT makes every worker read far past the rows it needs (300 ms instead of 12 at 100,000
members, measured). Going back drops the indexes and the table setting and leaves the extension
installed (other objects may use it).
"""

from django.db import migrations, models

from network.db import RunSQLOnPostgreSQL

TRIGRAM_COLUMNS = {
    "consultant_name_trgm": "display_name",
    "consultant_location_trgm": "location",
    "consultant_bio_trgm": "bio",
}


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0008_free_service_pledges"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="consultantskill",
            name="network_con_skill_i_57089d_idx",
        ),
        migrations.AddIndex(
            model_name="consultantskill",
            index=models.Index(
                fields=["skill", "level", "consultant"], name="consultant_skill_level_member"
            ),
        ),
        # The many-to-many table has no model of its own to declare it on.
        migrations.RunSQL(
            sql="CREATE INDEX consultant_language_member "
            "ON network_consultant_languages (language_id, consultant_id)",
            reverse_sql="DROP INDEX consultant_language_member",
        ),
        RunSQLOnPostgreSQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        *(
            RunSQLOnPostgreSQL(
                sql=f"CREATE INDEX {name} ON network_consultant "
                f"USING gin ((UPPER({column}::text)) gin_trgm_ops)",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, column in TRIGRAM_COLUMNS.items()
        ),
        RunSQLOnPostgreSQL(
            sql="ALTER TABLE network_consultant SET (parallel_workers = 0)",
            reverse_sql="ALTER TABLE network_consultant RESET (parallel_workers)",
        ),
    ]
