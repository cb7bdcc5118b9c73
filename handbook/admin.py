"""The handbook in Django admin. Revisions are the record: viewable, never added, changed or
deleted here, superusers included (a change goes through handbook.services as a new revision).
Pages' settings may be corrected; their text only through the editor."""

from django.contrib import admin

from handbook.models import ActionItem, Decision, Meeting, Page, PageRevision, Vote


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PageRevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = PageRevision
    fields = ["number", "title", "summary", "author", "created_at", "based_on", "reverts"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").defer("body")


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "category", "visibility", "owner", "last_reviewed",
                    "updated_at"]  # fmt: skip
    list_filter = ["category", "visibility"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug"]
    fields = ["title", "slug", "category", "visibility", "owner", "last_reviewed",
              "latest_revision", "updated_at"]  # fmt: skip
    # The title and the text change only as a revision (the editor or the API).
    readonly_fields = ["title", "latest_revision", "updated_at"]
    autocomplete_fields = ["owner"]
    inlines = [PageRevisionInline]

    def has_add_permission(self, request):
        return False  # a page starts with its first revision: the editor or the API

    def has_delete_permission(self, request, obj=None):
        return False  # its revisions are the alliance's record


@admin.register(PageRevision)
class PageRevisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["page", "number", "summary", "author", "created_at"]
    list_select_related = ["page", "author"]
    search_fields = ["page__title", "summary"]


class VoteInline(ReadOnlyMixin, admin.TabularInline):
    model = Vote
    fields = ["consultant", "choice", "reason", "cast_at", "superseded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "text",
        "rule",
        "quorum",
        "quorum_percent",
        "meeting",
        "created_at",
        "closed_at",
    ]
    list_select_related = ["meeting"]
    inlines = [VoteInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "minutes"]
    list_select_related = ["minutes"]
    search_fields = ["title"]
    autocomplete_fields = ["attendees"]
    raw_id_fields = ["minutes"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due", "done_at", "meeting"]
    list_select_related = ["owner", "meeting"]
    autocomplete_fields = ["owner"]
