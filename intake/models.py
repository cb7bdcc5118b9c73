"""Client organisations, their requests for help, and everything that happens to a request."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import localdate, now

from network.models import Consultant, ConsultantGroup, ExternalProfessional, Language
from network.text import fold, validate_visible_text


class Organization(models.Model):
    """A nonprofit client. One row per folded name and one per website domain."""

    class SizeBand(models.TextChoices):
        VOLUNTEER = "volunteer", "All volunteer"
        SMALL = "small", "1–10 staff"
        MEDIUM = "medium", "11–50 staff"
        LARGE = "large", "51–250 staff"
        VERY_LARGE = "very_large", "More than 250 staff"
        UNKNOWN = "", "Not known"

    name = models.CharField(max_length=200, validators=[validate_visible_text])
    folded_name = models.CharField(max_length=200, unique=True, editable=False)
    website = models.URLField(blank=True)
    website_domain = models.CharField(
        max_length=200, blank=True, editable=False, help_text="The website's host, without www."
    )
    mission = models.TextField(blank=True, max_length=2000)
    size_band = models.CharField(max_length=20, choices=SizeBand.choices, blank=True)
    notes = models.TextField(blank=True, help_text="Internal; never shown to the client.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["website_domain"],
                condition=~models.Q(website_domain=""),
                name="organization_one_per_website",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.folded_name = fold(self.name)
        self.website_domain = website_domain(self.website)
        super().save(*args, **kwargs)


def website_domain(url: str) -> str:
    """``https://www.Example.org/about`` → ``example.org``: the key for one organisation."""
    from urllib.parse import urlsplit

    if not url:
        return ""
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


class Contact(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=120, validators=[validate_visible_text])
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=120, blank=True, help_text="Their role at the organisation.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class ReferenceCounter(models.Model):
    """The last request number issued in a year (REQ-YYYY-NNNN), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Request(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CONTACTED = "contacted", "Contacted"
        TRIAGED = "triaged", "Triaged"
        ROUTED = "routed", "Routed"
        OFFERED = "offered", "Offered"
        ENGAGED = "engaged", "Engaged"
        COMPLETED = "completed", "Completed"
        BIDDING = "bidding", "Open for team bids"
        BID_SUBMITTED = "bid_submitted", "Bid submitted"
        LOST = "lost", "Bid lost"
        REFERRED_OUT = "referred_out", "Referred out"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED_SPAM = "closed_spam", "Closed as spam"

    class Urgency(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        EMERGENCY = "emergency", "Emergency"

    # States from which a request can still be referred out, withdrawn or closed as spam.
    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.CONTACTED,
        Status.TRIAGED,
        Status.ROUTED,
        Status.OFFERED,
        Status.BIDDING,
        Status.BID_SUBMITTED,
    )
    # A client's status link stops working once the request is withdrawn or closed as spam.
    HIDDEN_FROM_CLIENT = (Status.WITHDRAWN, Status.CLOSED_SPAM)

    # Unique by a constraint (Meta), not ``unique=True``: on PostgreSQL that would add a second
    # index for LIKE look-ups, which nothing makes (it is searched by equality or icontains).
    reference = models.CharField(max_length=20, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="requests"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000)
    skills = models.JSONField(
        default=list,
        blank=True,
        help_text="Skills named by the client or a coordinator, as written (list of strings); "
        "matching requires them.",
    )
    # Skills recognised in the description are suggestions until a coordinator decides
    # (intake.workflow.request_skills_edit): confirmed ones are required like the named ones,
    # dismissed ones are no longer suggested.
    confirmed_skills = models.JSONField(
        default=list,
        blank=True,
        help_text="Canonical names of skills recognised in the description that a coordinator "
        "confirmed as required (list of strings).",
    )
    dismissed_skills = models.JSONField(
        default=list,
        blank=True,
        help_text="Canonical names of skills recognised in the description that a coordinator "
        "dismissed: no longer suggested (list of strings).",
    )
    budget_max = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The most the client can pay in all, if known.",
    )
    currency = models.CharField(max_length=3, default="USD")
    estimated_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10_000)]
    )
    pro_bono = models.BooleanField(default=False, help_text="The client cannot pay.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    remote_ok = models.BooleanField(default=True)
    location = models.CharField(max_length=200, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="requests")
    desired_start = models.DateField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )  # indexed with submitted_at (Meta): the queue filters by status and sorts by date
    version = models.PositiveIntegerField(default=1)
    assigned_group = models.ForeignKey(
        ConsultantGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    offered_consultant = models.ForeignKey(
        Consultant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    engaged_consultant = models.ForeignKey(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engaged_requests",
    )
    intake_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_requests",
    )
    submitted_at = models.DateTimeField(default=now, db_index=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_token_hash = models.CharField(max_length=64, editable=False)  # unique: see Meta
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        help_text="Flagged for the coordinator; never merged automatically.",
    )
    duplicate_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the client typed, kept as typed: the front door is anonymous, so it never edits a
    # stored organisation; a coordinator copies these onto it (services.organization_merge_
    # submitted, an admin action) when they are right.
    submitted_organization_name = models.CharField(
        max_length=200, blank=True, help_text="The organisation's name as the client typed it."
    )
    submitted_organization_website = models.CharField(
        max_length=200, blank=True, help_text="The organisation's website as the client typed it."
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_max__isnull=True) | models.Q(budget_max__gte=0),
                name="request_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.UniqueConstraint(fields=["reference"], name="request_reference_unique"),
            models.UniqueConstraint(
                fields=["status_token_hash"], name="request_status_token_hash_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.SUBMITTED
            and self.response_due_at is not None
            and self.response_due_at < now()
        )


class RequestEvent(models.Model):
    """Append-only audit trail: one row per move, written in the move's transaction."""

    # Indexed with created_at (Meta), which serves look-ups by request alone too.
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Request events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Request events are append-only; they cannot be deleted.")


