"""The alliance's record in the handbook API: meetings, action items, decisions and votes
(under /api/v1/handbook/; pages, search and export are in ``handbook.api``). Members only.

Each view parses its input, calls one service and renders; who may change what is decided in
``handbook.access``:

- working members, the secretary, the staff coordinators and administrators record meetings and
  put motions;
- decisions and action items are added to a meeting by the member who recorded it and by those
  record keepers (403 for others);
- an action item is marked done by its owner, the meeting's creator or a record keeper;
- a vote is closed by the decision's creator or a record keeper (403 for others, nothing
  changed);
- a decision's eligible members and quorum are set by the alliance's rules when it is opened:
  every working member then, and ``DECISION_QUORUM_PERCENT`` of them, rounded up. A request that
  sends them is refused with 400.
"""

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from handbook import access, proposals, services
from handbook.api import HandbookAPIView, MayReadMembersPages, read_responses, write_responses
from handbook.models import ActionItem, Decision, Meeting, PageRevision, Vote
from handbook.serializers import (
    ActionItemInputSerializer,
    ActionItemSerializer,
    DecisionDetailSerializer,
    DecisionInputSerializer,
    DecisionSummarySerializer,
    MeetingDetailSerializer,
    MeetingInputSerializer,
    MeetingSummarySerializer,
    ProxyGivenSerializer,
    ProxyInputSerializer,
    VoteInputSerializer,
)
from network.api import (
    FORBIDDEN,
    NOT_FOUND,
    Conflict,
    list_responses,
    path_row_id,
)
from network.models import Consultant

# A decision's meeting or adopted revision that does not exist.
NO_ROW = {
    Meeting: _("No meeting %(id)s."),
    PageRevision: _("No page revision %(id)s."),
}

CLOSED = OpenApiResponse(
    response=inline_serializer("DecisionClosedDetail", {"detail": serializers.CharField()}),
    description="Voting on this decision has closed; nothing was recorded.",
)


# --- Meetings and action items -------------------------------------------------------------


def _members_by_name():
    return Consultant.objects.only("id", "display_name", "status")


def _decisions_with_votes():
    votes = Vote.objects.select_related("consultant", "cast_by").order_by("cast_at", "pk")
    return Decision.objects.prefetch_related(Prefetch("votes", queryset=votes))


MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Meetings, newest first", responses=list_responses(MeetingSummarySerializer)
    ),
    retrieve=extend_schema(
        summary="One meeting, with its decisions and action items",
        responses=read_responses(MeetingDetailSerializer),
    ),
    create=extend_schema(
        summary="Record a meeting (and its minutes as a handbook page; working members)",
        request=MeetingInputSerializer,
        responses=write_responses(MeetingDetailSerializer, 201),
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
            raise Http404(_("No such meeting."))
        return meeting

    def list(self, request):
        meetings = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSummarySerializer(meetings, many=True).data)

    def retrieve(self, request, pk):
        return Response(MeetingDetailSerializer(self._meeting(pk)).data)

    def create(self, request):
        serializer = MeetingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, **serializer.validated_data)
        return Response(
            MeetingDetailSerializer(self._meeting(meeting.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["GET"],
        summary="A meeting's action items",
        responses=read_responses(ActionItemSerializer(many=True)),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an action item to a meeting (its creator, the secretary, staff coordinators)",
        description="The owner is a working member (active or on probation).",
        request=ActionItemInputSerializer,
        responses=write_responses(ActionItemSerializer, 201),
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
        if request.method == "GET":
            if not Meeting.objects.filter(pk=pk).exists():
                raise Http404(_("No such meeting."))
            items = ActionItem.objects.filter(meeting_id=pk).select_related("owner")
            return Response(ActionItemSerializer(items, many=True).data)
        meeting = access.get_meeting_for_user(request.user, pk, write=True)
        serializer = ActionItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.action_item_create(
            actor=request.user, meeting_id=meeting.pk, **serializer.validated_data
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark an action item done (its owner, the meeting's creator, the secretary, "
        "staff coordinators)",
        parameters=[ITEM_ID],
        request=None,
        responses=read_responses(ActionItemSerializer),
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
        item = access.get_action_item_for_user(
            request.user, item_id, meeting_id=meeting_id, write=True
        )
        item = services.action_item_done(actor=request.user, item_id=item.pk)
        return Response(ActionItemSerializer(item).data)

    @extend_schema(
        summary="Give your proxy on every open decision of this meeting you vote on to "
        "another voter (all or nothing)",
        request=ProxyInputSerializer,
        responses=write_responses(ProxyGivenSerializer, 201, conflict=CLOSED),
    )
    @action(detail=True, methods=["post"], url_path="proxy", url_name="proxy")
    def proxy(self, request, pk):
        meeting = access.get_meeting_for_user(request.user, int(pk))
        services.require_member(request.user)
        serializer = ProxyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = services.proxy_give_for_meeting(
            actor=request.user, meeting_id=meeting.pk, **serializer.validated_data
        )
        return Response(
            ProxyGivenSerializer({"decisions": [proxy.decision_id for proxy in given]}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Revoke the proxies you gave on this meeting's open decisions",
        request=None,
        responses={200: ProxyGivenSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CLOSED},
    )
    @action(detail=True, methods=["post"], url_path="proxy/revoke", url_name="proxy-revoke")
    def proxy_revoke(self, request, pk):
        meeting = access.get_meeting_for_user(request.user, int(pk))
        ended = services.proxy_revoke_for_meeting(actor=request.user, meeting_id=meeting.pk)
        return Response(
            ProxyGivenSerializer({"decisions": [proxy.decision_id for proxy in ended]}).data
        )


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
        responses=read_responses(DecisionDetailSerializer),
    ),
    create=extend_schema(
        summary="Put a motion to the vote (working members)",
        description=(
            "Every working member (active or on probation) when the decision is opened may "
            "vote, and the quorum is `DECISION_QUORUM_PERCENT` of them, rounded up (at least 1): "
            "both are stored with the decision, and neither is taken from the request. A request "
            "that sends `eligible` or `quorum` is refused with 400 and records nothing."
        ),
        request=DecisionInputSerializer,
        responses=write_responses(DecisionDetailSerializer, 201),
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
            .select_related(
                "adopted_revision__page",
                "adopted_revision__author__consultant",
                "closed_by__consultant",
            )
            .prefetch_related(Prefetch("eligible", queryset=_members_by_name()))
            .filter(pk=pk)
            .first()
        )
        if decision is None:
            raise Http404(_("No such decision."))
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
            raise serializers.ValidationError({field: [NO_ROW[model] % {"id": pk}]})
        return found

    @extend_schema(
        summary="Vote (eligible members); a second vote replaces the first, both on record",
        request=VoteInputSerializer,
        responses=write_responses(DecisionDetailSerializer, 201, conflict=CLOSED),
    )
    @action(detail=True, methods=["post"], url_path="votes", url_name="votes")
    def votes(self, request, pk):
        self._decision_exists(pk)
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.vote_cast(actor=request.user, decision_id=int(pk), **serializer.validated_data)
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(
            DecisionDetailSerializer(self._decision(pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Close the vote (its creator, the secretary, staff coordinators, administrators)",
        request=None,
        responses={200: DecisionDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CLOSED},
    )
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def close(self, request, pk):
        access.get_decision_for_user(request.user, pk, write=True)
        try:
            proposals.decision_close(actor=request.user, decision_id=int(pk))
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(DecisionDetailSerializer(self._decision(pk)).data)

    @extend_schema(
        summary="Give your proxy on this decision to another voter (voters)",
        request=ProxyInputSerializer,
        responses=write_responses(DecisionDetailSerializer, 201, conflict=CLOSED),
    )
    @action(detail=True, methods=["post"], url_path="proxy", url_name="proxy")
    def proxy(self, request, pk):
        self._decision_exists(pk)
        services.require_voter(request.user, Decision.objects.get(pk=pk))
        serializer = ProxyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.proxy_give(
                actor=request.user, decision_id=int(pk), **serializer.validated_data
            )
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(
            DecisionDetailSerializer(self._decision(pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Revoke the proxy you gave on this decision, until voting closes",
        request=None,
        responses={200: DecisionDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CLOSED},
    )
    @action(detail=True, methods=["post"], url_path="proxy/revoke", url_name="proxy-revoke")
    def proxy_revoke(self, request, pk):
        self._decision_exists(pk)
        try:
            services.proxy_revoke(actor=request.user, decision_id=int(pk))
        except services.DecisionClosed as closed:
            raise Conflict(str(closed)) from closed
        return Response(DecisionDetailSerializer(self._decision(pk)).data)

    @staticmethod
    def _decision_exists(pk) -> None:
        if not Decision.objects.filter(pk=pk).exists():
            raise Http404(_("No such decision."))
