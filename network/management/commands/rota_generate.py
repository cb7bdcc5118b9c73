"""Plan the out-of-hours rota.

    python manage.py rota_generate --weeks 12                     # from the coming Monday
    python manage.py rota_generate --weeks 52 --start 2027-01-04

Weeks already started keep their holder; later weeks from the start are planned afresh.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network import services


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Give the start as YYYY-MM-DD.")) from error


class Command(BaseCommand):
    help = "Plan the out-of-hours on-call rota for a number of weeks."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, required=True)
        parser.add_argument("--start", type=_date, default=None)

    def handle(self, *args, weeks, start, **options):
        if weeks < 1:
            raise CommandError(_("Plan at least one week."))
        plan = services.rota_generate(weeks=weeks, start=start)
        filled = len(plan.holders)
        self.stdout.write(
            ngettext("%(count)s week planned.", "%(count)s weeks planned.", filled)
            % {"count": filled}
        )
        if plan.uncovered:
            self.stdout.write(
                _("Nobody could hold the weeks of: %(weeks)s.")
                % {"weeks": ", ".join(week.isoformat() for week in plan.uncovered)}
            )
