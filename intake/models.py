"""Client organisations, their requests for help, and everything that happens to a request."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _

from network.db import AppendOnlyModel
from network.models import Consultant, ConsultantGroup, ExternalProfessional, Language
from network.text import fold, validate_visible_text


class Organization(models.Model):
    """A nonprofit client. One row per folded name and one per website domain."""

    class SizeBand(models.TextChoices):
        VOLUNTEER = "volunteer", _("All volunteer")
        SMALL = "small", _("1–10 staff")
        MEDIUM = "medium", _("11–50 staff")
        LARGE = "large", _("51–250 staff")
        VERY_LARGE = "very_large", _("More than 250 staff")
        UNKNOWN = "", _("Not known")

    name = models.CharField(_("name"), max_length=200, validators=[validate_visible_text])
    folded_name = models.CharField(_("folded name"), max_length=200, unique=True, editable=False)
    website = models.URLField(_("website"), blank=True)
    website_domain = models.CharField(
        _("website domain"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The website's host, without www."),
    )
    mission = models.TextField(_("mission"), blank=True, max_length=2000)
    size_band = models.CharField(
        _("size band"), max_length=20, choices=SizeBand.choices, blank=True
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Internal; never shown to the client.")
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
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
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_visible_text])
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("Their role at the organisation.")
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class ReferenceCounter(models.Model):
    """The last request number issued in a year (REQ-YYYY-NNNN), taken under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Request(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CONTACTED = "contacted", _("Contacted")
        TRIAGED = "triaged", _("Triaged")
        ROUTED = "routed", _("Routed")
        OFFERED = "offered", _("Offered")
        ENGAGED = "engaged", _("Engaged")
        COMPLETED = "completed", _("Completed")
        BIDDING = "bidding", _("Open for team bids")
        BID_SUBMITTED = "bid_submitted", _("Bid submitted")
        LOST = "lost", _("Bid lost")
        REFERRED_OUT = "referred_out", _("Referred out")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED_SPAM = "closed_spam", _("Closed as spam")

    class Urgency(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        EMERGENCY = "emergency", _("Emergency")

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
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="requests"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10_000)
    # The language the client used on the public form: their emails and status page use it.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the client wrote in; their emails and status page use it."),
    )
    skills = models.JSONField(
        _("skills"),
        default=list,
        blank=True,
        help_text=_(
            "Skills named by the client or a coordinator, as written (list of strings); "
            "matching requires them."
        ),
    )
    # Skills recognised in the description are suggestions until a coordinator decides
    # (intake.workflow.request_skills_edit): confirmed ones are required like the named ones,
    # dismissed ones are no longer suggested.
    confirmed_skills = models.JSONField(
        _("confirmed skills"),
        default=list,
        blank=True,
        help_text=_(
            "Canonical names of skills recognised in the description that a coordinator "
            "confirmed as required (list of strings)."
        ),
    )
    dismissed_skills = models.JSONField(
        _("dismissed skills"),
        default=list,
        blank=True,
        help_text=_(
            "Canonical names of skills recognised in the description that a coordinator "
            "dismissed: no longer suggested (list of strings)."
        ),
    )
    budget_max = models.DecimalField(
        _("budget max"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The most the client can pay in all, if known."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    estimated_hours = models.PositiveIntegerField(
        _("estimated hours"), null=True, blank=True, validators=[MaxValueValidator(10_000)]
    )
    pro_bono = models.BooleanField(
        _("pro bono"), default=False, help_text=_("The client cannot pay.")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    remote_ok = models.BooleanField(_("remote ok"), default=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="requests"
    )
    desired_start = models.DateField(_("desired start"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )  # indexed with the list's order (Meta): the queue filters by status
    version = models.PositiveIntegerField(_("version"), default=1)
    assigned_group = models.ForeignKey(
        ConsultantGroup,
        verbose_name=_("assigned group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    offered_consultant = models.ForeignKey(
        Consultant,
        verbose_name=_("offered consultant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    engaged_consultant = models.ForeignKey(
        Consultant,
        verbose_name=_("engaged consultant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engaged_requests",
    )
    intake_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intake coordinator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_requests",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=now)  # indexed in Meta
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due at"), null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(_("overdue reminded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The engaged member's word that the work is done (the "report_done" move); the request stays
    # engaged until a coordinator confirms it with "complete".
    done_reported_at = models.DateTimeField(
        _("done reported at"),
        null=True,
        blank=True,
        help_text=_("When the member serving the client reported it done."),
    )
    done_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who reported the work done."),
    )
    status_token_hash = models.CharField(
        _("status token hash"), max_length=64, editable=False
    )  # unique: see Meta
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        help_text=_("Flagged for the coordinator; never merged automatically."),
    )
    duplicate_score = models.PositiveSmallIntegerField(_("duplicate score"), null=True, blank=True)
    # What the client typed, kept as typed: the front door is anonymous, so it never edits a
    # stored organisation; a coordinator copies these onto it (services.organization_merge_
    # submitted, an admin action) when they are right.
    submitted_organization_name = models.CharField(
        _("submitted organization name"),
        max_length=200,
        blank=True,
        help_text=_("The organisation's name as the client typed it."),
    )
    submitted_organization_website = models.CharField(
        _("submitted organization website"),
        max_length=200,
        blank=True,
        help_text=_("The organisation's website as the client typed it."),
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_max__isnull=True) | models.Q(budget_max__gte=0),
                name="request_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
            models.UniqueConstraint(fields=["reference"], name="request_reference_unique"),
            models.UniqueConstraint(
                fields=["status_token_hash"], name="request_status_token_hash_unique"
            ),
        ]
        # Both end in the list's whole order (newest first, then the key), so a page of the
        # queue, filtered by status or not, reads its rows from the index in order and stops
        # after the page: no sort of every matching row, however many there are.
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="request_status_order_idx"),
            models.Index(fields=["submitted_at", "id"], name="request_order_idx"),
        ]

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
        Request,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.from_status}→{self.to_status}"


