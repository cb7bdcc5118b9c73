"""The handbook's JSON API under /api/v1/handbook/: pages, revisions, diffs, search, export,
meetings, decisions, votes and action items.

Each view parses its input, calls one service (or one read) and renders. Who may do what lives
in ``handbook.access``: pages come through ``access.get_page_for_user`` (404 when the caller may
not read the page, 403 when they may read but not edit it). Reading public pages (list and
detail) is the one part of the API open to anonymous callers; everything else needs an account,
and meetings and decisions need a member.

A stale edit is answered 409 with the latest text, the caller's text and the diff between them,
so nothing the caller typed is lost (``services.EditConflict``).
"""

import django_filters
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from handbook import access, diff, export, reminders, search, selectors, services
from handbook.models import (
    MAX_BODY_CHARACTERS,
    ActionItem,
    Decision,
    Meeting,
    Page,
    PageRevision,
    Vote,
)
from handbook.serializers import (
    ActionItemInputSerializer,
    ActionItemSerializer,
    DecisionDetailSerializer,
    DecisionInputSerializer,
    DecisionSummarySerializer,
    DiffQuerySerializer,
    DiffSerializer,
    EditConflictSerializer,
    MeetingDetailSerializer,
    MeetingInputSerializer,
    MeetingSummarySerializer,
    PageCreateSerializer,
    PageDetailSerializer,
    PageEditSerializer,
    PagePatchSerializer,
    PageRevertSerializer,
    PageReviewedSerializer,
    PageSummarySerializer,
    RevisionDetailSerializer,
    RevisionListItemSerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
    VoteInputSerializer,
)
from network.api import (
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    Conflict,
    list_responses,
    model_errors_as_400,
    path_row_id,
)
from network.models import Consultant

# --- Shared pieces -------------------------------------------------------------------------


def _user(view_or_request):
    # Schema generation builds views without a request or a signed-in user.
    request = getattr(view_or_request, "request", view_or_request)
    return getattr(request, "user", None) or AnonymousUser()


class HandbookAPIView:
    """Shared by every handbook view: an oversized request is a JSON 400, not an HTML page.

    Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) with
    ``RequestDataTooBig`` when DRF first reads it; DRF does not handle that exception, so
    without this the client would get Django's HTML error page.
    """

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            exc = ParseError(
                f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes; "
                f"a page body may have at most {MAX_BODY_CHARACTERS:,} characters."
            )
        return super().handle_exception(exc)


class MayReadMembersPages(BasePermission):
    """Members (and role holders and administrators) only: 403 before any lookup."""

    message = "Only members of the alliance may use this part of the handbook."

    def has_permission(self, request, view):
        return access.may_read_members_pages(request.user)


class MayEditHandbook(BasePermission):
    message = "Only members of the alliance edit the handbook."

    def has_permission(self, request, view):
        return access.may_edit(request.user)


class ZipRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/zip``; errors still go out as JSON text."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


STALE_EDIT = OpenApiResponse(
    response=EditConflictSerializer,
    description=(
        "`base_revision` is not the latest revision: someone saved in between. Nothing was "
        "saved; the answer holds the latest text, yours, and the diff between them."
    ),
)
CLOSED = OpenApiResponse(
    response=inline_serializer("DecisionClosedDetail", {"detail": serializers.CharField()}),
    description="Voting on this decision has closed; nothing was recorded.",
)


def _read(response):
    return {200: response, 403: FORBIDDEN, 404: NOT_FOUND}


def _write(response, code=200, conflict=None):
    answers = {code: response, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}
    if conflict is not None:
        answers[409] = conflict
    return answers


def _conflict_answer(conflict: services.EditConflict, your_body: str) -> Response:
    latest = conflict.latest
    latest_body = latest.body if latest is not None else ""
    label = f"revision {latest.number} (latest)" if latest is not None else "latest"
    return Response(
        {
            "detail": str(conflict),
            "latest_revision": latest.pk if latest is not None else None,
            "latest_body": latest_body,
            "your_body": your_body,
            "diff": diff.unified(latest_body, your_body, old_label=label, new_label="your edit"),
        },
        status=status.HTTP_409_CONFLICT,
    )


