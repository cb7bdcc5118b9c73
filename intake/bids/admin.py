"""Team bids in the admin: read-only, like the request's audit trail."""

from django.contrib import admin

from intake.admin import ReadOnlyAdmin, ReadOnlyInline
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
    StatementApproval,
)

# --- Team bids --------------------------------------------------------------------------------
# Every write to a bid goes through the bid services (locks, versions, events, agreement versions);
# an edit here would skip all of that, and a signed agreement must never change. So the whole of
# a bid is read-only in the admin, for superusers too.


class BidMemberInline(ReadOnlyInline):
    model = BidMember
    fields = ["consultant", "role", "estimated_hours", "standard_rate", "status", "responded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultant")


class AgreementVersionInline(ReadOnlyInline):
    model = AgreementVersion
    fields = ["number", "reason", "price", "pool", "split_mode", "created_at", "voided_at",
              "in_force_at"]  # fmt: skip
    readonly_fields = fields


class BidEventInline(ReadOnlyInline):
    model = BidEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note", "data"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "history (every change goes through intake.bids)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["pk", "request", "lead", "status", "price", "alliance_share_percent",
                    "split_mode", "due_date", "created_at"]  # fmt: skip
    list_filter = ["status", "split_mode"]
    list_select_related = ["request", "lead"]
    search_fields = ["request__reference", "request__title", "lead__display_name"]
    inlines = [BidMemberInline, AgreementVersionInline, BidEventInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ["bid", "number", "reason", "pool", "created_at", "voided_at", "in_force_at"]
    list_select_related = ["bid__request", "bid__lead"]
    search_fields = ["bid__request__reference"]


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(ReadOnlyAdmin):
    list_display = ["version", "consultant", "signed_at"]
    list_select_related = ["version__bid__request", "version__bid__lead", "consultant"]


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = ["bid", "consultant", "date", "hours", "note"]
    list_select_related = ["bid__request", "bid__lead", "consultant"]
    date_hierarchy = "date"


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["bid", "pool", "total_hours", "collector", "created_at"]
    list_select_related = ["bid__request", "bid__lead", "collector"]


@admin.register(StatementApproval)
class StatementApprovalAdmin(ReadOnlyAdmin):
    list_display = ["settlement", "consultant", "approved_at"]
    list_select_related = ["settlement__bid", "consultant"]


@admin.register(BidInterest)
class BidInterestAdmin(ReadOnlyAdmin):
    list_display = ["request", "consultant", "created_at"]
    list_select_related = ["request", "consultant"]


@admin.register(BidEvent)
class BidEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "bid", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    list_select_related = ["bid__request", "bid__lead", "actor"]


@admin.register(BidMember)
class BidMemberAdmin(ReadOnlyAdmin):
    list_display = ["bid", "consultant", "role", "estimated_hours", "standard_rate", "status"]
    list_filter = ["status"]
    list_select_related = ["bid__request", "bid__lead", "consultant"]
    search_fields = ["consultant__display_name", "bid__request__reference"]
