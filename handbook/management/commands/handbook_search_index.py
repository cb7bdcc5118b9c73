"""``manage.py handbook_search_index [--check]``: rebuild the handbook's search index on SQLite.

Creates the FTS5 table and its triggers where they are missing (``handbook.search_index``) and
indexes every page again from the pages themselves, in one transaction. Migrating does this
once; run it after restoring pages by hand, or after a migration that copied ``handbook_page``
(SQLite drops a copied table's triggers). ``--check`` only says whether anything is missing and
exits 1 if so. On PostgreSQL there is nothing to do: the database keeps ``search_vector``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
                _("Nothing to do on %(database)s: the database keeps the search column.")
                % {"database": connection.vendor}
            )
            return
        missing = search_index.missing(connection)
        if check:
            if missing:
                raise CommandError(
                    _("The search index lacks %(missing)s: run handbook_search_index.")
                    % {"missing": ", ".join(missing)}
                )
            self.stdout.write(_("The search index and its triggers are in place."))
            return
        with transaction.atomic():
            search_index.ensure(connection)
            pages = search_index.rebuild(connection)
        if missing:
            done = ngettext(
                "Indexed %(count)s handbook page (created %(missing)s).",
                "Indexed %(count)s handbook pages (created %(missing)s).",
                pages,
            ) % {"count": pages, "missing": ", ".join(missing)}
        else:
            done = ngettext(
                "Indexed %(count)s handbook page.", "Indexed %(count)s handbook pages.", pages
            ) % {"count": pages}
        self.stdout.write(done)
