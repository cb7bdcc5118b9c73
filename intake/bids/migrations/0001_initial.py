"""The bid models, taken over from the intake app with their tables as they are.

State only: the tables were created by intake's migrations 0002 to 0009 and keep their names.
The content types (and so the permissions and the admin's history) follow the models from the
``intake`` label to ``bids``."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = ["bid", "bidmember", "bidinterest", "agreementversion", "agreementsignature",
         "hoursentry", "settlement", "statementapproval", "bidevent"]  # fmt: skip


def content_types_to(app_label):
    """Relabel the moved models' content types (a fresh database has none yet: no rows)."""

    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        other = "intake" if app_label == "bids" else "bids"
        taken = set(
            content_type.objects.filter(app_label=app_label, model__in=MOVED).values_list(
                "model", flat=True
            )
        )
        content_type.objects.filter(app_label=other, model__in=set(MOVED) - taken).update(
            app_label=app_label
        )

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0011_bids_move_to_their_own_app"),
        ("network", "0004_api_tokens_stored_as_digests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Bid",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "price",
                            models.DecimalField(
                                decimal_places=2,
                                help_text="The fixed price agreed with the client.",
                                max_digits=12,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0.01"))
                                ],
                            ),
                        ),
                        ("currency", models.CharField(default="USD", max_length=3)),
                        (
                            "alliance_share_percent",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                help_text="The alliance's share of the price, 0–50 %.",
                                max_digits=5,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("50")),
                                ],
                            ),
                        ),
                        (
                            "split_mode",
                            models.CharField(
                                choices=[
                                    ("equal_rate", "Equal rate: everyone earns the same per hour"),
                                    (
                                        "rate_weighted",
                                        "Rate weighted: standard rates scale by one factor",
                                    ),
                                ],
                                default="equal_rate",
                                max_length=20,
                            ),
                        ),
                        (
                            "due_date",
                            models.DateField(
                                blank=True, help_text="When the proposal is due.", null=True
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("agreement_out", "Agreement out for signature"),
                                    ("signed", "Signed by every member"),
                                    ("submitted", "Submitted to the client"),
                                    ("won", "Won"),
                                    ("in_progress", "In progress"),
                                    ("settled", "Settled"),
                                    ("lost", "Lost"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                db_index=True,
                                default="draft",
                                max_length=20,
                            ),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                default=1,
                                help_text="Bumped by every change; a change based on an older one is refused.",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "work_started_on",
                            models.DateField(
                                blank=True,
                                help_text="The day the work started: hours are logged for this day up to today.",
                                null=True,
                            ),
                        ),
                        (
                            "settled_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When the last member approved the statement.",
                                null=True,
                            ),
                        ),
                        (
                            "collector",
                            models.ForeignKey(
                                blank=True,
                                help_text="The member who collected the client's payment, if one did.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "lead",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="led_bids",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="intake.request",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_bid",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AgreementVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                        (
                            "alliance_share_percent",
                            models.DecimalField(decimal_places=2, max_digits=5),
                        ),
                        ("pool", models.DecimalField(decimal_places=2, max_digits=12)),
                        (
                            "split_mode",
                            models.CharField(
                                choices=[
                                    ("equal_rate", "Equal rate: everyone earns the same per hour"),
                                    (
                                        "rate_weighted",
                                        "Rate weighted: standard rates scale by one factor",
                                    ),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("terms", models.JSONField()),
                        ("document", models.TextField()),
                        (
                            "reason",
                            models.CharField(
                                help_text="What changed from the version before.", max_length=200
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("voided_at", models.DateTimeField(blank=True, null=True)),
                        ("in_force_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agreement_versions",
                                to="bids.bid",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_agreementversion",
                        "ordering": ["bid", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="BidEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("action", models.CharField(max_length=40)),
                        ("from_status", models.CharField(blank=True, max_length=20)),
                        ("to_status", models.CharField(blank=True, max_length=20)),
                        ("note", models.TextField(blank=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="bids.bid",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_bidevent",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="BidInterest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "note",
                            models.TextField(
                                blank=True, help_text="What they would bring.", max_length=1000
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bid_interests",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bid_interests",
                                to="intake.request",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_bidinterest",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="BidMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(help_text="What they do on the team.", max_length=80),
                        ),
                        (
                            "estimated_hours",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=7,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0.25"))
                                ],
                            ),
                        ),
                        (
                            "standard_rate",
                            models.DecimalField(
                                decimal_places=2,
                                help_text="Their standard hourly rate when invited.",
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("invited", "Invited"),
                                    ("accepted", "On the team"),
                                    ("declined", "Declined"),
                                    ("removed", "Removed"),
                                ],
                                default="invited",
                                max_length=10,
                            ),
                        ),
                        (
                            "invited_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("responded_at", models.DateTimeField(blank=True, null=True)),
                        ("decline_reason", models.TextField(blank=True, max_length=1000)),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="members",
                                to="bids.bid",
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bid_seats",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "invited_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_bidmember",
                        "ordering": ["bid", "invited_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="HoursEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField()),
                        ("hours", models.DecimalField(decimal_places=2, max_digits=5)),
                        ("note", models.CharField(blank=True, max_length=500)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hours",
                                to="bids.bid",
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bid_hours",
                                to="network.consultant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "hours entries",
                        "db_table": "intake_hoursentry",
                        "ordering": ["date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Settlement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("pool", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("total_hours", models.DecimalField(decimal_places=2, max_digits=9)),
                        (
                            "lines",
                            models.JSONField(
                                help_text="One entry per member: hours, planned, payout, rates."
                            ),
                        ),
                        ("transfers", models.JSONField(blank=True, default=list)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("proposed", "Proposed: waiting for every member's approval"),
                                    ("final", "Final: approved by every member"),
                                    ("disputed", "Disputed and withdrawn"),
                                ],
                                default="proposed",
                                max_length=10,
                            ),
                        ),
                        (
                            "decided_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When it became final, or was disputed.",
                                null=True,
                            ),
                        ),
                        ("dispute_reason", models.TextField(blank=True, max_length=1000)),
                        (
                            "agreement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="bids.agreementversion",
                            ),
                        ),
                        (
                            "bid",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="settlements",
                                to="bids.bid",
                            ),
                        ),
                        (
                            "collector",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "disputed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "settled_by",
                            models.ForeignKey(
                                help_text="Who proposed the statement.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_settlement",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="StatementApproval",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "approved_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "on_behalf_reason",
                            models.TextField(
                                blank=True,
                                help_text="Why the coordinator approved for the member.",
                                max_length=1000,
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                help_text="The coordinator who approved on the member's behalf; empty when the member approved it.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "settlement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="approvals",
                                to="bids.settlement",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_statementapproval",
                        "ordering": ["approved_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AgreementSignature",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "signed_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="network.consultant",
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="signatures",
                                to="bids.agreementversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "intake_agreementsignature",
                        "ordering": ["version", "signed_at", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("version", "consultant"), name="agreement_signed_once"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="bid",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("price__gt", 0)),
                        name="bid_price_positive",
                        violation_error_message="The price must be above 0.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bid",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("alliance_share_percent__gte", 0), ("alliance_share_percent__lte", 50)
                        ),
                        name="bid_share_within_0_50",
                        violation_error_message="The alliance share must be between 0 and 50 %.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bid",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            ("status__in", ["settled", "lost", "withdrawn"]), _negated=True
                        ),
                        fields=("request",),
                        name="bid_one_open_per_request",
                        violation_error_message="This request already has a bid under way.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="agreementversion",
                    constraint=models.UniqueConstraint(
                        fields=("bid", "number"), name="agreement_version_number_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="agreementversion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("voided_at__isnull", True),
                            ("in_force_at__isnull", True),
                            _connector="OR",
                        ),
                        name="agreement_version_not_void_and_in_force",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bidinterest",
                    constraint=models.UniqueConstraint(
                        fields=("request", "consultant"), name="bid_interest_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bidmember",
                    constraint=models.UniqueConstraint(
                        fields=("bid", "consultant"), name="bid_member_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bidmember",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("estimated_hours__gt", 0)),
                        name="bid_member_hours_positive",
                        violation_error_message="Estimated hours must be above 0.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="bidmember",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("standard_rate__gte", 0)),
                        name="bid_member_rate_not_negative",
                        violation_error_message="The standard rate cannot be negative.",
                    ),
                ),
                migrations.AddIndex(
                    model_name="hoursentry",
                    index=models.Index(
                        fields=["consultant", "date"], name="intake_hour_consult_29a633_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="hoursentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("hours__gt", 0), ("hours__lte", 24)),
                        name="hours_entry_within_a_day",
                        violation_error_message="Hours must be above 0 and at most 24.",
                    ),
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
                migrations.AddConstraint(
                    model_name="statementapproval",
                    constraint=models.UniqueConstraint(
                        fields=("settlement", "consultant"), name="statement_approved_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="statementapproval",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("on_behalf_reason", ""), ("recorded_by__isnull", True)),
                            models.Q(
                                ("recorded_by__isnull", False),
                                models.Q(("on_behalf_reason", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="statement_approval_on_behalf_has_reason",
                        violation_error_message="An approval recorded on a member's behalf needs a reason.",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to("bids"), content_types_to("intake")),
    ]
