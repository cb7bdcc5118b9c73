"""Team bids: the team, the shared-risk agreement its members sign, their hours and the
statement that settles the bid.

The tables keep the names they had when bids lived in the intake app (``db_table``), so the
database triggers that guard signed agreements and final statements keep working.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake.models import Request
from network.db import AppendOnlyModel
from network.models import Consultant


class BidStatus(models.TextChoices):
    """``Bid.Status``; at module level so the model's constraints can name its values."""

    DRAFT = "draft", _("Draft")
    AGREEMENT_OUT = "agreement_out", _("Agreement out for signature")
    SIGNED = "signed", _("Signed by every member")
    SUBMITTED = "submitted", _("Submitted to the client")
    WON = "won", pgettext_lazy("bid status", "Won")
    IN_PROGRESS = "in_progress", _("In progress")
    SETTLED = "settled", pgettext_lazy("bid status", "Settled")
    LOST = "lost", pgettext_lazy("bid status", "Lost")
    WITHDRAWN = "withdrawn", pgettext_lazy("bid status", "Withdrawn")


# A request has at most one bid that is not finished one way or the other.
BID_CLOSED = (BidStatus.SETTLED, BidStatus.LOST, BidStatus.WITHDRAWN)


class Bid(models.Model):
    """A team's fixed-price proposal for one request, and the agreement its members sign.

    Price, share and split mode are the terms; each change to them or to the team writes a new
    ``AgreementVersion`` (``intake.bids``). Once every member has signed, the version is in force
    and the terms are frozen: the service refuses, and a database trigger (migration 0002) stops
    any write that slips past it.
    """

    Status = BidStatus

    class SplitMode(models.TextChoices):
        EQUAL_RATE = "equal_rate", _("Equal rate: everyone earns the same per hour")
        RATE_WEIGHTED = "rate_weighted", _("Rate weighted: standard rates scale by one factor")

    # The terms can still change (a new version) only in these; from "signed" on they are frozen.
    TERMS_OPEN = (Status.DRAFT, Status.AGREEMENT_OUT)
    CLOSED = BID_CLOSED

    request = models.ForeignKey(
        Request, on_delete=models.PROTECT, related_name="bids", verbose_name=_("request")
    )
    lead = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="led_bids", verbose_name=_("lead")
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The fixed price agreed with the client."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    alliance_share_percent = models.DecimalField(
        _("alliance share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text=_("The alliance's share of the price, 0–50 %."),
    )
    split_mode = models.CharField(
        _("split"), max_length=20, choices=SplitMode.choices, default=SplitMode.EQUAL_RATE
    )
    due_date = models.DateField(
        _("proposal due"), null=True, blank=True, help_text=_("When the proposal is due.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Bumped by every change; a change based on an older one is refused."),
    )
    collector = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collector"),
        help_text=_("The member who collected the client's payment, if one did."),
    )
    created_at = models.DateTimeField(_("started"), default=now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    work_started_on = models.DateField(
        _("work started on"),
        null=True,
        blank=True,
        help_text=_("The day the work started: hours are logged for this day up to today."),
    )
    settled_at = models.DateTimeField(
        _("settled"),
        null=True,
        blank=True,
        help_text=_("When the last member approved the statement."),
    )

    class Meta:
        db_table = "intake_bid"  # the table it had in intake, kept by the move
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=0), name="bid_price_positive",
                violation_error_message=_("The price must be above 0."),
            ),
            models.CheckConstraint(
                condition=models.Q(alliance_share_percent__gte=0)
                & models.Q(alliance_share_percent__lte=50),
                name="bid_share_within_0_50",
                violation_error_message=_("The alliance share must be between 0 and 50 %."),
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=~models.Q(status__in=BID_CLOSED),
                name="bid_one_open_per_request",
                violation_error_message=_("This request already has a bid under way."),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"Bid {self.pk} on {self.request_id} led by {self.lead}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("bid-workspace", args=[self.pk])

    @property
    def terms_open(self) -> bool:
        return self.status in self.TERMS_OPEN


class BidMember(models.Model):
    """A member invited to a bid's team: their role, estimated hours and standard rate at the time.

    The rate is captured when they are invited so a later change of profile does not move an
    agreement under the members' feet.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("On the team")
        DECLINED = "declined", pgettext_lazy("invitation status", "Declined")
        REMOVED = "removed", pgettext_lazy("invitation status", "Removed")

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="members", verbose_name=_("bid")
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="bid_seats", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=80, help_text=_("What they do on the team."))
    estimated_hours = models.DecimalField(
        _("estimated hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    standard_rate = models.DecimalField(
        _("standard rate"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Their standard hourly rate when invited."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=now, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("why they declined"), blank=True, max_length=1000)

    class Meta:
        db_table = "intake_bidmember"  # the table it had in intake, kept by the move
        ordering = ["bid", "invited_at", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["bid", "consultant"], name="bid_member_once"),
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gt=0), name="bid_member_hours_positive",
                violation_error_message=_("Estimated hours must be above 0."),
            ),
            models.CheckConstraint(
                condition=models.Q(standard_rate__gte=0), name="bid_member_rate_not_negative",
                violation_error_message=_("The standard rate cannot be negative."),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.consultant} on bid {self.bid_id} ({self.status})"


class BidInterest(models.Model):
    """A member's note on the bid board: they would like to join the team for a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="bid_interests")
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="bid_interests"
    )
    note = models.TextField(
        _("note"), blank=True, max_length=1000, help_text=_("What they would bring.")
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        db_table = "intake_bidinterest"  # the table it had in intake, kept by the move
        ordering = ["created_at", "pk"]
        verbose_name = _("volunteer for a bid")
        verbose_name_plural = _("volunteers for bids")
        constraints = [
            models.UniqueConstraint(fields=["request", "consultant"], name="bid_interest_once")
        ]

    def __str__(self):
        return f"{self.consultant} for {self.request_id}"


class AgreementVersion(models.Model):
    """The terms of a bid as one numbered, readable document; append-only.

    ``terms`` holds the figures the document was rendered from (price, pool, every member's
    planned hours, rate and payout, the worked examples); ``document`` is the text members sign.
    A version is voided when a newer one is written, and is in force once every member on it
    has signed; an in-force version can never change or be deleted (trigger in migration 0002).
    """

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="agreement_versions")
    number = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    alliance_share_percent = models.DecimalField(max_digits=5, decimal_places=2)
    pool = models.DecimalField(max_digits=12, decimal_places=2)
    split_mode = models.CharField(max_length=20, choices=Bid.SplitMode.choices)
    terms = models.JSONField()
    document = models.TextField()
    reason = models.CharField(
        _("what changed"), max_length=200, help_text=_("What changed from the version before.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    in_force_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "intake_agreementversion"  # the table it had in intake, kept by the move
        ordering = ["bid", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["bid", "number"], name="agreement_version_number_once"),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | models.Q(in_force_at__isnull=True),
                name="agreement_version_not_void_and_in_force",
            ),
        ]

    def __str__(self):
        return f"Agreement v{self.number} of bid {self.bid_id}"

    @property
    def is_current(self) -> bool:
        return self.voided_at is None