class Offer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="offers")
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="offers")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was declined, in the member's words.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status="pending"),
                name="offer_one_pending_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["consultant", "created_at"]),
        ]

    def __str__(self):
        return f"{self.request_id} → {self.consultant} ({self.status})"


class OutsideReferral(models.Model):
    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", "Not known yet"
        CONTACTED = "contacted", "Client contacted a professional"
        SERVED = "served", "Client was served"
        NOT_SERVED = "not_served", "Client was not served"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="referrals")
    professionals = models.ManyToManyField(ExternalProfessional, related_name="referrals")
    message = models.TextField(max_length=5000, help_text="Shown to the client.")
    sent_at = models.DateTimeField(default=now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.UNKNOWN)
    outcome_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"Referral for {self.request_id}"


class Engagement(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="engagements")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="engagements")
    start = models.DateField(default=localdate)
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="engagement_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.consultant} on {self.request_id}"


class Notification(models.Model):
    """One email to one recipient, sent by a django-q2 task and retried until it goes out.

    The bodies never hold a client's status link: the confirmation is stored with a placeholder
    (``intake.delivery.STATUS_LINK``) and the token, sealed, in ``sealed_status_token`` until
    the transaction that sends the message (or gives up on it) clears it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Failure(models.TextChoices):
        NONE = "", "None"
        # Not reached, or it answered that it cannot take mail now (421): a send that works
        # shows it is back, and releases these rows from their backoff (intake.delivery).
        UNAVAILABLE = "unavailable", "Mail server unavailable"
        # The server refused this message (its sender, recipients or content): its backoff
        # stands whatever happens to other messages.
        REFUSED = "refused", "Message refused"

    kind = models.CharField(max_length=40)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    sealed_status_token = models.TextField(
        blank=True,
        editable=False,
        help_text="The client's status token, encrypted (intake.sealing), until the message is "
        "sent or given up; empty after.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )  # indexed with next_attempt_at (Meta), which the retry sweep reads
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failure = models.CharField(
        max_length=12, choices=Failure.choices, blank=True, help_text="What the last failure was."
    )
    last_failed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=now)
    enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the sweep last handed it to the task queue; a later sweep leaves it "
        "alone for a while (intake.delivery.SWEEP_LEASE).",
    )
    created_at = models.DateTimeField(default=now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} to {self.recipient_email} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first answer to a submission with an Idempotency-Key, returned again on a retry.

    The answer holds the client's status link, so it is kept sealed under a key derived from
    the client's Idempotency-Key and ``SECRET_KEY`` (``intake.idempotency``); the row keeps only
    the Idempotency-Key's SHA-256, so the row alone opens nothing.
    """

    key_digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the Idempotency-Key (hex)."
    )
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the request body.")
    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The request the first answer filed.",
    )
    response_status = models.PositiveSmallIntegerField()
    sealed_response = models.TextField(help_text="The first answer's body, encrypted.")
    created_at = models.DateTimeField(default=now, editable=False)

    def __str__(self):
        return f"Idempotency record {self.key_digest[:12]}…"


# --- Team bids and shared-risk rate agreements (docs/design.md) -----------------------


