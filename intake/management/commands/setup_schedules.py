"""Create or update the django-q2 schedules of intake's timers and the matching index's
rebuild (``make run`` calls this).

Idempotent, keyed by schedule name: running it again changes only what differs from the
definitions below, and leaves exactly one schedule per name.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from network.schedules import schedule_ensure

# (name, task, every N minutes). Offers expire in hours and the response target is in business
# days, so a 15-minute tick is precise enough for both. Mail is swept every minute: its first
# backoff delay is one minute, and a sweep that finds nothing due is one indexed query. (Every
# 5 minutes, with 200 rows a sweep, the last mail of a 2-minute outage left 8.7 minutes late.)
SCHEDULES = (
    ("Intake: expire unanswered offers", "intake.tasks.offers_expire", 15),
    ("Intake: remind overdue requests", "intake.tasks.requests_remind_overdue", 15),
    ("Intake: retry notifications", "intake.tasks.notifications_retry", 1),
    # The matching index is rebuilt when a change queues it; this run catches a task lost with a
    # killed cluster, and a new day. A current index costs it one query.
    ("Matching: rebuild the index if stale", "matching.tasks.index_rebuild", 1),
)


class Command(BaseCommand):
    help = _("Create or update the schedules for offer expiry, overdue reminders and mail retries.")

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, func, minutes in SCHEDULES:
                self.stdout.write(f"{name}: {schedule_ensure(name, func, minutes=minutes)}")
