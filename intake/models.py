"""Client organisations, their requests for help, and everything that happens to a request."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import localdate, now

from network.db import AppendOnlyModel
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
    # The language the client used on the public form: their emails and status page use it.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language the client wrote in; their emails and status page use it.",
    )
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
    # The engaged member's word that the work is done (the "report_done" move); the request stays
    # engaged until a coordinator confirms it with "complete".
    done_reported_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member serving the client reported it done."
    )
    done_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who reported the work done.",
    )
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


class RequestEvent(AppendOnlyModel):
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


class OfferStatus(models.TextChoices):
    """``Offer.Status``; at module level so the model's constraints can name its values."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Offer(models.Model):
    Status = OfferStatus

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
                condition=models.Q(status=OfferStatus.PENDING),
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
