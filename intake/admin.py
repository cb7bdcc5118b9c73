"""The administrator's view of intake, through Django admin.

A request's status, version and the people the workflow assigns are never edited here: every
change of state goes through ``intake.workflow.request_apply``, which writes the event row.
The audit trail (``RequestEvent``) is read-only for everyone, superusers included, and so are
the rows the workflow and the notification tasks own (offers, engagements, notifications,
idempotency records, reference counters). Changelists select what their columns show, so a page
costs the same few queries however many rows it has.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from intake import idempotency, metrics, services
from intake.models import (
    Contact,
    Engagement,
    IdempotencyRecord,
    Notification,
    Offer,
    Organization,
    OutsideReferral,
    ReferenceCounter,
    Request,
    RequestEvent,
)

# Web addresses typed without a scheme are taken as https (Django 6's default, opted into now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page and never added, changed or deleted there."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and tasks: viewable, never added, changed or deleted."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Organisations and their contacts ---------------------------------------------------------


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "email", "phone", "role"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "website", "size_band", "request_count", "created_at"]
    list_filter = ["size_band"]
    search_fields = ["name", "website", "website_domain"]
    readonly_fields = ["created_at"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        # A subquery per shown row, not a Count over a join of every request.
        per_row = (
            Request.objects.filter(organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(rows=Count("pk"))
            .values("rows")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_request_count=Coalesce(Subquery(per_row, IntegerField()), Value(0)))
        )

    @admin.display(description=_("requests"), ordering="_request_count")
    def request_count(self, organization):
        return organization._request_count


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organization", "role", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["name", "email", "organization__name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["created_at"]


# --- Requests ---------------------------------------------------------------------------------


class RequestEventInline(ReadOnlyInline):
    """The audit trail, oldest first; append-only, so shown and never edited."""

    model = RequestEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note", "data"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("history (every move goes through the workflow)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["consultant", "offered_by", "created_at", "expires_at", "status", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultant", "offered_by")


class OutsideReferralInline(ReadOnlyInline):
    model = OutsideReferral
    fields = ["sent_at", "sent_by", "professional_names", "outcome"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sent_by")
            .prefetch_related("professionals")
        )

    @admin.display(description=_("professionals"))
    def professional_names(self, referral):
        return ", ".join(professional.name for professional in referral.professionals.all())


class EngagementInline(ReadOnlyInline):
    model = Engagement
    fields = ["consultant", "start", "end"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultant")


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "organization",
        "status",
        "urgency",
        "submitted_at",
        "overdue",
    ]
    list_filter = ["status", "urgency", "assigned_group", "pro_bono"]
    list_select_related = ["organization"]
    search_fields = ["reference", "title", "organization__name"]
    autocomplete_fields = ["organization", "contact", "languages"]
    date_hierarchy = "submitted_at"
    # Status, version and whom the workflow assigned move only through request_apply, which
    # writes the event row; an edit here would leave the history silent about it.
    readonly_fields = [
        "reference",
        "status",
        "version",
        "assigned_group",
        "offered_consultant",
        "engaged_consultant",
        "intake_coordinator",
        "submitted_at",
        "first_contact_at",
        "response_due_at",
        "overdue_reminded_at",
        "closed_at",
        "possible_duplicate_of",
        "duplicate_score",
        "submitted_organization_name",
        "submitted_organization_website",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "title", "organization", "contact", "description"]}),
        (
            _("What the client asks for"),
            {
                "fields": [
                    "skills",
                    "budget_max",
                    "currency",
                    "estimated_hours",
                    "pro_bono",
                    "urgency",
                    "remote_ok",
                    "location",
                    "languages",
                    "desired_start",
                ]
            },
        ),
        (
            _("Workflow (changed only by the workflow's moves)"),
            {
                "fields": [
                    "status",
                    "version",
                    "assigned_group",
                    "offered_consultant",
                    "engaged_consultant",
                    "intake_coordinator",
                    "submitted_at",
                    "first_contact_at",
                    "response_due_at",
                    "overdue_reminded_at",
                    "closed_at",
                    "possible_duplicate_of",
                    "duplicate_score",
                ]
            },
        ),
        (
            _("The organisation as the client typed it"),
            {
                "fields": ["submitted_organization_name", "submitted_organization_website"],
                "description": _(
                    "The public form never changes a stored organisation. If what "
                    "the client typed is right, copy it over with the actions of the request list "
                    "(each copy is written to the request's history)."
                ),
            },
        ),
    ]
    inlines = [RequestEventInline, OfferInline, OutsideReferralInline, EngagementInline]
    show_full_result_count = False
    actions = ["copy_submitted_website", "copy_submitted_name"]

    def has_merge_organization_permission(self, request):
        return request.user.has_perm("intake.change_organization")

    def _merge(self, request, queryset, field: str) -> None:
        changed = 0
        for request_row in queryset.order_by("pk"):
            try:
                changed += bool(
                    services.organization_merge_submitted(
                        request_id=request_row.pk, actor=request.user, fields=(field,)
                    )
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{request_row.reference}: {' '.join(error.messages)}", messages.ERROR
                )
        self.message_user(
            request,
            ngettext(
                "%(count)s organisation(s) updated from what was typed.",
                "%(count)s organisation(s) updated from what was typed.",
                changed,
            )
            % {"count": changed},
        )

    @admin.action(
        description=_("Copy the website the client typed onto the organisation"),
        permissions=["merge_organization"],
    )
    def copy_submitted_website(self, request, queryset):
        self._merge(request, queryset, "website")

    @admin.action(
        description=_("Copy the organisation name the client typed onto the organisation"),
        permissions=["merge_organization"],
    )
    def copy_submitted_name(self, request, queryset):
        self._merge(request, queryset, "name")

    def has_add_permission(self, request):
        # Requests arrive through the front door (request_submit): reference, status token,
        # response target and duplicate flag are all set there.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a request would delete its audit trail with it; withdraw or close it instead.
        return False

    def save_model(self, request, obj, form, change):
        """Write only the fields whose values the edit changed, under the row lock the workflow
        takes, and bump ``version``: a coordinator's page loaded before this edit then gets a
        409 instead of acting on what it no longer shows, and whatever another process wrote
        while the form was open (a move, a timer) stays as it wrote it."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            current = Request.objects.select_for_update().get(pk=obj.pk)
            changed = [
                name
                for name in form.changed_data
                if not Request._meta.get_field(name).many_to_many  # save_related writes those
                and getattr(obj, name) != getattr(current, name)
            ]
            languages = form.cleaned_data.get("languages")
            languages_changed = languages is not None and {
                language.pk for language in languages
            } != set(current.languages.values_list("pk", flat=True))
            if not changed and not languages_changed:
                obj.version = current.version
                return
            for name in changed:
                setattr(current, name, getattr(obj, name))
            current.version += 1
            current.save(update_fields=[*changed, "version"])
        obj.version = current.version

    def get_queryset(self, request):
        # One join for the changelist's organisation column and the change page's read-only
        # workflow fields (list_select_related is ignored once the queryset selects related).
        return (
            super()
            .get_queryset(request)
            .select_related(
                "organization",
                "assigned_group",
                "offered_consultant",
                "engaged_consultant",
                "intake_coordinator",
                "possible_duplicate_of",
            )
        )

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, request_row):
        return request_row.is_overdue


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnlyAdmin):
    """The audit trail: nobody adds, changes or deletes an event here, superusers included."""

    list_display = ["created_at", "request", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status"]
    list_select_related = ["request", "actor"]
    search_fields = ["request__reference", "note"]
    date_hierarchy = "created_at"


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    """Offers are made, accepted, declined and expired by the workflow's moves only."""

    list_display = ["request", "consultant", "status", "created_at", "expires_at", "offered_by"]
    list_filter = ["status"]
    list_select_related = ["request", "consultant", "offered_by"]
    search_fields = ["request__reference", "consultant__display_name"]


@admin.register(OutsideReferral)
class OutsideReferralAdmin(admin.ModelAdmin):
    """Made by the "refer out" move; only the follow-up (outcome) is recorded here."""

    list_display = ["request", "sent_at", "sent_by", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["request", "sent_by"]
    search_fields = ["request__reference", "message", "professionals__name"]
    fields = [
        "request",
        "sent_at",
        "sent_by",
        "professionals",
        "message",
        "outcome",
        "outcome_note",
    ]
    readonly_fields = ["request", "sent_at", "sent_by", "professionals", "message"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Engagement)
class EngagementAdmin(ReadOnlyAdmin):
    """Started by "accept" and ended by "complete"."""

    list_display = ["request", "consultant", "start", "end"]
    list_select_related = ["request", "consultant"]
    search_fields = ["request__reference", "consultant__display_name"]


# --- Machinery --------------------------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Written and retried by the notification tasks. The list opens with the mail backlog
    (queued, failed, the oldest due time, the last error), as on the metrics page."""

    list_display = [
        *("created_at", "kind", "recipient_email", "status", "attempts", "next_attempt_at"),
        *("failure", "last_failed_at", "error", "sent_at"),
    ]
    list_filter = ["status", "failure", "kind"]
    list_select_related = ["request"]
    search_fields = ["recipient_email", "subject", "request__reference"]
    # Every field but the sealed status token (ciphertext, and of no use to a reader).
    fields = [
        *("kind", "request", "recipient_email", "recipient_user", "subject", "body_text"),
        *("body_html", "status", "attempts", "failure", "last_error", "last_failed_at"),
        *("next_attempt_at", "enqueued_at", "created_at", "sent_at"),
    ]

    @admin.display(description=_("last error"))
    def error(self, notification):
        text = notification.last_error
        return text if len(text) <= 80 else text[:79] + "…"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "mail_backlog": metrics.mail_backlog()}
        return super().changelist_view(request, extra_context)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """The stored answer is sealed under the client's key and never shown; the row names the
    key by its SHA-256, so a search for a key looks for its digest."""

    list_display = ["key_digest", "request", "response_status", "created_at"]
    list_select_related = ["request"]
    fields = ["key_digest", "fingerprint", "request", "response_status", "created_at"]
    search_fields = ["key_digest"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(key_digest__in=[idempotency.key_digest(term), term.lower()]), False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyAdmin):
    list_display = ["year", "last_number"]
