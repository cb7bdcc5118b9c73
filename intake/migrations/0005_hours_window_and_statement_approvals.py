"""Hours from the day the work started, and statements that every member approves.

- ``Bid.work_started_on``: the day the lead started the work. Hours are logged for that day up
  to today; existing bids take it from their "started" event.
- A ``Settlement`` is proposed first and final only once every member on the team approved it;
  a disputed proposal is kept (``disputed``, with the reason) and the next one is a new row, so
  a bid may have several settlements but at most one proposed or final. Existing settlements
  were final when written, and are marked so.
- The settlement trigger of 0003 refused every change; a proposal must still move to final or
  disputed. The new triggers (SQLite and PostgreSQL) refuse any change to a statement's
  figures, any change at all to a final or disputed statement, any change to an approval, and
  an approval of a statement that is not proposed. Deletes are left to the ORM's PROTECT rules,
  as in 0003 (a DELETE trigger would also stop ``flush``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

SQLITE_OLD = [
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    BEGIN SELECT RAISE(ABORT, 'settlements cannot change'); END
    """,
]
POSTGRESQL_OLD = [
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_change('settlements cannot change')
    """,
]

SQLITE_DROP = ["DROP TRIGGER IF EXISTS intake_settlement_frozen"]
POSTGRESQL_DROP = ["DROP TRIGGER IF EXISTS intake_settlement_frozen ON intake_settlement"]

SQLITE_NEW = [
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    WHEN OLD.state <> 'proposed'
      OR NEW.bid_id IS NOT OLD.bid_id OR NEW.agreement_id IS NOT OLD.agreement_id
      OR NEW.pool IS NOT OLD.pool OR NEW.total_hours IS NOT OLD.total_hours
      OR NEW.lines IS NOT OLD.lines OR NEW.transfers IS NOT OLD.transfers
      OR NEW.collector_id IS NOT OLD.collector_id OR NEW.created_at IS NOT OLD.created_at
    BEGIN
      SELECT RAISE(ABORT, 'a decided statement cannot change, nor the figures of a proposal');
    END
    """,
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
SQLITE_NEW_DROP = [
    "DROP TRIGGER IF EXISTS intake_settlement_frozen",
    "DROP TRIGGER IF EXISTS intake_statementapproval_frozen",
    "DROP TRIGGER IF EXISTS intake_statementapproval_proposed_only",
]

# intake_refuse_change() comes from 0003.
POSTGRESQL_NEW = [
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    FOR EACH ROW WHEN (
      OLD.state <> 'proposed'
      OR NEW.bid_id IS DISTINCT FROM OLD.bid_id
      OR NEW.agreement_id IS DISTINCT FROM OLD.agreement_id
      OR NEW.pool IS DISTINCT FROM OLD.pool OR NEW.total_hours IS DISTINCT FROM OLD.total_hours
      OR NEW.lines IS DISTINCT FROM OLD.lines
      OR NEW.transfers IS DISTINCT FROM OLD.transfers
      OR NEW.collector_id IS DISTINCT FROM OLD.collector_id
      OR NEW.created_at IS DISTINCT FROM OLD.created_at)
    EXECUTE FUNCTION intake_refuse_change(
      'a decided statement cannot change, nor the figures of a proposal')
    """,
    """
    CREATE TRIGGER intake_statementapproval_frozen BEFORE UPDATE ON intake_statementapproval
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_change('statement approvals cannot change')
    """,
    """
    CREATE OR REPLACE FUNCTION intake_statementapproval_proposed_only() RETURNS trigger AS $$
    BEGIN
      IF (SELECT state FROM intake_settlement WHERE id = NEW.settlement_id)
         IS DISTINCT FROM 'proposed' THEN
        RAISE EXCEPTION 'only a proposed statement takes approvals'
          USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER intake_statementapproval_proposed_only BEFORE INSERT
    ON intake_statementapproval
    FOR EACH ROW EXECUTE FUNCTION intake_statementapproval_proposed_only()
    """,
]
POSTGRESQL_NEW_DROP = [
    "DROP TRIGGER IF EXISTS intake_settlement_frozen ON intake_settlement",
    "DROP TRIGGER IF EXISTS intake_statementapproval_frozen ON intake_statementapproval",
    "DROP TRIGGER IF EXISTS intake_statementapproval_proposed_only ON intake_statementapproval",
    "DROP FUNCTION IF EXISTS intake_statementapproval_proposed_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No settlement triggers for the {schema_editor.connection.vendor} database."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def fill_work_started_and_final(apps, schema_editor):
    """Each started bid's first day of work from its "started" event; settlements written
    before this migration were final when written."""
    Bid = apps.get_model("intake", "Bid")
    BidEvent = apps.get_model("intake", "BidEvent")
    Settlement = apps.get_model("intake", "Settlement")
    started = BidEvent.objects.filter(action="started").order_by("bid_id", "created_at", "pk")
    seen = set()
    for bid_id, created_at in started.values_list("bid_id", "created_at"):
        if bid_id in seen:
            continue
        seen.add(bid_id)
        Bid.objects.filter(pk=bid_id).update(work_started_on=timezone.localdate(created_at))
    for settlement in Settlement.objects.select_related("bid"):
        Settlement.objects.filter(pk=settlement.pk).update(
            decided_at=settlement.bid.settled_at or settlement.created_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_fewer_redundant_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The old trigger refuses the updates below; the new ones are created at the end.
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
            _run({"sqlite": SQLITE_OLD, "postgresql": POSTGRESQL_OLD}),
        ),
        migrations.AddField(
            model_name="bid",
            name="work_started_on",
            field=models.DateField(
                blank=True,
                help_text="The day the work started: hours are logged for this day up to today.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="bid",
            name="settled_at",
            field=models.DateTimeField(
                blank=True, help_text="When the last member approved the statement.", null=True
            ),
        ),
        migrations.AlterModelOptions(
            name="settlement",
            options={"ordering": ["created_at", "pk"]},
        ),
        migrations.AlterField(
            model_name="settlement",
            name="bid",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="settlements",
                to="intake.bid",
            ),
        ),
        migrations.AlterField(
            model_name="settlement",
            name="settled_by",
            field=models.ForeignKey(
                help_text="Who proposed the statement.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Rows already there are final; new ones start as proposals.
        migrations.AddField(
            model_name="settlement",
            name="state",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed: waiting for every member's approval"),
                    ("final", "Final: approved by every member"),
                    ("disputed", "Disputed and withdrawn"),
                ],
                default="final",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="settlement",
            name="state",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed: waiting for every member's approval"),
                    ("final", "Final: approved by every member"),
                    ("disputed", "Disputed and withdrawn"),
                ],
                default="proposed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="settlement",
            name="decided_at",
            field=models.DateTimeField(
                blank=True, help_text="When it became final, or was disputed.", null=True
            ),
        ),
        migrations.AddField(
            model_name="settlement",
            name="disputed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.consultant",
            ),
        ),
        migrations.AddField(
            model_name="settlement",
            name="dispute_reason",
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AddConstraint(
            model_name="settlement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "disputed"), _negated=True),
                fields=("bid",),
                name="settlement_one_live_per_bid",
                violation_error_message="This bid already has a statement proposed or final.",
            ),
        ),
        migrations.RunPython(fill_work_started_and_final, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_NEW, "postgresql": POSTGRESQL_NEW}),
            _run({"sqlite": SQLITE_NEW_DROP, "postgresql": POSTGRESQL_NEW_DROP}),
        ),
    ]
