"""Model building blocks shared by the apps."""

from django.core.exceptions import ValidationError
from django.db import migrations, models


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL and does nothing on any other database (a
    PostgreSQL-only index or table setting, in a migration every database runs)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "PostgreSQL only: " + super().describe()


class AppendOnlyModel(models.Model):
    """A row that is written once and then never changed or deleted: a history or an audit
    trail. ``save()`` of a row already stored and ``delete()`` raise ``ValidationError``
    ("Page revisions are append-only; they cannot be changed.").

    The message names the rows by ``append_only_noun``, a plural with a capital ("Request
    events"); left empty, the model's plural verbose name is used. Changes made through a
    queryset (``update()``, ``delete()``, the deletes of a cascade) do not go through these
    methods.
    """

    append_only_noun: str = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise self._append_only_refusal("changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self._append_only_refusal("deleted")

    @classmethod
    def _append_only_refusal(cls, what: str) -> ValidationError:
        noun = cls.append_only_noun or str(cls._meta.verbose_name_plural).capitalize()
        return ValidationError(f"{noun} are append-only; they cannot be {what}.")
