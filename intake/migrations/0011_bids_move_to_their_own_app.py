"""Team bids move to their own app (``intake.bids``, label ``bids``): only Django's record of
which app owns the models changes. The tables keep their names (the models set ``db_table``),
so rows, indexes, constraints and the triggers of migrations 0003 and 0005 stay as they are.
``bids.0001_initial`` takes the models over in the same state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0010_request_confirmed_and_dismissed_skills"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="agreementversion",
                    name="bid",
                ),
                migrations.RemoveField(
                    model_name="agreementversion",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="settlement",
                    name="agreement",
                ),
                migrations.RemoveField(
                    model_name="bid",
                    name="collector",
                ),
                migrations.RemoveField(
                    model_name="bid",
                    name="lead",
                ),
                migrations.RemoveField(
                    model_name="bid",
                    name="request",
                ),
                migrations.RemoveField(
                    model_name="hoursentry",
                    name="bid",
                ),
                migrations.RemoveField(
                    model_name="bidmember",
                    name="bid",
                ),
                migrations.RemoveField(
                    model_name="bidevent",
                    name="bid",
                ),
                migrations.RemoveField(
                    model_name="settlement",
                    name="bid",
                ),
                migrations.RemoveField(
                    model_name="bidevent",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="bidinterest",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="bidinterest",
                    name="request",
                ),
                migrations.RemoveField(
                    model_name="bidmember",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="bidmember",
                    name="invited_by",
                ),
                migrations.RemoveField(
                    model_name="hoursentry",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="settlement",
                    name="collector",
                ),
                migrations.RemoveField(
                    model_name="settlement",
                    name="disputed_by",
                ),
                migrations.RemoveField(
                    model_name="settlement",
                    name="settled_by",
                ),
                migrations.RemoveField(
                    model_name="statementapproval",
                    name="settlement",
                ),
                migrations.RemoveField(
                    model_name="statementapproval",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="statementapproval",
                    name="recorded_by",
                ),
                migrations.DeleteModel(
                    name="AgreementSignature",
                ),
                migrations.DeleteModel(
                    name="AgreementVersion",
                ),
                migrations.DeleteModel(
                    name="Bid",
                ),
                migrations.DeleteModel(
                    name="BidEvent",
                ),
                migrations.DeleteModel(
                    name="BidInterest",
                ),
                migrations.DeleteModel(
                    name="BidMember",
                ),
                migrations.DeleteModel(
                    name="HoursEntry",
                ),
                migrations.DeleteModel(
                    name="Settlement",
                ),
                migrations.DeleteModel(
                    name="StatementApproval",
                ),
            ],
            database_operations=[],
        ),
    ]
