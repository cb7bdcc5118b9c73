"""Database triggers that keep signed agreements and settlements as they were signed.

The services refuse these writes with a 409 first (intake/bids.py); the triggers make the rule
hold for every other writer too: the admin, a shell, a script, a bug. They refuse:

- any change to an agreement version's terms, and any change at all to a version that is in
  force or voided;
- any change to a signature;
- a change of price, alliance share or split mode on a bid whose agreement is signed;
- any change to a settlement.

Deletes are left to the ORM's PROTECT rules (signatures protect their version, settlements their
bid): a DELETE trigger would also stop ``flush``, which SQLite runs as DELETE statements.
"""

from django.db import migrations

FROZEN_TERMS = ("'draft'", "'agreement_out'")

SQLITE = [
    """
    CREATE TRIGGER intake_agreementversion_frozen BEFORE UPDATE ON intake_agreementversion
    WHEN OLD.in_force_at IS NOT NULL OR OLD.voided_at IS NOT NULL
      OR NEW.bid_id IS NOT OLD.bid_id OR NEW.number IS NOT OLD.number
      OR NEW.price IS NOT OLD.price OR NEW.pool IS NOT OLD.pool
      OR NEW.alliance_share_percent IS NOT OLD.alliance_share_percent
      OR NEW.split_mode IS NOT OLD.split_mode OR NEW.terms IS NOT OLD.terms
      OR NEW.document IS NOT OLD.document
    BEGIN SELECT RAISE(ABORT, 'agreement versions cannot change once written, voided or in force'); END
    """,
    """
    CREATE TRIGGER intake_agreementsignature_frozen BEFORE UPDATE ON intake_agreementsignature
    BEGIN SELECT RAISE(ABORT, 'signatures cannot change'); END
    """,
    f"""
    CREATE TRIGGER intake_bid_terms_frozen BEFORE UPDATE ON intake_bid
    WHEN OLD.status NOT IN ({", ".join(FROZEN_TERMS)})
      AND (NEW.price IS NOT OLD.price
           OR NEW.alliance_share_percent IS NOT OLD.alliance_share_percent
           OR NEW.split_mode IS NOT OLD.split_mode)
    BEGIN SELECT RAISE(ABORT, 'the terms of a signed bid cannot change'); END
    """,
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    BEGIN SELECT RAISE(ABORT, 'settlements cannot change'); END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS intake_agreementversion_frozen",
    "DROP TRIGGER IF EXISTS intake_agreementsignature_frozen",
    "DROP TRIGGER IF EXISTS intake_bid_terms_frozen",
    "DROP TRIGGER IF EXISTS intake_settlement_frozen",
]

# restrict_violation (23001) is an integrity error, so Django raises IntegrityError on both.
POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION intake_refuse_change() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER intake_agreementversion_frozen BEFORE UPDATE ON intake_agreementversion
    FOR EACH ROW WHEN (
      OLD.in_force_at IS NOT NULL OR OLD.voided_at IS NOT NULL
      OR NEW.bid_id IS DISTINCT FROM OLD.bid_id OR NEW.number IS DISTINCT FROM OLD.number
      OR NEW.price IS DISTINCT FROM OLD.price OR NEW.pool IS DISTINCT FROM OLD.pool
      OR NEW.alliance_share_percent IS DISTINCT FROM OLD.alliance_share_percent
      OR NEW.split_mode IS DISTINCT FROM OLD.split_mode OR NEW.terms IS DISTINCT FROM OLD.terms
      OR NEW.document IS DISTINCT FROM OLD.document)
    EXECUTE FUNCTION intake_refuse_change(
      'agreement versions cannot change once written, voided or in force')
    """,
    """
    CREATE TRIGGER intake_agreementsignature_frozen BEFORE UPDATE ON intake_agreementsignature
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_change('signatures cannot change')
    """,
    f"""
    CREATE TRIGGER intake_bid_terms_frozen BEFORE UPDATE ON intake_bid
    FOR EACH ROW WHEN (
      OLD.status NOT IN ({", ".join(FROZEN_TERMS)})
      AND (NEW.price IS DISTINCT FROM OLD.price
           OR NEW.alliance_share_percent IS DISTINCT FROM OLD.alliance_share_percent
           OR NEW.split_mode IS DISTINCT FROM OLD.split_mode))
    EXECUTE FUNCTION intake_refuse_change('the terms of a signed bid cannot change')
    """,
    """
    CREATE TRIGGER intake_settlement_frozen BEFORE UPDATE ON intake_settlement
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_change('settlements cannot change')
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS intake_agreementversion_frozen ON intake_agreementversion",
    "DROP TRIGGER IF EXISTS intake_agreementsignature_frozen ON intake_agreementsignature",
    "DROP TRIGGER IF EXISTS intake_bid_terms_frozen ON intake_bid",
    "DROP TRIGGER IF EXISTS intake_settlement_frozen ON intake_settlement",
    "DROP FUNCTION IF EXISTS intake_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No agreement triggers for the {schema_editor.connection.vendor} database."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_bids")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