class AgreementSignature(models.Model):
    """One member's signature on one agreement version; never changed or deleted.

    A newer version voids the signatures on older ones by voiding the version, so the history
    still shows who signed what and when.
    """

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        db_table = "intake_agreementsignature"  # the table it had in intake, kept by the move
        ordering = ["version", "signed_at", "pk"]
        verbose_name = _("agreement signature")
        verbose_name_plural = _("agreement signatures")
        constraints = [
            models.UniqueConstraint(fields=["version", "consultant"], name="agreement_signed_once")
        ]

    def __str__(self):
        return f"{self.consultant} signed {self.version}"


class HoursEntry(models.Model):
    """Hours a member worked on a won bid: one line of their log."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="hours")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="bid_hours")
    date = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        db_table = "intake_hoursentry"  # the table it had in intake, kept by the move
        ordering = ["date", "pk"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="hours_entry_within_a_day",
                violation_error_message=_("Hours must be above 0 and at most 24."),
            ),
        ]
        indexes = [models.Index(fields=["consultant", "date"])]

    def __str__(self):
        return f"{self.consultant} {self.date} {self.hours} h"


class SettlementState(models.TextChoices):
    """``Settlement.State``; at module level so the model's constraints can name its values."""

    PROPOSED = "proposed", _("Proposed: waiting for every member's approval")
    FINAL = "final", _("Final: approved by every member")
    DISPUTED = "disputed", _("Disputed and withdrawn")


