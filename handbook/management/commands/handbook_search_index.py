"""``manage.py handbook_search_index [--check]``: rebuild the handbook's search index on SQLite.

Creates the FTS5 table and its triggers where they are missing (``handbook.search_index``) and
indexes every page again from the pages themselves, in one transaction. Migrating does this
once; run it after restoring pages by hand, or after a migration that copied ``handbook_page``
(SQLite drops a copied table's triggers). ``--check`` only says whether anything is missing and
exits 1 if so. On PostgreSQL there is nothing to do: the database keeps ``search_vector``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from handbook import search_index


class Command(BaseCommand):
    help = "Rebuild the handbook's SQLite search index (nothing to do on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report whether the index's table or triggers are missing.",
        )

    def handle(self, *args, check=False, **options):
        if not search_index.applies(connection):
            self.stdout.write(
                f"Nothing to do on {connection.vendor}: the database keeps the search column."
            )
            return
        missing = search_index.missing(connection)
        if check:
            if missing:
                raise CommandError(
                    f"The search index lacks {', '.join(missing)}: run handbook_search_index."
                )
            self.stdout.write("The search index and its triggers are in place.")
            return
        with transaction.atomic():
            search_index.ensure(connection)
            pages = search_index.rebuild(connection)
        created = f" (created {', '.join(missing)})" if missing else ""
        self.stdout.write(f"Indexed {pages} handbook page{'s' if pages != 1 else ''}{created}.")
