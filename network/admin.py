"""The administrator's view of the network, through Django admin.

Status is never edited as a field here: a member's status and an application's state change
only through admin actions that call the services, so the history says who moved what and why.
Changelists select or annotate what their columns show, so a page costs the same few queries
however many rows it has.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from network import access, applications, services
from network.models import (
    ApiToken,
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ConsultantStatusChange,
    ExternalProfessional,
    Language,
    MembershipApplication,
    Skill,
    SkillAlias,
    TimeAway,
    User,
)


class ReasonActionForm(helpers.ActionForm):
    """The action bar with a free-text reason, stored in the history row the action writes."""

    reason = forms.CharField(
        required=False,
        max_length=500,
        label=_("Reason or note:"),
        widget=forms.TextInput(attrs={"size": 40}),
    )


# Web addresses typed without a scheme are taken as https (Django 6's default, opted into now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _https_formfield(field, **kwargs):
    """A model field's form field, as the admin's own forms build it (``HTTPS_URLS``): for a
    model form declared here, whose fields are made when the module loads."""
    return field.formfield(**{**HTTPS_URLS.get(type(field), {}), **kwargs})


def _row_count(model, field: str):
    """How many ``model`` rows point at each row, as a correlated subquery.

    A subquery in the select list runs only for the rows on the page; a ``Count`` over a join
    aggregates every row of the table first (seconds, with 700 000 member skills).
    """
    per_row = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(rows=Count("pk"))
        .values("rows")
    )
    return Coalesce(Subquery(per_row, output_field=IntegerField()), Value(0))


def _action_reason(request, default: str) -> str:
    return (request.POST.get("reason") or "").strip() or default


# --- Accounts and reference data --------------------------------------------------------------


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "language"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens, to tell them apart and to revoke them (delete). The key is stored nowhere, so
    no page can show it; tokens are issued only by ``POST /api/v1/auth/token/``."""

    list_display = ["user", "key_prefix", "created", "expires", "last_used"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "prefix"]
    ordering = ["user__username", "-created", "-pk"]
    fields = ["user", "key_prefix", "created", "expires", "last_used"]
    readonly_fields = fields

    @admin.display(description=_("Token begins"), ordering="prefix")
    def key_prefix(self, token):
        return f"{token.prefix}…"

    @admin.display(description=_("Expires"), ordering="created")
    def expires(self, token):
        return token.expires_at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


# --- Skills taxonomy --------------------------------------------------------------------------


# A row a person saved in the admin is marked "manual", so load_skills never takes it back.
MANUAL_SOURCE = "manual"


class SkillAliasInline(admin.TabularInline):
    model = SkillAlias
    fields = ["alias", "source"]
    readonly_fields = ["source"]
    extra = 1


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "source", "member_count"]
    list_filter = ["category", "source"]
    search_fields = ["name", "aliases__alias"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["source"]
    inlines = [SkillAliasInline]

    def save_model(self, request, obj, form, change):
        obj.source = MANUAL_SOURCE
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for alias in formset.save(commit=False):
            alias.source = MANUAL_SOURCE
            alias.save()
        for alias in formset.deleted_objects:
            alias.delete()
        formset.save_m2m()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=_row_count(ConsultantSkill, "skill"))
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, skill):
        return skill._member_count