# --- Pages ---------------------------------------------------------------------------------


class PageFilter(django_filters.FilterSet):
    due_for_review = django_filters.BooleanFilter(
        method="filter_due_for_review",
        label="Due for review",
        help_text="true: policies not reviewed within HANDBOOK_REVIEW_MONTHS (or never).",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Plain text that the title or the body contains; see /search/ for ranking.",
    )

    class Meta:
        model = Page
        fields = ["category", "visibility"]

    def filter_due_for_review(self, queryset, name, value):
        # The review reminders' own rule, so the list and the reminders never disagree.
        due = reminders.pages_due_for_review().values("pk")
        return queryset.filter(pk__in=due) if value else queryset.exclude(pk__in=due)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


REVISION_ID = OpenApiParameter(
    "revision_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Revision id"
)


@extend_schema_view(
    list=extend_schema(
        summary="Handbook pages (public pages for anyone; every page for members)",
        responses=list_responses(PageSummarySerializer, forbidden=False, filtered=True),
        auth=[{"cookieAuth": []}, {"tokenAuth": []}, {}],
    ),
    retrieve=extend_schema(
        summary="One page, with its Markdown and sanitised HTML",
        responses=_read(PageDetailSerializer),
        auth=[{"cookieAuth": []}, {"tokenAuth": []}, {}],
    ),
    create=extend_schema(
        summary="Write a new page (members)",
        request=PageCreateSerializer,
        responses=_write(PageDetailSerializer, 201),
    ),
    update=extend_schema(
        summary="Save a new revision of a page (members)",
        request=PageEditSerializer,
        responses=_write(PageDetailSerializer, conflict=STALE_EDIT),
    ),
    partial_update=extend_schema(
        summary="Save a new revision of a page; the body may be left out (members)",
        request=PagePatchSerializer,
        responses=_write(PageDetailSerializer, conflict=STALE_EDIT),
    ),
)
@extend_schema(tags=["handbook"])
class PageViewSet(HandbookAPIView, viewsets.GenericViewSet):
    """Pages are addressed by slug; every edit is a new revision based on the latest one."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Page.objects.none()  # for the schema; get_queryset says what a caller may see
    serializer_class = PageSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PageFilter

    def get_permissions(self):
        if self.action in {"list", "retrieve"}:
            return [permissions.AllowAny()]
        if self.action in {"revisions", "revision", "diff"}:
            return [IsAuthenticated()]
        return [IsAuthenticated(), MayEditHandbook()]

    def get_queryset(self):
        # A list never needs the text: leave the (up to 200,000-character) bodies behind.
        return access.visible_pages(_user(self)).select_related("owner").defer("body")

    def _page(self, slug: str, *, write: bool = False) -> Page:
        return access.get_page_for_user(self.request.user, slug, write=write)

    def _detail(self, page: Page) -> dict:
        context = {
            "rendered": selectors.rendered(page),
            "backlinks": selectors.backlinks(page, access.visible_pages(self.request.user)).only(
                "title", "slug"
            ),
            "review_cutoff": reminders.review_cutoff(),
        }
        return PageDetailSerializer(page, context=context).data

    def list(self, request):
        pages = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"review_cutoff": reminders.review_cutoff()}
        return self.get_paginated_response(
            PageSummarySerializer(pages, many=True, context=context).data
        )

    def retrieve(self, request, slug):
        return Response(self._detail(self._page(slug)))

    def create(self, request):
        serializer = PageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields["slug"] = fields.get("slug") or None
        with model_errors_as_400():
            page = services.page_create(actor=request.user, **fields)
        return Response(self._detail(self._page(page.slug)), status=status.HTTP_201_CREATED)

    def update(self, request, slug, partial=False):
        page = self._page(slug, write=True)
        serializer = (PagePatchSerializer if partial else PageEditSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        body = fields.pop("body", page.body)
        try:
            with model_errors_as_400():
                services.page_edit(actor=request.user, page_id=page.pk, body=body, **fields)
        except services.EditConflict as conflict:
            return _conflict_answer(conflict, body)
        return Response(self._detail(self._page(slug)))

    def partial_update(self, request, slug):
        return self.update(request, slug, partial=True)

    @extend_schema(
        summary="A page's revisions, newest first, with the lines each added and removed",
        responses=_read(RevisionListItemSerializer(many=True)),
    )
    @action(detail=True, methods=["get"], url_path="revisions", url_name="revisions")
    def revisions(self, request, slug):
        page = self._page(slug)
        history = page.revisions.select_related("author__consultant").order_by("-number")
        listed = self.paginate_queryset(history)
        if listed:
            # Each revision is compared with the one before it; the oldest listed one's
            # predecessor is on the next page of the history: one more query.
            oldest = listed[-1]
            before = (
                PageRevision.objects.filter(page=page, number__lt=oldest.number)
                .order_by("-number")
                .only("body")
                .first()
            )
            predecessors = [*listed[1:], before]
            for revision, previous in zip(listed, predecessors, strict=True):
                added, removed = diff.stats(previous.body if previous else "", revision.body)
                revision.lines_added, revision.lines_removed = added, removed
        return self.get_paginated_response(RevisionListItemSerializer(listed, many=True).data)

    @extend_schema(
        summary="One revision of a page, with its body",
        parameters=[REVISION_ID],
        responses=_read(RevisionDetailSerializer),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"revisions/(?P<revision_id>[0-9]+)",
        url_name="revision",
    )
    def revision(self, request, slug, revision_id):
        page = self._page(slug)
        found = page.revisions.select_related("author__consultant").filter(pk=revision_id).first()
        if found is None:
            raise Http404("No such revision of this page.")
        return Response(RevisionDetailSerializer(found).data)

    @extend_schema(
        summary="Restore an earlier revision as a new revision (members)",
        request=PageRevertSerializer,
        responses=_write(RevisionDetailSerializer, 201, conflict=STALE_EDIT),
    )
    @action(detail=True, methods=["post"], url_path="revert", url_name="revert")
    def revert(self, request, slug):
        page = self._page(slug, write=True)
        serializer = PageRevertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["revision"]
        try:
            with model_errors_as_400():
                revision = services.page_revert(
                    actor=request.user,
                    page_id=page.pk,
                    revision_id=wanted,
                    base_revision=serializer.validated_data["base_revision"],
                )
        except services.EditConflict as conflict:
            restoring = page.revisions.filter(pk=wanted).values_list("body", flat=True).first()
            return _conflict_answer(conflict, restoring or "")
        return Response(RevisionDetailSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that the page was reviewed (members)",
        request=PageReviewedSerializer,
        responses=_write(PageDetailSerializer),
    )
    @action(detail=True, methods=["post"], url_path="reviewed", url_name="reviewed")
    def reviewed(self, request, slug):
        page = self._page(slug, write=True)
        serializer = PageReviewedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            services.page_mark_reviewed(
                actor=request.user, page_id=page.pk, on=serializer.validated_data.get("on")
            )
        return Response(self._detail(self._page(slug)))

    @extend_schema(
        summary="The difference between two revisions of a page",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="Older id"),
            OpenApiParameter("to", OpenApiTypes.INT, required=True, description="Newer id"),
        ],
        responses=_write(DiffSerializer),
    )
    @action(detail=True, methods=["get"], url_path="diff", url_name="diff")
    def diff(self, request, slug):
        page = self._page(slug)
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = {"from": query.validated_data["from"], "to": query.validated_data["to"]}
        found = {
            revision.pk: revision
            for revision in page.revisions.select_related("author__consultant").filter(
                pk__in=wanted.values()
            )
        }
        missing = {
            name: ["No such revision of this page."]
            for name, pk in wanted.items()
            if pk not in found
        }
        if missing:
            raise serializers.ValidationError(missing)
        old, new = found[wanted["from"]], found[wanted["to"]]
        added, removed = diff.stats(old.body, new.body)
        result = {
            "from": old,
            "to": new,
            "unified": diff.unified(
                old.body,
                new.body,
                old_label=f"revision {old.number}",
                new_label=f"revision {new.number}",
            ),
            "rows": diff.diff_rows(old.body, new.body),
            "added": added,
            "removed": removed,
        }
        return Response(DiffSerializer(result).data)


# --- Search and export ---------------------------------------------------------------------


class SearchView(HandbookAPIView, APIView):
    """Ranked search over the pages the caller may read: the public pages without an account,
    as the handbook's own pages answer."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Search the handbook (public pages for anyone; every page for members)",
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer, 400: FIELD_ERRORS},
        auth=[{"cookieAuth": []}, {"tokenAuth": []}, {}],
        tags=["handbook"],
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hits = search.search_pages(
            access.visible_pages(request.user),
            query.validated_data["q"],
            limit=query.validated_data["limit"],
        )
        return Response(
            SearchResultsSerializer({"query": query.validated_data["q"], "results": hits}).data
        )