class Settlement(models.Model):
    """A statement of how a bid's pool is split by the hours logged: proposed by the lead, final
    once every member on the team has approved it.

    A member who disputes a proposed statement withdraws it (``disputed``, with their reason)
    and the work goes on so the hours can be corrected; the next proposal is a new row. The
    figures never change once written, and a final statement never changes at all (triggers in
    migration 0005).
    """

    State = SettlementState

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="settlements")
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    pool = models.DecimalField(max_digits=12, decimal_places=2)
    total_hours = models.DecimalField(max_digits=9, decimal_places=2)
    lines = models.JSONField(help_text=_("One entry per member: hours, planned, payout, rates."))
    transfers = models.JSONField(default=list, blank=True)
    collector = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text=_("Who proposed the statement."),
    )
    created_at = models.DateTimeField(default=now, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it became final, or was disputed.")
    )
    disputed_by = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispute_reason = models.TextField(_("what is wrong"), blank=True, max_length=1000)

    class Meta:
        db_table = "intake_settlement"  # the table it had in intake, kept by the move
        ordering = ["created_at", "pk"]
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        constraints = [
            models.UniqueConstraint(
                fields=["bid"],
                condition=~models.Q(state=SettlementState.DISPUTED),
                name="settlement_one_live_per_bid",
                violation_error_message=_("This bid already has a statement proposed or final."),
            ),
        ]

    def __str__(self):
        return f"Settlement of bid {self.bid_id} ({self.state})"


class StatementApproval(models.Model):
    """One member's approval of one proposed statement; never changed.

    A member who is no longer a working member cannot open the bid to approve; a staff
    coordinator may then record the approval on their behalf (``recorded_by``), saying why
    (``on_behalf_reason``). The team sees who approved for whom and why, and the member is told.
    """

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="approvals")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=now, editable=False)
    # PROTECT: the record of who approved someone else's money stays attached to an account.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The coordinator who approved on the member's behalf; empty when the member "
            "approved it."
        ),
    )
    on_behalf_reason = models.TextField(
        blank=True, max_length=1000, help_text=_("Why the coordinator approved for the member.")
    )

    class Meta:
        db_table = "intake_statementapproval"  # the table it had in intake, kept by the move
        ordering = ["approved_at", "pk"]
        verbose_name = _("statement approval")
        verbose_name_plural = _("statement approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "consultant"], name="statement_approved_once"
            ),
            models.CheckConstraint(
                condition=models.Q(recorded_by__isnull=True, on_behalf_reason="")
                | (models.Q(recorded_by__isnull=False) & ~models.Q(on_behalf_reason="")),
                name="statement_approval_on_behalf_has_reason",
                violation_error_message=_(
                    "An approval recorded on a member's behalf needs a reason."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.consultant} approved {self.settlement}"

    @property
    def on_behalf(self) -> bool:
        """Recorded by a coordinator for a member who no longer works, not by the member."""
        return self.recorded_by_id is not None


class BidEvent(AppendOnlyModel):
    """Append-only audit trail of a bid: one row per change, written in the change's transaction."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        db_table = "intake_bidevent"  # the table it had in intake, kept by the move
        ordering = ["created_at", "pk"]
        verbose_name = _("bid event")
        verbose_name_plural = _("bid events")

    def __str__(self):
        return f"Bid {self.bid_id} {self.action}"
