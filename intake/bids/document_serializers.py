"""Serializers of the bid's documents in the API (``intake.bids.documents``): the agreement's
versions and signatures, the team's hours, and the statement with its approvals. Output only.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake.bids import documents
from intake.bids.serializers import HOURS, MONEY
from intake.notifications import person_name


class SignatureSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField(source="consultant.display_name")
    signed_at = serializers.DateTimeField()


class AgreementVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    document = serializers.CharField(help_text="The text the members sign.")
    terms = serializers.JSONField(
        help_text="The figures the document was rendered from: price, pool, each member's "
        "planned hours, rate and payout, and the worked examples."
    )
    in_force_at = serializers.DateTimeField(allow_null=True)
    voided_at = serializers.DateTimeField(allow_null=True)
    signatures = SignatureSerializer(many=True, source="signatures.all")
    unsigned = serializers.SerializerMethodField(help_text="Members on it who have not signed.")

    def get_unsigned(self, version) -> list[str]:
        signed = {signature.consultant_id for signature in version.signatures.all()}
        return [
            member["name"]
            for member in version.terms["members"]
            if member["consultant"] not in signed
        ]


class AgreementSerializer(serializers.Serializer):
    current = AgreementVersionSerializer(allow_null=True)
    history = AgreementVersionSerializer(many=True, help_text="Every version, newest first.")


class HoursEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consultant = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField(source="consultant.display_name")
    date = serializers.DateField()
    hours = serializers.DecimalField(**HOURS)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class HoursTotalSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    name = serializers.CharField()
    hours = serializers.DecimalField(**HOURS)


class HoursSerializer(serializers.Serializer):
    entries = HoursEntrySerializer(many=True)
    totals = HoursTotalSerializer(many=True, help_text="Per member on the team.")
    total_hours = serializers.DecimalField(**HOURS)


class StatementLineSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    standard_rate = serializers.DecimalField(**MONEY)
    planned_hours = serializers.DecimalField(**HOURS)
    planned_payout = serializers.DecimalField(**MONEY)
    actual_hours = serializers.DecimalField(**HOURS)
    hours_difference = serializers.DecimalField(**HOURS)
    payout = serializers.DecimalField(**MONEY)
    effective_rate = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Payout per hour worked; null with no hours."
    )


class TransferSerializer(serializers.Serializer):
    from_consultant = serializers.IntegerField()
    from_name = serializers.CharField()
    to_consultant = serializers.IntegerField(allow_null=True, help_text="Null: the alliance.")
    to_name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)


class StatementTotalsSerializer(serializers.Serializer):
    planned_hours = serializers.DecimalField(**HOURS)
    actual_hours = serializers.DecimalField(**HOURS)
    planned_payout = serializers.DecimalField(**MONEY)
    payout = serializers.DecimalField(**MONEY, help_text="Always equals the pool.")
    effective_rate = serializers.DecimalField(**MONEY, allow_null=True)


class ApprovalSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField(source="consultant.display_name")
    approved_at = serializers.DateTimeField()
    on_behalf = serializers.BooleanField(
        help_text="Recorded by a coordinator for a member who no longer works, not by them."
    )
    recorded_by = serializers.SerializerMethodField(
        help_text="The coordinator who approved on the member's behalf; null when the member "
        "approved it."
    )
    on_behalf_reason = serializers.CharField(help_text="Why; empty when the member approved it.")

    def get_recorded_by(self, approval) -> str | None:
        return person_name(approval.recorded_by) if approval.on_behalf else None


STATEMENT_STATE_HELP = (
    "proposed: waiting for every member's approval, the hours fixed; final: every member "
    "approved it, the bid is settled; disputed: a member disputed it, the hours reopened."
)


class StatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bid = serializers.IntegerField(source="bid_id")
    state = serializers.CharField(help_text=STATEMENT_STATE_HELP)
    state_label = serializers.CharField(source="get_state_display")
    agreement = serializers.IntegerField(source="agreement.number")
    currency = serializers.CharField(source="bid.currency")
    split_mode = serializers.CharField(source="agreement.split_mode")
    pool = serializers.DecimalField(**MONEY)
    total_hours = serializers.DecimalField(**HOURS)
    collector = serializers.IntegerField(source="collector_id", allow_null=True)
    proposed_at = serializers.DateTimeField(source="created_at")
    settled_at = serializers.SerializerMethodField(
        help_text="When the last member approved it; null until then."
    )
    lines = StatementLineSerializer(many=True)
    transfers = TransferSerializer(many=True)
    totals = serializers.SerializerMethodField()
    approvals = ApprovalSerializer(many=True, source="approvals.all")
    unapproved = serializers.SerializerMethodField(help_text="Members yet to approve.")
    disputed_by = serializers.IntegerField(
        source="disputed_by_id", allow_null=True, help_text="The member who disputed it."
    )
    dispute_reason = serializers.CharField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_settled_at(self, settlement):
        return (
            serializers.DateTimeField().to_representation(settlement.decided_at)
            if settlement.state == settlement.State.FINAL
            else None
        )

    @extend_schema_field(StatementTotalsSerializer)
    def get_totals(self, settlement) -> dict:
        return StatementTotalsSerializer(documents.statement_totals(settlement)).data

    def get_unapproved(self, settlement) -> list[str]:
        approved = {approval.consultant_id for approval in settlement.approvals.all()}
        return [line["name"] for line in settlement.lines if line["consultant"] not in approved]
