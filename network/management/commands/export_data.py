"""Export the alliance's data as a fixture that ``loaddata`` restores into a migrated database.

Rows written so far go to standard error when it is a terminal, or with ``--progress`` (never at
``--verbosity 0``); the fixture itself goes to ``--output`` or standard output, untouched.
"""

import datetime
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from network.progress import CommandProgress, add_progress_argument

# Models of other apps that hold the project's data: roles (with their permissions). API tokens
# are network's (ApiToken: digests only, no key). Content types, permissions, sessions, the
# admin log and django-q's task tables are left out: migrate recreates the first two, and the
# rest are transient.
OTHER_MODELS = ("auth.Group",)
# Written without a primary key, by natural key (the group name): migrate's post_migrate hook has
# already created the role groups in the target database, under primary keys of its own.
NATURAL_PRIMARY_KEY_MODELS = (Group,)


class FixtureEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds (it cuts times to milliseconds), so that a
    restore gives back exactly the times that were exported."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            if text.endswith("+00:00"):
                text = text.removesuffix("+00:00") + "Z"
            return text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def project_app_labels() -> list[str]:
    """The project's own apps (those whose code lives in this repository), in settings order:
    every model of theirs is exported, so apps and models added later need no change here."""
    root = Path(settings.BASE_DIR)
    return [
        config.label
        for config in apps.get_app_configs()
        if (root / config.name.partition(".")[0]).is_dir()
    ]


def exported_models() -> list[type[models.Model]]:
    """The models exported, ordered so that natural keys are defined before they are used."""
    chosen = [
        model
        for label in project_app_labels()
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    chosen += [apps.get_model(label) for label in OTHER_MODELS]
    # Foreign keys by primary key may point forward: loaddata defers its constraint checks.
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def _rows(model: type[models.Model]) -> models.QuerySet:
    """Every row of ``model`` (``_base_manager``: whatever a default manager filters out) in
    primary-key order, with the related rows written by natural key fetched in bulk rather
    than one query per row."""
    select, prefetch = [], []
    for field in model._meta.concrete_fields:
        if field.is_relation and hasattr(field.related_model, "natural_key"):
            select.append(field.name)
            if field.related_model is Permission:
                select.append(f"{field.name}__content_type")
    for field in model._meta.many_to_many:
        if not field.remote_field.through._meta.auto_created:
            continue  # rows of an explicit through model are exported as that model's rows
        if field.related_model is Permission:
            related = Permission.objects.select_related("content_type")
            prefetch.append(models.Prefetch(field.name, queryset=related))
        else:
            prefetch.append(field.name)
    return model._base_manager.order_by("pk").select_related(*select).prefetch_related(*prefetch)


def export_chunks(on_row: Callable[[], None] | None = None) -> Iterator[str]:
    """The fixture, as JSON text in pieces: one object a line, rows in primary-key order.
    ``on_row`` is called after each row."""
    yield "["
    first = True
    for model in exported_models():
        objects = serializers.serialize(
            "python",
            _rows(model).iterator(chunk_size=2000),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=model in NATURAL_PRIMARY_KEY_MODELS,
        )
        for row in objects:
            yield ("\n" if first else ",\n") + json.dumps(row, cls=FixtureEncoder)
            first = False
            if on_row is not None:
                on_row()
    yield "\n]\n"


def _write_atomically(path: Path, chunks: Iterator[str]) -> None:
    # A temporary file in the same directory, renamed over the target once complete: a failed
    # or interrupted export never leaves a truncated file where the last good one was. The
    # temporary file is created readable by its owner only, which suits password hashes.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            for chunk in chunks:
                output.write(chunk)
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Export all of Switchboard's data (members, skills, groups, roles, API tokens and every "
        "model of the network, intake, matching and handbook apps) as JSON that "
        "'manage.py loaddata' restores into a freshly migrated database. The file holds "
        "password hashes and the digests of API tokens (not the tokens): keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Write to this file (replaced atomically) instead of standard output.",
        )
        add_progress_argument(parser)

    def handle(self, *args, output, verbosity, progress, **options):
        with CommandProgress(self, requested=progress, verbosity=verbosity) as shown:
            path = self._export(output, shown)
        if path is not None:
            self.stdout.write(_("Exported to %(path)s.") % {"path": path})

    def _export(self, output: str | None, shown: CommandProgress) -> Path | None:
        """Write the fixture to ``output`` (standard output when None); return the file's path."""
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                # One snapshot for every table, so rows written during the export cannot leave
                # the fixture half before and half after them. This must be the transaction's
                # first statement; inside a caller's transaction, the caller's rules apply.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            path = None if output is None else Path(output)
            if path is not None and not path.parent.is_dir():
                raise CommandError(_("No such directory: %(path)s") % {"path": path.parent})
            if shown.enabled:
                # Counting every table costs one query each: only when the count is shown.
                total = sum(_rows(model).count() for model in exported_models())
                chunks = export_chunks(on_row=shown.stage("Exporting rows", total=total).advance)
            else:
                chunks = export_chunks()
            if path is None:
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
                return None
            _write_atomically(path, chunks)
        return path