class OfferStatus(models.TextChoices):
    """``Offer.Status``; at module level so the model's constraints can name its values."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Offer(models.Model):
    Status = OfferStatus

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="offers"
    )
    consultant = models.ForeignKey(
        Consultant, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="offers"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was declined, in the member's words.")
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
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
        UNKNOWN = "unknown", _("Not known yet")
        CONTACTED = "contacted", _("Client contacted a professional")
        SERVED = "served", _("Client was served")
        NOT_SERVED = "not_served", _("Client was not served")

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="referrals"
    )
    professionals = models.ManyToManyField(
        ExternalProfessional, verbose_name=_("professionals"), related_name="referrals"
    )
    message = models.TextField(_("message"), max_length=5000, help_text=_("Shown to the client."))
    sent_at = models.DateTimeField(_("sent at"), default=now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)

    class Meta:
        verbose_name = _("outside referral")
        verbose_name_plural = _("outside referrals")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"Referral for {self.request_id}"


class Engagement(models.Model):
    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="engagements"
    )
    consultant = models.ForeignKey(
        Consultant,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    start = models.DateField(_("start"), default=localdate)
    end = models.DateField(_("end"), null=True, blank=True)
    # Set once, when a pro bono request is completed (intake.workflow): the days of free
    # service the member gave, counted against their pledge for the year of ``end``.
    free_days = models.DecimalField(
        _("free service days given"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("365"))],
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
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
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        NONE = "", _("None")
        # Not reached, or it answered that it cannot take mail now (421): a send that works
        # shows it is back, and releases these rows from their backoff (intake.delivery).
        UNAVAILABLE = "unavailable", _("Mail server unavailable")
        # The server refused this message (its sender, recipients or content): its backoff
        # stands whatever happens to other messages.
        REFUSED = "refused", _("Message refused")

    kind = models.CharField(_("kind"), max_length=40)
    request = models.ForeignKey(
        Request,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient_email = models.EmailField(_("recipient email"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("body text"))
    body_html = models.TextField(_("body html"), blank=True)
    sealed_status_token = models.TextField(
        _("sealed status token"),
        blank=True,
        editable=False,
        help_text=_(
            "The client's status token, encrypted (intake.sealing), until the message is "
            "sent or given up; empty after."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )  # indexed with next_attempt_at (Meta), which the retry sweep reads
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    failure = models.CharField(
        _("failure"),
        max_length=12,
        choices=Failure.choices,
        blank=True,
        help_text=_("What the last failure was."),
    )
    last_failed_at = models.DateTimeField(_("last failed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=now)
    enqueued_at = models.DateTimeField(
        _("enqueued at"),
        null=True,
        blank=True,
        help_text=_(
            "When the sweep last handed it to the task queue; a later sweep leaves it "
            "alone for a while (intake.delivery.SWEEP_LEASE)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
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
        _("key digest"),
        max_length=64,
        unique=True,
        help_text=_("SHA-256 of the Idempotency-Key (hex)."),
    )
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text=_("sha256 of the request body.")
    )
    request = models.ForeignKey(
        Request,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The request the first answer filed."),
    )
    response_status = models.PositiveSmallIntegerField(_("response status"))
    sealed_response = models.TextField(
        _("sealed response"), help_text=_("The first answer's body, encrypted.")
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")

    def __str__(self):
        return f"Idempotency record {self.key_digest[:12]}…"


class EngagementCover(models.Model):
    """Who covers an engagement's client while its consultant is away (one per time away).

    Without a row, the time away's ``covering`` member covers (``intake.cover``)."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE, related_name="covers"
    )
    time_away = models.ForeignKey(
        "network.TimeAway",
        verbose_name=_("time away"),
        on_delete=models.CASCADE,
        related_name="engagement_covers",
    )
    covering = models.ForeignKey(
        Consultant,
        verbose_name=_("covering member"),
        on_delete=models.CASCADE,
        related_name="engagement_covers",
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("engagement cover")
        verbose_name_plural = _("engagement covers")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "time_away"], name="engagement_cover_once_per_time_away"
            ),
        ]

    def __str__(self):
        return f"{self.covering} covers {self.engagement_id}"
