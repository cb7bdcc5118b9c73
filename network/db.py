"""Model building blocks shared by the apps."""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, migrations, models


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


class FixedQuery:
    """A query of one fixed shape, built with the ORM and compiled to SQL once per process.

    Django builds and compiles a queryset's SQL each time it is evaluated. For the small
    queries every API call makes (the caller's token, roles and member record) that costs
    four to eight times the database's answer: about 0.6–1.3 ms of CPU a query against
    0.1–0.2 ms for running the same SQL. ``build(*values)`` returns the queryset (a
    ``values_list``); the first call compiles it with the ``samples`` as the values, and every
    call runs that SQL with its own values wherever a sample was a parameter. Rows come back
    as the ORM returns them: tuples, with the database's converters applied.

    Each sample must be a value no other parameter of the query has (so that only the
    caller's values are replaced), and must reach the SQL unchanged: a lookup that rewrites
    its value (``iexact``, ``contains`` and the like escape it) cannot take one, and is
    refused when compiled. Values are bound as they are given, so give them as the column
    holds them (an ``int`` for an id). The compiled form is kept per database alias.

    A list of ids (for ``pk__in=``) is a sample given as ``[-1]``, a list of one negative
    ``int``: ``IN`` has one placeholder per value, so the query is compiled once per length of
    list it is given (a page's ids: at most the largest page), with ``-1, -2, …`` as the
    samples. An empty list answers no rows without a query, as ``pk__in=[]`` does, and so does
    an ``int`` beyond 64 bits (the ORM's answer for a number no column can hold); in a list,
    such an id matches nothing and the others are still looked up.
    """

    def __init__(self, build, *samples):
        flat = [item for sample in samples for item in _sample_items(sample, 1)]
        if len(set(flat)) != len(flat):
            raise ValueError("Each sample value must be different.")
        self._build = build
        self._samples = samples
        self._compiled: dict[tuple, tuple] = {}

    def _compile(self, using: str, lengths: tuple) -> tuple:
        compiled = self._compiled.get((using, lengths))
        if compiled is None:
            samples = [
                sample if length is None else _sample_items(sample, length)
                for sample, length in zip(self._samples, lengths, strict=True)
            ]
            compiler = self._build(*samples).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = {}
            for number, sample in enumerate(samples):
                items = sample if isinstance(sample, list) else [sample]
                for position, item in enumerate(items):
                    places = [index for index, param in enumerate(params) if param == item]
                    if not places:
                        raise ValueError(
                            f"The sample value {item!r} is not a parameter of the query"
                        )
                    slots.update(dict.fromkeys(places, (number, position)))
            compiled = (compiler, sql, tuple(params), slots)
            self._compiled[(using, lengths)] = compiled
        return compiled

    def rows(self, *values, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        if len(values) != len(self._samples):
            raise TypeError(f"{len(self._samples)} values expected, {len(values)} given.")
        # No row holds an int no 64-bit column can: answered as the ORM does, without asking
        # (a database driver would raise). Such an id in a list matches nothing; the rest may.
        values = tuple(
            [item for item in value if _storable(item)] if isinstance(sample, list) else value
            for sample, value in zip(self._samples, values, strict=True)
        )
        lengths = tuple(
            len(value) if isinstance(sample, list) else None
            for sample, value in zip(self._samples, values, strict=True)
        )
        if 0 in lengths or not all(map(_storable, values)):
            return []
        compiler, sql, params, slots = self._compile(using, lengths)
        bound = list(params)
        for index, (number, position) in slots.items():
            value = values[number]
            bound[index] = value if lengths[number] is None else value[position]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


def _storable(value) -> bool:
    """False for an int that no 64-bit integer column can hold."""
    return not isinstance(value, int) or -(2**63) <= value < 2**63


def _sample_items(sample, length: int) -> list:
    """The samples a list sample (``[-1]``) stands for at ``length``: -1, -2, …; any other
    sample stands for itself."""
    if not isinstance(sample, list):
        return [sample]
    if len(sample) != 1 or not isinstance(sample[0], int) or sample[0] >= 0:
        raise ValueError("A list sample is a list of one negative int, such as [-1].")
    return [sample[0] - offset for offset in range(length)]


def joined_columns(paths: dict[str, type[models.Model]]) -> list[str]:
    """The ``values_list`` lookups that read every column of each model on its path: ``""``
    for the queried model, ``"user"`` or ``"engaged_consultant__user"`` for related ones.
    With ``joined_instances`` this is a ``select_related`` for ``FixedQuery``."""
    return [
        f"{path}__{field.attname}" if path else field.attname
        for path, model in paths.items()
        for field in model._meta.concrete_fields
    ]


def joined_instances(
    row: tuple, paths: dict[str, type[models.Model]], *, using: str = DEFAULT_DB_ALIAS
) -> dict[str, models.Model | None]:
    """The instances of a row read with ``joined_columns(paths)``, by path, each set on the one
    before it on its path (``token.user``), as ``select_related`` would; ``None`` for a path
    whose row is missing (a null foreign key)."""
    found: dict[str, models.Model | None] = {}
    start = 0
    for path, model in paths.items():
        names = [field.attname for field in model._meta.concrete_fields]
        values = row[start : start + len(names)]
        start += len(names)
        primary_key = values[names.index(model._meta.pk.attname)]
        instance = None if primary_key is None else model.from_db(using, names, values)
        found[path] = instance
        if path:
            parent_path, _, name = path.rpartition("__")
            parent = found[parent_path]
            if parent is not None:
                setattr(parent, name, instance)
    return found
