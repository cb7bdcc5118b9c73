"""A staff coordinator may record a statement approval on behalf of a team member who is no longer
a working member: who recorded it (``recorded_by``) and why (``on_behalf_reason``), both or
neither (a check constraint).

SQLite adds these columns by rebuilding ``intake_statementapproval``, which drops the table's
triggers of 0005; they are dropped first and created again, unchanged, at the end (on
PostgreSQL too, so both databases follow the same steps). The triggers still refuse any change
to an approval and an approval of a statement that is not proposed.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The approval triggers as 0005 created them.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER intake_statementapproval_frozen BEFORE UPDATE ON intake_statementapproval
    BEGIN SELECT RAISE(ABORT, 'statement approvals cannot change'); END
    """,
    """
    CREATE TRIGGER intake_statementapproval_proposed_only BEFORE INSERT ON intake_statementapproval
    WHEN (SELECT state FROM intake_settlement WHERE id = NEW.settlement_id) IS NOT 'proposed'
    BEGIN SELECT RAISE(ABORT, 'only a proposed statement takes approvals'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS intake_statementapproval_frozen",
    "DROP TRIGGER IF EXISTS intake_statementapproval_proposed_only",
]
# The functions intake_refuse_change() (0003) and intake_statementapproval_proposed_only()
# (0005) stay; only the triggers are dropped and created again.
POSTGRESQL_TRIGGERS = [
    """
    CREATE TRIGGER intake_statementapproval_frozen BEFORE UPDATE ON intake_statementapproval
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_change('statement approvals cannot change')
    """,
    """
    CREATE TRIGGER intake_statementapproval_proposed_only BEFORE INSERT
    ON intake_statementapproval
    FOR EACH ROW EXECUTE FUNCTION intake_statementapproval_proposed_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS intake_statementapproval_frozen ON intake_statementapproval",
    "DROP TRIGGER IF EXISTS intake_statementapproval_proposed_only ON intake_statementapproval",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No approval triggers for the {schema_editor.connection.vendor} database."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


DROP = _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
CREATE = _run({"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS})


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_names_show_every_character"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(DROP, CREATE),
        migrations.AddField(
            model_name="statementapproval",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The coordinator who approved on the member's behalf; empty when the "
                "member approved it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="statementapproval",
            name="on_behalf_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the coordinator approved for the member.",
                max_length=1000,
            ),
        ),
        migrations.AddConstraint(
            model_name="statementapproval",
            constraint=models.CheckConstraint(
                condition=models.Q(recorded_by__isnull=True, on_behalf_reason="")
                | (models.Q(recorded_by__isnull=False) & ~models.Q(on_behalf_reason="")),
                name="statement_approval_on_behalf_has_reason",
                violation_error_message="An approval recorded on a member's behalf needs a reason.",
            ),
        ),
        migrations.RunPython(CREATE, DROP),
    ]
