"""Client organisations, their requests for help, and everything that happens to a request."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import localdate, now

from network.models import Consultant, ConsultantGroup, ExternalProfessional, Language
from network.text import fold


class Organization(models.Model):
    """A nonprofit client. One row per folded name and one per website domain."""

    class SizeBand(models.TextChoices):
        VOLUNTEER = "volunteer", "All volunteer"
        SMALL = "small", "1–10 staff"
        MEDIUM = "medium", "11–50 staff"
        LARGE = "large", "51–250 staff"
        VERY_LARGE = "very_large", "More than 250 staff"
        UNKNOWN = "", "Not known"

    name = models.CharField(max_length=200)
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
    name = models.CharField(max_length=120)
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

    reference = models.CharField(max_length=20, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="requests"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000)
    skills = models.JSONField(
        default=list, blank=True, help_text="Skills as the client wrote them (list of strings)."
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
        max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
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
    status_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        help_text="Flagged for the coordinator; never merged automatically.",
    )
    duplicate_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_max__isnull=True) | models.Q(budget_max__gte=0),
                name="request_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
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

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
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
    """One email to one recipient, sent by a django-q2 task and retried until it goes out."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

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
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} to {self.recipient_email} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first answer to a submission with an Idempotency-Key, returned again on a retry."""

    key = models.CharField(max_length=200, unique=True)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the request body.")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=now, editable=False)

    def __str__(self):
        return self.key
