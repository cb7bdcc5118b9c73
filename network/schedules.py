"""django-q2 schedules kept by name, for the apps' ``*_schedules`` management commands."""

import datetime

from django.utils import timezone
from django_q.models import Schedule


def schedule_ensure(
    name: str,
    func: str,
    *,
    minutes: int | None = None,
    first_run: datetime.datetime | None = None,
) -> str:
    """Make the one schedule called ``name`` run ``func`` (a dotted path) every ``minutes``
    minutes, or once a day when ``minutes`` is None; return what changed, for the command's
    output ("created (daily)", "updated func, minutes", "unchanged").

    Idempotent, keyed by name: only the fields that differ are written, and an existing
    schedule keeps its next run, except that a shorter interval takes effect now rather than
    after the next run of the old one. A new schedule first runs at ``first_run`` (django-q2's
    default, now, when None). Schedule names are not unique in django-q2, so copies made by hand
    in the admin (which would run the task twice) are deleted, the oldest kept. Call it inside
    a transaction: the rows of ``name`` are locked while they are compared.
    """
    wanted = {"func": func}
    if minutes is None:
        wanted["schedule_type"] = Schedule.DAILY
    else:
        wanted.update(schedule_type=Schedule.MINUTES, minutes=minutes)
    wanted.update(repeats=-1, args=None, kwargs=None)
    existing = list(Schedule.objects.select_for_update().filter(name=name).order_by("pk"))
    if not existing:
        start = {} if first_run is None else {"next_run": first_run}
        Schedule.objects.create(name=name, **start, **wanted)
        return "created (daily)" if minutes is None else f"created (every {minutes} minutes)"
    schedule, extra = existing[0], existing[1:]
    for duplicate in extra:
        duplicate.delete()
    changed = [field for field, value in wanted.items() if getattr(schedule, field) != value]
    if "minutes" in changed and schedule.next_run is not None:
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