class Bid(models.Model):
    """A team's fixed-price proposal for one request, and the agreement its members sign.

    Price, share and split mode are the terms; each change to them or to the team writes a new
    ``AgreementVersion`` (``intake.bids``). Once every member has signed, the version is in force
    and the terms are frozen: the service refuses, and a database trigger (migration 0002) stops
    any write that slips past it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREEMENT_OUT = "agreement_out", "Agreement out for signature"
        SIGNED = "signed", "Signed by every member"
        SUBMITTED = "submitted", "Submitted to the client"
        WON = "won", "Won"
        IN_PROGRESS = "in_progress", "In progress"
        SETTLED = "settled", "Settled"
        LOST = "lost", "Lost"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class SplitMode(models.TextChoices):
        EQUAL_RATE = "equal_rate", "Equal rate: everyone earns the same per hour"
        RATE_WEIGHTED = "rate_weighted", "Rate weighted: standard rates scale by one factor"

    # The terms can still change (a new version) only in these; from "signed" on they are frozen.
    TERMS_OPEN = (Status.DRAFT, Status.AGREEMENT_OUT)
    # A request has at most one bid that is not finished one way or the other.
    CLOSED = (Status.SETTLED, Status.LOST, Status.WITHDRAWN)

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="bids")
    lead = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="led_bids")
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The fixed price agreed with the client.",
    )
    currency = models.CharField(max_length=3, default="USD")
    alliance_share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text="The alliance's share of the price, 0–50 %.",
    )
    split_mode = models.CharField(
        max_length=20, choices=SplitMode.choices, default=SplitMode.EQUAL_RATE
    )
    due_date = models.DateField(null=True, blank=True, help_text="When the proposal is due.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every change; a change based on an older one is refused."
    )
    collector = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member who collected the client's payment, if one did.",
    )
    created_at = models.DateTimeField(default=now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    work_started_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the work started: hours are logged for this day up to today.",
    )
    settled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last member approved the statement."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=0), name="bid_price_positive",
                violation_error_message="The price must be above 0.",
            ),
            models.CheckConstraint(
                condition=models.Q(alliance_share_percent__gte=0)
                & models.Q(alliance_share_percent__lte=50),
                name="bid_share_within_0_50",
                violation_error_message="The alliance share must be between 0 and 50 %.",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=~models.Q(status__in=["settled", "lost", "withdrawn"]),
                name="bid_one_open_per_request",
                violation_error_message="This request already has a bid under way.",
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
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "On the team"
        DECLINED = "declined", "Declined"
        REMOVED = "removed", "Removed"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="members")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="bid_seats")
    role = models.CharField(max_length=80, help_text="What they do on the team.")
    estimated_hours = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    standard_rate = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Their standard hourly rate when invited.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=now, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["bid", "invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "consultant"], name="bid_member_once"),
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gt=0), name="bid_member_hours_positive",
                violation_error_message="Estimated hours must be above 0.",
            ),
            models.CheckConstraint(
                condition=models.Q(standard_rate__gte=0), name="bid_member_rate_not_negative",
                violation_error_message="The standard rate cannot be negative.",
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
    note = models.TextField(blank=True, max_length=1000, help_text="What they would bring.")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
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
    reason = models.CharField(max_length=200, help_text="What changed from the version before.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    in_force_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bid", "number"]
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
        ordering = ["version", "signed_at", "pk"]
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
        ordering = ["date", "pk"]
        verbose_name_plural = "hours entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="hours_entry_within_a_day",
                violation_error_message="Hours must be above 0 and at most 24.",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "date"])]

    def __str__(self):
        return f"{self.consultant} {self.date} {self.hours} h"


class Settlement(models.Model):
    """A statement of how a bid's pool is split by the hours logged: proposed by the lead, final
    once every member on the team has approved it.

    A member who disputes a proposed statement withdraws it (``disputed``, with their reason)
    and the work goes on so the hours can be corrected; the next proposal is a new row. The
    figures never change once written, and a final statement never changes at all (triggers in
    migration 0005).
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed: waiting for every member's approval"
        FINAL = "final", "Final: approved by every member"
        DISPUTED = "disputed", "Disputed and withdrawn"

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="settlements")
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    pool = models.DecimalField(max_digits=12, decimal_places=2)
    total_hours = models.DecimalField(max_digits=9, decimal_places=2)
    lines = models.JSONField(help_text="One entry per member: hours, planned, payout, rates.")
    transfers = models.JSONField(default=list, blank=True)
    collector = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who proposed the statement.",
    )
    created_at = models.DateTimeField(default=now, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text="When it became final, or was disputed."
    )
    disputed_by = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispute_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid"],
                condition=~models.Q(state="disputed"),
                name="settlement_one_live_per_bid",
                violation_error_message="This bid already has a statement proposed or final.",
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
        help_text="The coordinator who approved on the member's behalf; empty when the member "
        "approved it.",
    )
    on_behalf_reason = models.TextField(
        blank=True, max_length=1000, help_text="Why the coordinator approved for the member."
    )

    class Meta:
        ordering = ["approved_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "consultant"], name="statement_approved_once"
            ),
            models.CheckConstraint(
                condition=models.Q(recorded_by__isnull=True, on_behalf_reason="")
                | (models.Q(recorded_by__isnull=False) & ~models.Q(on_behalf_reason="")),
                name="statement_approval_on_behalf_has_reason",
                violation_error_message="An approval recorded on a member's behalf needs a reason.",
            ),
        ]

    def __str__(self):
        return f"{self.consultant} approved {self.settlement}"

    @property
    def on_behalf(self) -> bool:
        """Recorded by a coordinator for a member who no longer works, not by the member."""
        return self.recorded_by_id is not None


class BidEvent(models.Model):
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
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Bid {self.bid_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Bid events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Bid events are append-only; they cannot be deleted.")
