"""``manage.py seed_demo [--scale N] [--seed S] [--progress]``: the demo alliance, and synthetic
members (their progress on standard error: on a terminal, or with --progress)."""

import time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from network.demo import (
    DEMO_PASSWORD,
    SYNTHETIC_DOMAIN,
    synthetic_consultants_add,
    synthetic_tables_vacuum,
)
from network.demo_seed import demo_alliance_seed
from network.progress import CommandProgress, add_progress_argument


class Command(BaseCommand):
    help = (
        "Create the demo alliance (idempotent) and print its demo logins. With --scale N, also "
        "add N synthetic members for load tests (every run adds N more)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Add N synthetic consultants with skills, languages and groups (bulk inserts).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2002,
            help="Random seed for the synthetic consultants (default 2002: same data each time).",
        )
        add_progress_argument(parser)

    def handle(self, *args, scale: int, seed: int, verbosity: int, progress: bool, **options):
        if scale < 0:
            raise CommandError(_("--scale must be zero or a positive number."))
        summary = demo_alliance_seed()
        created = ", ".join(f"{count} {what}" for what, count in summary.created.items())
        counts = ", ".join(f"{count} {what}" for what, count in summary.counts.items())
        self.stdout.write(_("Demo alliance: %(counts)s.") % {"counts": counts})
        self.stdout.write(
            _("Created now: %(created)s.") % {"created": created or _("nothing (already seeded)")}
        )

        if scale:
            started = time.perf_counter()
            shown = CommandProgress(self, requested=progress, verbosity=verbosity)
            with shown.stage(_("Adding synthetic consultants"), total=scale) as stage:
                result = synthetic_consultants_add(scale, seed=seed, progress=stage.update)
            synthetic_tables_vacuum()
            elapsed = time.perf_counter() - started
            rows = ", ".join(f"{count:,} {what}" for what, count in result.rows.items())
            self.stdout.write(
                _(
                    "Added %(scale)s synthetic consultants (%(first)s … %(last)s) in %(seconds)s "
                    "s: %(total)s rows (%(rows)s)."
                )
                % {
                    "scale": f"{scale:,}",
                    "first": f"scale-{result.first_index:08d}",
                    "last": f"scale-{result.last_index:08d}@{SYNTHETIC_DOMAIN}",
                    "seconds": f"{elapsed:.1f}",
                    "total": f"{sum(result.rows.values()):,}",
                    "rows": rows,
                }
            )

        # The starter handbook, by command name: network does not import the handbook.
        if apps.is_installed("handbook"):
            call_command("seed_handbook", username="admin", stdout=self.stdout)

        self._print_logins(summary.logins)

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        header = (_("username"), _("password"), _("role"))
        widths = [max(len(row[column]) for row in [header, *logins]) for column in range(2)]
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                _(
                    "Demo logins -- DEMO ONLY: every account below has the published password "
                    "%(password)r. Never run seed_demo on a server others can reach."
                )
                % {"password": DEMO_PASSWORD}
            )
        )
        for username, password, role in [header, *logins]:
            self.stdout.write(f"  {username:<{widths[0]}}  {password:<{widths[1]}}  {role}")
        if not settings.DEBUG:
            self.stdout.write(
                self.style.ERROR(
                    _(
                        "DEBUG is off: if this is a public server, delete these accounts or "
                        "change their passwords now."
                    )
                )
            )
