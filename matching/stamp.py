"""When the matching index is stale: the version counter, its signals, and the stamp.

This module loads no engine (numpy, scikit-learn): code that only records an edit, such as a
request's workflow, imports ``index_version_bump`` from here.

``matching.adapter.current_index()`` compares a *stamp* with the one its cached index was built
against. The stamp is read in one small query and has three parts:

- ``MatchingIndexVersion.value``, bumped (``UPDATE … SET value = value + 1``, race-free) by the
  receivers below, which ``matching.apps`` connects to every save, delete or membership change
  of a consultant, their skills, languages and time away, a skill or alias, an outside
  professional or a group. The bump runs inside the edit's transaction, so it commits or rolls
  back with the edit it describes.
- The highest primary key of each table the index reads (a primary-key index lookup, cheap at
  any size): the network's own, and those other apps register (``matching.providers``, their
  offers and engagements). ``bulk_create`` (``seed_demo --scale``, the taxonomy loader) sends no
  signals; new rows still move a maximum, so bulk inserts are noticed without a bump. Code that
  changes those tables with ``QuerySet.update()`` or ``bulk_update()`` must call
  ``index_version_bump()`` itself.
- Today's date: recent offers (90 days) and time away depend on the day, and engagements ended
  with ``QuerySet.update()`` send no signal, so an index never outlives its day.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from matching import providers
from network.models import (
    Consultant,
    ConsultantSkill,
    ExternalProfessional,
    MatchingIndexVersion,
    Skill,
    SkillAlias,
    TimeAway,
)

logger = logging.getLogger(__name__)

VERSION_KEY = "directory"
CACHE_KEY_PREFIX = "matching:index:"
# Set while a rebuild is queued and not yet started, so a burst of edits queues one task.
QUEUED_KEY = "matching:index-rebuild-queued"
QUEUED_SECONDS = 120


# --- The version counter ------------------------------------------------------------------


def index_version_bump() -> None:
    """Mark every built index stale: the next ranking in any process rebuilds.

    An ``UPDATE … SET value = value + 1`` so two edits at once both count. It runs inside the
    edit's transaction, so the bump commits or rolls back with the edit it describes. The row is
    created by the migration, and again here if a test flushed the table.
    """
    bumped = MatchingIndexVersion.objects.filter(key=VERSION_KEY).update(value=F("value") + 1)
    if not bumped:
        MatchingIndexVersion.objects.get_or_create(key=VERSION_KEY, defaults={"value": 1})
    if settings.MATCHING_INDEX_BUILD == "background":
        # Once per transaction, after it commits: the task must read the edit.
        pending = getattr(connection, "run_on_commit", ())
        if not any(entry[1] is queue_rebuild for entry in pending):
            transaction.on_commit(queue_rebuild)


def queue_rebuild() -> bool:
    """Queue ``matching.tasks.index_rebuild`` unless one is queued already; True if queued.

    A cache key marks the queued task (the task clears it when it starts, so an edit made
    during a build queues the next one). If the queue cannot be reached the schedule
    (``setup_schedules``) or ``manage.py matching_index`` builds it later; nothing fails.
    """
    try:
        if not cache.add(QUEUED_KEY, timezone.now().isoformat(), QUEUED_SECONDS):
            return False
        from django_q.tasks import async_task

        async_task("matching.tasks.index_rebuild", task_name="matching index rebuild")
    except Exception:
        logger.warning("Could not queue a matching index rebuild.", exc_info=True)
        return False
    return True


def edited(sender, instance, raw=False, **kwargs):
    """``post_save`` and ``post_delete`` receiver: an indexed row changed."""
    # Fixture loading (raw saves) bumps nothing: a restore brings back the counter's own row,
    # and its value must come back exactly. The deserializer then sets the row's many-to-many
    # fields on this same instance; the mark tells the m2m receiver to stay quiet too.
    if raw:
        instance._matching_loaded_raw = True
        return
    index_version_bump()


def membership_changed(sender, instance, action, **kwargs):
    """``m2m_changed`` receiver: an indexed many-to-many link changed."""
    if getattr(instance, "_matching_loaded_raw", False):
        return
    if action in ("post_add", "post_remove", "post_clear"):
        index_version_bump()


# --- The stamp ----------------------------------------------------------------------------


def _stamped_tables() -> list[tuple[str, str]]:
    """The tables the index reads, with their primary key columns."""
    models = [Consultant, ConsultantSkill, Skill, SkillAlias, TimeAway, ExternalProfessional]
    models += providers.stamped_models()
    return [(model._meta.db_table, model._meta.pk.column) for model in models]


@dataclass(frozen=True)
class IndexStamp:
    """What an index was built from; an index is current while the stamp read now equals it."""

    version: int
    max_keys: tuple[int, ...]
    day: datetime.date

    @property
    def cache_key(self) -> str:
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:32]
        return f"{CACHE_KEY_PREFIX}{digest}"


def read_stamp() -> IndexStamp:
    """The current stamp, in one query whatever the size of the network."""
    # Table and column names come from the models' _meta, never from input; the one value is
    # a query parameter.
    quote = connection.ops.quote_name
    version_table = quote(MatchingIndexVersion._meta.db_table)
    columns = [f"(SELECT value FROM {version_table} WHERE {quote('key')} = %s)"]  # noqa: S608
    for table, pk in _stamped_tables():
        columns.append(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})")  # noqa: S608
    sql = "SELECT " + ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, [VERSION_KEY])
        row = cursor.fetchone()
    return IndexStamp(
        version=row[0] or 0,
        max_keys=tuple(key or 0 for key in row[1:]),
        day=timezone.localdate(),
    )