class ExportView(HandbookAPIView, APIView):
    """The pages the caller may read as a zip of Markdown files with front matter: the public
    pages without an account."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [renderers.JSONRenderer, ZipRenderer]

    @extend_schema(
        summary="Download the handbook as a zip of Markdown files (public pages for anyone)",
        auth=[{"cookieAuth": []}, {"tokenAuth": []}, {}],
        # Two renderers make the schema offer ?format=; the answer is a zip either way.
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="A zip attachment."
            ),
        },
        tags=["handbook"],
    )
    def get(self, request):
        archive = export.export_zip(access.visible_pages(request.user))
        response = HttpResponse(archive, content_type="application/zip")
        filename = f"handbook-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- Meetings and action items -------------------------------------------------------------


def _members_by_name():
    return Consultant.objects.only("id", "display_name")


def _decisions_with_votes():
    votes = Vote.objects.select_related("consultant").order_by("cast_at", "pk")
    return Decision.objects.prefetch_related(Prefetch("votes", queryset=votes))


MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Meetings, newest first", responses=list_responses(MeetingSummarySerializer)
    ),
    retrieve=extend_schema(
        summary="One meeting, with its decisions and action items",
        responses=_read(MeetingDetailSerializer),
    ),
    create=extend_schema(
        summary="Record a meeting (and its minutes as a handbook page)",
        request=MeetingInputSerializer,
        responses=_write(MeetingDetailSerializer, 201),
    ),
)
@extend_schema(tags=["handbook"])
class MeetingViewSet(HandbookAPIView, viewsets.GenericViewSet):
    """Meetings of the alliance: attendees, agenda, minutes (a handbook page), decisions and
    action items. Members only."""

    permission_classes = [IsAuthenticated, MayReadMembersPages]
    lookup_value_regex = r"[0-9]+"
    queryset = Meeting.objects.none()  # for the schema
    serializer_class = MeetingSummarySerializer
    filter_backends = []

    def get_queryset(self):
        return Meeting.objects.select_related("minutes").prefetch_related(
            Prefetch("attendees", queryset=_members_by_name())
        )

    def _meeting(self, pk) -> Meeting:
        meeting = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("decisions", queryset=_decisions_with_votes()),
                Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
            )
            .filter(pk=pk)
            .first()
        )
        if meeting is None:
            raise Http404("No such meeting.")
        return meeting

    def list(self, request):
        meetings = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSummarySerializer(meetings, many=True).data)

    def retrieve(self, request, pk):
        return Response(MeetingDetailSerializer(self._meeting(pk)).data)

    def create(self, request):
        serializer = MeetingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            meeting = services.meeting_create(actor=request.user, **serializer.validated_data)
        return Response(
            MeetingDetailSerializer(self._meeting(meeting.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["GET"],
        summary="A meeting's action items",
        responses=_read(ActionItemSerializer(many=True)),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an action item to a meeting",
        request=ActionItemInputSerializer,
        responses=_write(ActionItemSerializer, 201),
    )
    # The items come in one list, not pages; without this the schema documents pages.
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="action-items",
        url_name="action-items",
        pagination_class=None,
    )
    def action_items(self, request, pk):
        if not Meeting.objects.filter(pk=pk).exists():
            raise Http404("No such meeting.")
        if request.method == "GET":
            items = ActionItem.objects.filter(meeting_id=pk).select_related("owner")
            return Response(ActionItemSerializer(items, many=True).data)
        serializer = ActionItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            item = services.action_item_create(
                actor=request.user, meeting_id=int(pk), **serializer.validated_data
            )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark an action item done",
        parameters=[ITEM_ID],
        request=None,
        responses=_read(ActionItemSerializer),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"action-items/(?P<item_id>[0-9]+)/done",
        url_name="action-item-done",
    )
    def action_item_done(self, request, pk, item_id):
        meeting_id = path_row_id(pk, "meeting")
        item_id = path_row_id(item_id, "action item")
        if not ActionItem.objects.filter(pk=item_id, meeting_id=meeting_id).exists():
            raise Http404("No such action item in this meeting.")
        item = services.action_item_done(actor=request.user, item_id=item_id)
        return Response(ActionItemSerializer(item).data)


# --- Decisions and votes -------------------------------------------------------------------


class DecisionFilter(django_filters.FilterSet):
    class Meta:
        model = Decision
        fields = ["meeting", "rule"]


@extend_schema_view(
    list=extend_schema(
        summary="The decisions register, newest first",
        responses=list_responses(DecisionSummarySerializer, filtered=True),
    ),
    retrieve=extend_schema(
        summary="One decision, with its tally and every vote on record",
        responses=_read(DecisionDetailSerializer),
    ),
    create=extend_schema(
        summary="Put a motion to the vote",
        request=DecisionInputSerializer,
        responses=_write(DecisionDetailSerializer, 201),
    ),
)
@extend_schema(tags=["handbook"])
class DecisionViewSet(HandbookAPIView, viewsets.GenericViewSet):
    """A decision's outcome is computed from its current votes (``handbook.decisions``)."""

    permission_classes = [IsAuthenticated, MayReadMembersPages]
    lookup_value_regex = r"[0-9]+"
    queryset = Decision.objects.none()  # for the schema
    serializer_class = DecisionSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DecisionFilter

    def get_queryset(self):
        return _decisions_with_votes()

    def _decision(self, pk) -> Decision:
        decision = (
            self.get_queryset()
            .select_related("adopted_revision__page", "adopted_revision__author__consultant")
            .prefetch_related(Prefetch("eligible", queryset=_members_by_name()))
            .filter(pk=pk)
            .first()
        )
        if decision is None:
            raise Http404("No such decision.")
        return decision

    def list(self, request):
        found = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DecisionSummarySerializer(found, many=True).data)

    def retrieve(self, request, pk):
        return Response(DecisionDetailSerializer(self._decision(pk)).data)

    def create(self, request):
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields["meeting"] = self._related(Meeting, fields.get("meeting"), "meeting")
        fields["adopted_revision"] = self._related(
            PageRevision, fields.get("adopted_revision"), "adopted_revision"
        )
        with model_errors_as_400():
            decision = services.decision_create(actor=request.user, **fields)
        return Response(
            DecisionDetailSerializer(self._decision(decision.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @staticmethod
    def _related(model, pk, field: str):
        if pk is None:
            return None
        found = model.objects.filter(pk=pk).first()
        if found is None:
            raise serializers.ValidationError({field: [f"No {model._meta.verbose_name} {pk}."]})
        return found

    @extend_schema(
        summary="Vote (eligible members); a second vote replaces the first, both on record",
        request=VoteInputSerializer,
        responses=_write(DecisionDetailSerializer, 201, conflict=CLOSED),
    )
    @action(detail=True, methods=["post"], url_path="votes", url_name="votes")
    def votes(self, request, pk):
        self._decision_exists(pk)
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with model_errors_as_400():
                services.vote_cast(
                    actor=request.user, decision_id=int(pk), **serializer.validated_data
                )
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(
            DecisionDetailSerializer(self._decision(pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Close the vote",
        request=None,
        responses={200: DecisionDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CLOSED},
    )
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def close(self, request, pk):
        self._decision_exists(pk)
        try:
            services.decision_close(actor=request.user, decision_id=int(pk))
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(DecisionDetailSerializer(self._decision(pk)).data)

    @staticmethod
    def _decision_exists(pk) -> None:
        if not Decision.objects.filter(pk=pk).exists():
            raise Http404("No such decision.")
