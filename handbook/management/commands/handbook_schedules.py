"""Create or update the django-q2 schedules of the handbook's daily reminders.

Idempotent, keyed by schedule name (``network.schedules.schedule_ensure``): running it again
changes only what differs from the definitions below and leaves exactly one schedule per name.
A new schedule first runs at the next ``RUN_AT`` local time, so reminders arrive in the
morning; an existing schedule keeps its next run.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from network.schedules import schedule_ensure

# (name, task). Reviews are counted in months and action items in days: once a day is enough.
SCHEDULES = (
    ("Handbook: policy review reminders", "handbook.tasks.review_reminders"),
    ("Handbook: action item reminders", "handbook.tasks.action_item_reminders"),
)
RUN_AT = datetime.time(8, 0)
# (name, task, minutes): a proposed change is adopted soon after its vote closes.
FREQUENT = (("Handbook: settle proposed changes", "handbook.tasks.proposals_settle", 10),)


class Command(BaseCommand):
    help = (
        "Create or update the schedules for policy review and action item reminders (daily) "
        "and for settling proposed changes whose vote closed (every 10 minutes)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, func in SCHEDULES:
                outcome = schedule_ensure(name, func, first_run=next_run_at())
                self.stdout.write(f"{name}: {outcome}")
            for name, func, minutes in FREQUENT:
                outcome = schedule_ensure(name, func, minutes=minutes)
                self.stdout.write(f"{name}: {outcome}")


def next_run_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next ``RUN_AT`` in the project's time zone, after ``now``."""
    local = timezone.localtime(now)
    candidate = timezone.make_aware(datetime.datetime.combine(local.date(), RUN_AT))
    if candidate <= local:
        tomorrow = local.date() + datetime.timedelta(days=1)
        candidate = timezone.make_aware(datetime.datetime.combine(tomorrow, RUN_AT))
    return candidate