@admin.register(SkillAlias)
class SkillAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "skill", "source"]
    list_filter = ["source"]
    list_select_related = ["skill"]
    search_fields = ["alias", "skill__name"]
    autocomplete_fields = ["skill"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        obj.source = MANUAL_SOURCE
        super().save_model(request, obj, form, change)


# --- Consultants ------------------------------------------------------------------------------


class ConsultantSkillInline(admin.TabularInline):
    model = ConsultantSkill
    fields = ["skill", "level", "years", "note"]
    autocomplete_fields = ["skill"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill", "consultant")


class TimeAwayInline(admin.TabularInline):
    model = TimeAway
    fk_name = "consultant"
    fields = ["start", "end", "covering", "note"]
    autocomplete_fields = ["covering"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("covering", "consultant")


class ConsultantStatusChangeInline(admin.TabularInline):
    """The member's status history, shown and never edited (it is an audit trail)."""

    model = ConsultantStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason", "roles_ended"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("status change")
    verbose_name_plural = _("status history (use the actions on the member list to change status)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by", "consultant")

    @admin.display(description=_("roles ended"))
    def roles_ended(self, change):
        return change.ended_roles_text or "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsultantNewAccountForm(forms.ModelForm):
    """The add form for staff who are not administrators: the member record gets a new account
    for the address given. Only an administrator attaches a record to an existing account, so
    nobody can take over a member's identity by pointing a record at their own account."""

    email = forms.EmailField(
        label=_("Email"),
        help_text=_(
            "A new account is opened for this address; the member sets a password with "
            "“Forgot your password?” on the sign-in page."
        ),
    )

    class Meta:
        model = Consultant
        # The fieldsets choose what shows; the account is never one of them here.
        fields = [
            field.name
            for field in Consultant._meta.get_fields()
            if getattr(field, "editable", False) and field.concrete and field.name != "user"
        ]
        formfield_callback = _https_formfield

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _(
                    "An account with this address already exists; an administrator can attach a "
                    "member record to it."
                )
            )
        return email


# The fields of a member that are their rates (network.access.can_see_rates decides who sees
# them): the admin hides them from the roles that may not, as the API and the pages do.
RATE_FIELDS = ("hourly_rate", "currency", "sliding_scale", "pro_bono_hours_per_month")


@admin.register(Consultant)
class ConsultantAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "display_name",
        "email",
        "status",
        "location",
        "hourly_rate",
        "sliding_scale",
        "capacity_hours_per_week",
        "remote_ok",
    ]
    list_filter = ["status", "remote_ok", "sliding_scale", "languages", "consultant_groups"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__email", "location"]
    autocomplete_fields = ["user", "languages"]
    # The status moves only through the actions below, which write the history row.
    readonly_fields = ["status", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["user", "display_name", "status", "bio", "website"]}),
        (_("Where and how"), {"fields": ["location", "timezone", "remote_ok", "languages"]}),
        (
            _("Rates and capacity"),
            {
                "fields": [
                    "hourly_rate",
                    "currency",
                    "sliding_scale",
                    "pro_bono_hours_per_month",
                    "capacity_hours_per_week",
                ]
            },
        ),
        ("Membership", {"fields": ["joined_on", "probation_ends", "created_at", "updated_at"]}),
    ]

    inlines = [ConsultantSkillInline, TimeAwayInline, ConsultantStatusChangeInline]
    action_form = ReasonActionForm
    actions = [
        "mark_active",
        "start_probation",
        "put_on_leave",
        "move_to_alumni",
        "mark_former",
    ]
    # Counting 100 000 members twice per page (filtered and unfiltered) is wasted work.
    show_full_result_count = False

    # --- Who sees and changes what: the account is the administrator's, rates the rule's ---

    @staticmethod
    def _sees_rates(request) -> bool:
        # Rates in the admin follow the directory's rule: coordinators (staff ones, here)
        # see every member's; a secretary, webmaster or records keeper sees none.
        return access.is_coordinator(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            # The account a record belongs to is its owner's identity: re-pointing it let a
            # coordinator sign agreements and vote as the member, and locked the member out.
            readonly.append("user")
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options["fields"])
            if obj is None and not request.user.is_superuser:
                fields = ["email" if field == "user" else field for field in fields]
            if not self._sees_rates(request):
                fields = [field for field in fields if field not in RATE_FIELDS]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = ConsultantNewAccountForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self._sees_rates(request):
            return columns
        return [column for column in columns if column not in RATE_FIELDS]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self._sees_rates(request):
            return filters
        return [name for name in filters if name not in RATE_FIELDS]

    def lookup_allowed(self, lookup, value, request=None):
        # The admin allows any lookup on the model's own fields in the URL: without this, a
        # hand-made ``?hourly_rate__gte=…`` would narrow a member's rate down by the count.
        field = lookup.split("__", 1)[0]
        if field in RATE_FIELDS and (request is None or not self._sees_rates(request)):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, consultant):
        return consultant.user.email

    def has_change_status_permission(self, request):
        return access.can_change_member_status(request.user)

    def save_model(self, request, obj, form, change):
        if not change and "email" in form.cleaned_data:
            obj.user = services.member_account_open(email=form.cleaned_data["email"])
        super().save_model(request, obj, form, change)
        if not change:
            services.consultant_record_first_status(
                consultant=obj, actor=request.user, reason="Added in the admin."
            )

    def _set_status(self, request, queryset, status: str) -> None:
        # The history keeps the reason in English, whatever language the admin is in.
        with translation.override(None):
            english = Consultant.Status(status).label.lower()
        reason = _action_reason(request, f"Set to {english} in the admin.")
        moved = 0
        # Primary-key order, so two administrators acting at once lock rows in the same order.
        for consultant in queryset.order_by("pk"):
            if consultant.status == status:
                continue
            services.consultant_set_status(
                consultant=consultant, status=status, actor=request.user, reason=reason
            )
            moved += 1
        message = _("%(count)s member(s) set to %(status)s.") % {
            "count": moved,
            "status": Consultant.Status(status).label.lower(),
        }
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Mark active (full member)"), permissions=["change_status"])
    def mark_active(self, request, queryset):
        self._set_status(request, queryset, Consultant.Status.ACTIVE)

    @admin.action(description=_("Put on probation"), permissions=["change_status"])
    def start_probation(self, request, queryset):
        self._set_status(request, queryset, Consultant.Status.PROBATION)

    @admin.action(description=_("Put on leave"), permissions=["change_status"])
    def put_on_leave(self, request, queryset):
        self._set_status(request, queryset, Consultant.Status.ON_LEAVE)

    @admin.action(description=_("Move to alumni"), permissions=["change_status"])
    def move_to_alumni(self, request, queryset):
        self._set_status(request, queryset, Consultant.Status.ALUMNI)

    @admin.action(description=_("Mark as former member"), permissions=["change_status"])
    def mark_former(self, request, queryset):
        self._set_status(request, queryset, Consultant.Status.FORMER)


