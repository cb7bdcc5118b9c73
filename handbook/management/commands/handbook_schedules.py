"""Create or update the django-q2 schedules of the handbook's daily reminders.

Idempotent, keyed by schedule name: running it again changes only what differs from the
definitions below and leaves exactly one schedule per name. A new schedule first runs at the
next ``RUN_AT`` local time, so reminders arrive in the morning; an existing schedule keeps its
next run.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

# (name, task). Reviews are counted in months and action items in days: once a day is enough.
SCHEDULES = (
    ("Handbook: policy review reminders", "handbook.tasks.review_reminders"),
    ("Handbook: action item reminders", "handbook.tasks.action_item_reminders"),
)
RUN_AT = datetime.time(8, 0)


class Command(BaseCommand):
    help = "Create or update the daily schedules for policy review and action item reminders."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, func in SCHEDULES:
                self.stdout.write(f"{name}: {schedule_ensure(name, func)}")


def next_run_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next ``RUN_AT`` in the project's time zone, after ``now``."""
    local = timezone.localtime(now)
    candidate = timezone.make_aware(datetime.datetime.combine(local.date(), RUN_AT))
    if candidate <= local:
        tomorrow = local.date() + datetime.timedelta(days=1)
        candidate = timezone.make_aware(datetime.datetime.combine(tomorrow, RUN_AT))
    return candidate


def schedule_ensure(name: str, func: str) -> str:
    """Make the one schedule called ``name`` run ``func`` daily; say what changed."""
    wanted = {
        "func": func,
        "schedule_type": Schedule.DAILY,
        "repeats": -1,
        "args": None,
        "kwargs": None,
    }
    existing = list(Schedule.objects.select_for_update().filter(name=name).order_by("pk"))
    if not existing:
        Schedule.objects.create(name=name, next_run=next_run_at(), **wanted)
        return "created (daily)"
    schedule, extra = existing[0], existing[1:]
    # Schedule names are not unique in django-q2; a copy made by hand in the admin would send
    # every reminder twice, so only the oldest is kept.
    for duplicate in extra:
        duplicate.delete()
    changed = [field for field, value in wanted.items() if getattr(schedule, field) != value]
    if changed:
        for field in changed:
            setattr(schedule, field, wanted[field])
        schedule.save(update_fields=changed)
    notes = []
    if changed:
        notes.append("updated " + ", ".join(changed))
    if extra:
        notes.append(f"removed {len(extra)} duplicate(s)")
    return "; ".join(notes) if notes else "unchanged"
