"""The handbook's JSON API under /api/v1/handbook/: pages, revisions, diffs, search and export
(meetings, decisions, votes and action items are in ``handbook.record_api``, which shares the
pieces at the top of this module).

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
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from handbook import (
    access,
    diff,
    export,
    proposal_api,
    proposals,
    reminders,
    search,
    selectors,
    services,
)
from handbook.models import (
    MAX_BODY_CHARACTERS,
    Page,
    PageRevision,
    Proposal,
)
from handbook.serializers import (
    DiffQuerySerializer,
    DiffSerializer,
    EditConflictSerializer,
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
)
from network.api import (
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    list_responses,
)

# --- Shared pieces -------------------------------------------------------------------------


def request_user(view_or_request):
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
                _(
                    "The request is larger than %(bytes)s bytes; a page body may have at most "
                    "%(characters)s characters."
                )
                % {
                    "bytes": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}",
                    "characters": f"{MAX_BODY_CHARACTERS:,}",
                }
            )
        return super().handle_exception(exc)


class MayReadMembersPages(BasePermission):
    """Members (and role holders and administrators) only: 403 before any lookup."""

    message = _("Only members of the alliance may use this part of the handbook.")

    def has_permission(self, request, view):
        return access.may_read_members_pages(request.user)


class MayEditHandbook(BasePermission):
    message = access.EDIT_REFUSED

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


def read_responses(response):
    return {200: response, 403: FORBIDDEN, 404: NOT_FOUND}


def write_responses(response, code=200, conflict=None):
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
            "latest_revision": latest.number if latest is not None else None,
            "latest_revision_id": latest.pk if latest is not None else None,
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
        responses=read_responses(PageDetailSerializer),
        auth=[{"cookieAuth": []}, {"tokenAuth": []}, {}],
    ),
    create=extend_schema(
        summary="Write a new page (members)",
        request=PageCreateSerializer,
        responses=write_responses(PageDetailSerializer, 201),
    ),
    update=extend_schema(
        summary="Save a new revision of a page (members)",
        request=PageEditSerializer,
        responses={
            **write_responses(PageDetailSerializer, conflict=STALE_EDIT),
            202: proposal_api.PROPOSED,
        },
    ),
    partial_update=extend_schema(
        summary="Save a new revision of a page; the body may be left out (members)",
        request=PagePatchSerializer,
        responses={
            **write_responses(PageDetailSerializer, conflict=STALE_EDIT),
            202: proposal_api.PROPOSED,
        },
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
        # A list never needs the text: leave the (up to 200,000-character) bodies behind. The
        # latest revision gives each row its revision number (one join, not its text).
        return (
            access.visible_pages(request_user(self))
            .select_related("owner", "latest_revision")
            .defer("body", "latest_revision__body")
        )

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
        page = services.page_create(actor=request.user, **fields)
        return Response(self._detail(self._page(page.slug)), status=status.HTTP_201_CREATED)

    def update(self, request, slug, partial=False):
        page = self._page(slug, write=True)
        serializer = (PagePatchSerializer if partial else PageEditSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        body = fields.pop("body", page.body)
        # ``base_revision`` is the page's revision number, as ``revision`` shows it.
        base_number = fields.pop("base_revision")
        change = proposals.proposal_create if page.is_governed else services.page_edit
        try:
            saved = change(
                actor=request.user, page_id=page.pk, body=body, base_number=base_number, **fields
            )
        except services.EditConflict as conflict:
            return _conflict_answer(conflict, body)
        if isinstance(saved, Proposal):
            return proposal_api.proposed(saved)
        return Response(self._detail(self._page(slug)))

    def partial_update(self, request, slug):
        return self.update(request, slug, partial=True)

    @extend_schema(
        summary="A page's revisions, newest first, with the lines each added and removed",
        responses=read_responses(RevisionListItemSerializer(many=True)),
    )
    @action(detail=True, methods=["get"], url_path="revisions", url_name="revisions")
    def revisions(self, request, slug):
        page = self._page(slug)
        history = page.revisions.select_related("author__consultant", "proposal").order_by(
            "-number"
        )
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
        responses=read_responses(RevisionDetailSerializer),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"revisions/(?P<revision_id>[0-9]+)",
        url_name="revision",
    )
    def revision(self, request, slug, revision_id):
        page = self._page(slug)
        found = (
            page.revisions.select_related("author__consultant", "proposal")
            .filter(pk=revision_id)
            .first()
        )
        if found is None:
            raise Http404(_("No such revision of this page."))
        return Response(RevisionDetailSerializer(found).data)

    @extend_schema(
        summary="Restore an earlier revision as a new revision (members)",
        request=PageRevertSerializer,
        responses={
            **write_responses(RevisionDetailSerializer, 201, conflict=STALE_EDIT),
            202: proposal_api.PROPOSED,
        },
    )
    @action(detail=True, methods=["post"], url_path="revert", url_name="revert")
    def revert(self, request, slug):
        page = self._page(slug, write=True)
        serializer = PageRevertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["revision"]
        revert = proposals.proposal_revert if page.is_governed else services.page_revert
        try:
            revision = revert(
                actor=request.user,
                page_id=page.pk,
                revision_id=wanted,
                base_number=serializer.validated_data["base_revision"],
            )
        except services.EditConflict as conflict:
            restoring = page.revisions.filter(pk=wanted).values_list("body", flat=True).first()
            return _conflict_answer(conflict, restoring or "")
        if isinstance(revision, Proposal):
            return proposal_api.proposed(revision)
        return Response(RevisionDetailSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark a page as changed by decision, or no longer (the secretary, the staff "
        "coordinators)",
        request=proposal_api.GovernedSerializer,
        responses=proposal_api.GOVERNED_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="governed", url_name="governed")
    def governed(self, request, slug):
        return proposal_api.governed_answer(request, self._page(slug))

    @extend_schema(
        summary="Record that the page was reviewed (members)",
        request=PageReviewedSerializer,
        responses=write_responses(PageDetailSerializer),
    )
    @action(detail=True, methods=["post"], url_path="reviewed", url_name="reviewed")
    def reviewed(self, request, slug):
        page = self._page(slug, write=True)
        serializer = PageReviewedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
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
        responses=write_responses(DiffSerializer),
    )
    @action(detail=True, methods=["get"], url_path="diff", url_name="diff")
    def diff(self, request, slug):
        page = self._page(slug)
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = {"from": query.validated_data["from"], "to": query.validated_data["to"]}
        found = {
            revision.pk: revision
            for revision in page.revisions.select_related("author__consultant", "proposal").filter(
                pk__in=wanted.values()
            )
        }
        missing = {
            name: [_("No such revision of this page.")]
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
