"""``manage.py matching_index [--watch SECONDS]``: build this machine's matching index if stale.

Once: builds the version for the current stamp unless this machine has it (under the machine's
build lock, so it is safe beside web processes and a task cluster), prints the version and its
directory. ``--watch``: checks again every SECONDS until stopped, for machines that run web
processes but no task cluster (docs/operations.md, "Matching index"): each machine then builds
its own copy within SECONDS of a change.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext_lazy as _

from matching import adapter, index_files


class Command(BaseCommand):
    help = _("Build the matching index on this machine if it is stale; --watch to keep doing so.")

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=float, metavar="SECONDS", default=None)

    def handle(self, *args, watch: float | None, **options):
        shown = None
        while True:
            path = adapter.build_files()
            details = index_files.info(path) or {}
            if options["verbosity"] >= 1 and path != shown:
                shown = path
                self.stdout.write(
                    f"Matching index version {details.get('version')}: {path} "
                    f"({details.get('members')} members, built in "
                    f"{details.get('build_seconds')} s)"
                )
            if watch is None:
                return
            close_old_connections()
            time.sleep(max(watch, 1.0))