@admin.register(ConsultantStatusChange)
class ConsultantStatusChangeAdmin(admin.ModelAdmin):
    """Read-only: history rows are written by the status services and never edited."""

    list_display = [
        "changed_at",
        "consultant",
        "from_status",
        "to_status",
        "changed_by",
        "roles_ended",
    ]
    list_filter = ["to_status", "from_status"]
    list_select_related = ["consultant", "changed_by"]
    search_fields = ["consultant__display_name", "reason"]
    show_full_result_count = False

    @admin.display(description=_("roles ended"))
    def roles_ended(self, change):
        return change.ended_roles_text or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsultantSkill)
class ConsultantSkillAdmin(admin.ModelAdmin):
    list_display = ["consultant", "skill", "level", "years"]
    list_filter = ["level", "skill__category"]
    list_select_related = ["consultant", "skill"]
    search_fields = ["consultant__display_name", "skill__name"]
    autocomplete_fields = ["consultant", "skill"]
    show_full_result_count = False


@admin.register(TimeAway)
class TimeAwayAdmin(admin.ModelAdmin):
    list_display = ["consultant", "start", "end", "covering", "note"]
    list_filter = ["start"]
    list_select_related = ["consultant", "covering"]
    search_fields = ["consultant__display_name", "covering__display_name", "note"]
    autocomplete_fields = ["consultant", "covering"]


@admin.register(ConsultantGroup)
class ConsultantGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "coordinator", "member_count"]
    list_select_related = ["coordinator"]
    search_fields = ["name", "description", "coordinator__display_name"]
    prepopulated_fields = {"slug": ["name"]}
    # Autocomplete rather than filter_horizontal: a side-by-side list would render every member
    # and every skill of the taxonomy as an <option>, which stops working at a large network.
    autocomplete_fields = ["coordinator", "members", "focus_skills"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=_row_count(ConsultantGroup.members.through, "consultantgroup"))
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, group):
        return group._member_count


# --- Membership applications ------------------------------------------------------------------


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "email", "status", "submitted_at", "reviewer", "consultant"]
    list_filter = ["status"]
    list_select_related = ["reviewer", "consultant"]
    search_fields = ["name", "email", "location", "skills_text"]
    readonly_fields = ["status", "consultant", "reviewer", "submitted_at", "decided_at"]
    action_form = ReasonActionForm
    actions = ["start_review", "admit_on_probation", "confirm_membership", "decline"]

    def has_decide_permission(self, request):
        return access.can_change_member_status(request.user)

    def _move(self, request, queryset, move, done) -> None:
        """Apply one service to each selected application; report refusals one by one and the
        moves made with ``done`` (a message with a ``%(count)s``)."""
        notes = _action_reason(request, "")
        moved = 0
        for application in queryset.order_by("pk"):
            try:
                move(application=application, actor=request.user, notes=notes)
            except applications.IllegalTransition as refusal:
                self.message_user(request, f"{application.name}: {refusal}", messages.ERROR)
            except ValidationError as invalid:
                self.message_user(
                    request, f"{application.name}: {' '.join(invalid.messages)}", messages.ERROR
                )
            else:
                moved += 1
        if moved:
            self.message_user(request, done % {"count": moved}, messages.SUCCESS)

    @admin.action(description=_("Start review"), permissions=["decide"])
    def start_review(self, request, queryset):
        self._move(
            request,
            queryset,
            applications.application_start_review,
            _("%(count)s application(s) moved to review."),
        )

    @admin.action(description=_("Admit on probation"), permissions=["decide"])
    def admit_on_probation(self, request, queryset):
        self._move(
            request,
            queryset,
            applications.application_admit,
            _("%(count)s application(s) admitted on probation."),
        )

    @admin.action(description=_("Confirm as full member"), permissions=["decide"])
    def confirm_membership(self, request, queryset):
        self._move(
            request,
            queryset,
            applications.application_confirm,
            _("%(count)s application(s) confirmed."),
        )

    @admin.action(description=_("Decline"), permissions=["decide"])
    def decline(self, request, queryset):
        self._move(
            request,
            queryset,
            applications.application_decline,
            _("%(count)s application(s) declined."),
        )


# --- Outside professionals --------------------------------------------------------------------


@admin.register(ExternalProfessional)
class ExternalProfessionalAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "organization", "email", "active", "last_referred_at"]
    list_filter = ["active", ("skills", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "organization", "email", "notes", "skills__name"]
    autocomplete_fields = ["skills"]
