"""Create or update the django-q2 schedules of intake's timers (``make run`` calls this).

Idempotent, keyed by schedule name: running it again changes only what differs from the
definitions below, and leaves exactly one schedule per name.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

# (name, task, every N minutes). Offers expire in hours and the response target is in business
# days, so a 15-minute tick is precise enough for both. Mail is swept every minute: its first
# backoff delay is one minute, and a sweep that finds nothing due is one indexed query. (Every
# 5 minutes, with 200 rows a sweep, the last mail of a 2-minute outage left 8.7 minutes late.)
SCHEDULES = (
    ("Intake: expire unanswered offers", "intake.tasks.offers_expire", 15),
    ("Intake: remind overdue requests", "intake.tasks.requests_remind_overdue", 15),
    ("Intake: retry notifications", "intake.tasks.notifications_retry", 1),
)


class Command(BaseCommand):
    help = "Create or update the schedules for offer expiry, overdue reminders and mail retries."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, func, minutes in SCHEDULES:
                self.stdout.write(f"{name}: {schedule_ensure(name, func, minutes)}")


def schedule_ensure(name: str, func: str, minutes: int) -> str:
    """Make the one schedule called ``name`` run ``func`` every ``minutes``; say what changed."""
    wanted = {
        "func": func,
        "schedule_type": Schedule.MINUTES,
        "minutes": minutes,
        "repeats": -1,
        "args": None,
        "kwargs": None,
    }
    existing = list(Schedule.objects.select_for_update().filter(name=name).order_by("pk"))
    if not existing:
        Schedule.objects.create(name=name, **wanted)
        return f"created (every {minutes} minutes)"
    schedule, extra = existing[0], existing[1:]
    # Schedule names are not unique in django-q2; copies made by hand in the admin would run
    # the same timer twice, so only the oldest is kept.
    for duplicate in extra:
        duplicate.delete()
    changed = [field for field, value in wanted.items() if getattr(schedule, field) != value]
    if "minutes" in changed and schedule.next_run is not None:
        # A shorter interval takes effect now, not after the next run of the old one.
        soonest = timezone.now() + datetime.timedelta(minutes=minutes)
        if schedule.next_run > soonest:
            schedule.next_run = soonest
            changed.append("next_run")
    if changed:
        for field in changed:
            if field in wanted:
                setattr(schedule, field, wanted[field])
        schedule.save(update_fields=changed)
    notes = []
    if changed:
        notes.append("updated " + ", ".join(changed))
    if extra:
        notes.append(f"removed {len(extra)} duplicate(s)")
    return "; ".join(notes) if notes else "unchanged"
