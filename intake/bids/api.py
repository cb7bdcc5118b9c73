"""The bid JSON API under /api/v1/: team bids, their team, terms, agreement and moves, and the
bid board; the hours and the statement are ``intake.bids.api_work``'s, the shared gate and
answers ``intake.bids.api_common``'s.

Each view parses its input, calls one service (``intake.bids.team``, ``terms``, ``states``,
``work``, ``settlement``) and renders. A bid's moves (send, withdraw, submit, win, lose, start)
go through one endpoint, ``POST /api/v1/bids/<id>/transitions/``, as a request's do; the paths
each move had before it still answer as they did, and the schema marks them deprecated. What a
viewer sees of a bid is decided in ``intake.bids.serializers``.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from intake.bids import access as bid_access
from intake.bids import documents, selectors, states, team, terms
from intake.bids.api_common import BidApiView, read_responses, version_from, write_responses
from intake.bids.api_work import BidWorkActions
from intake.bids.document_serializers import AgreementSerializer
from intake.bids.models import Bid
from intake.bids.serializers import (
    BID_VIEW,
    BID_VIEW_LIST,
    AgreementSignSerializer,
    BidCreateSerializer,
    BidInviteSerializer,
    BidMemberChangeSerializer,
    BidNoteSerializer,
    BidOutcomeSerializer,
    BidRespondSerializer,
    BidTermsSerializer,
    BidTransitionSerializer,
    BoardRequestSerializer,
    VersionInputSerializer,
    VolunteeredSerializer,
    VolunteerSerializer,
    render_bid,
)
from intake.models import Request
from network import access as network_access
from network.api import FORBIDDEN, NOT_FOUND, list_responses, path_row_id
from network.serializers import MAX_ROW_ID

# The paths the bid's moves had before ``transitions/``: they answer as they did.
DEPRECATED = "Deprecated: `POST transitions/` with `action` {action} makes the same move."


class BidFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Bid.Status.choices,
        distinct=False,  # the bid's own column: no row can repeat
        help_text="Repeat to ask for several statuses.",
    )
    # Bounded as row_id_field is (network/serializers.py).
    request = django_filters.NumberFilter(
        field_name="request_id",
        min_value=1,
        max_value=MAX_ROW_ID,
        help_text="A request's id.",
    )

    class Meta:
        model = Bid
        fields = ["status", "request"]


# --- Bids -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Team bids, newest first",
        description=(
            "Every bid, for working members and coordinators. The team (invited or accepted) "
            "and staff coordinators see each bid with its price, pool, rates and hours; other "
            "members see its request, lead, team names and roles and status only."
        ),
        responses=list_responses(BID_VIEW_LIST, filtered=True),
    ),
    retrieve=extend_schema(
        summary="One team bid (with its money for the team and coordinators)",
        responses={200: BID_VIEW, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["bids"])
class BidViewSet(BidWorkActions):
    """Team bids on requests open for bidding, from the first draft to the settlement."""

    queryset = Bid.objects.none()  # for the schema; rows come through the gate
    serializer_class = BidTermsSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = BidFilter

    def get_queryset(self):
        user = getattr(getattr(self, "request", None), "user", None)
        if user is None:
            return Bid.objects.none()
        return (
            bid_access.visible_bids(user)
            .select_related("request", "lead")
            .order_by("-created_at", "-pk")
        )

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = selectors.load_bids(list(page))
        return self.get_paginated_response([render_bid(bid, request.user) for bid in rows])

    def retrieve(self, request, pk):
        bid = self._bid(pk)
        selectors.load_bids([bid])
        return Response(render_bid(bid, request.user))

    @extend_schema(
        summary="Start a bid on a request open for bidding",
        description=(
            "A member offers to lead (the lead is themselves); a staff coordinator may name "
            "any working member as `lead`. `invite` lists members to invite at once. Answers "
            "201 with the bid; agreement version 1 is written."
        ),
        request=BidCreateSerializer,
        responses=write_responses(BID_VIEW, status.HTTP_201_CREATED),
    )
    def create(self, request):
        serializer = BidCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        request_id = fields.pop("request")
        self._check_request_open(request_id)
        fields["invite"] = [dict(entry) for entry in fields["invite"]]
        bid = team.bid_create(actor=self.request.user, request_id=request_id, **fields)
        self.bid_pk = bid.pk
        return self._detail(bid.pk, status.HTTP_201_CREATED)

    def _check_request_open(self, request_id: int) -> None:
        # Members learn of requests from the bid board only: any other id answers as unknown,
        # so a guessed id tells them nothing. Coordinators get the service's 409 with the
        # request's status instead.
        found = Request.objects.filter(pk=request_id)
        if not network_access.is_staff_coordinator(self.request.user):
            found = found.filter(status=Request.Status.BIDDING)
        if not found.exists():
            raise serializers.ValidationError(
                {"request": [_("No request open for bids has this id.")]}
            )

    @extend_schema(
        summary="Change the price, alliance share, split mode or due date",
        description=(
            "Send the bid's `version`. A change to the price, share or split mode writes a new "
            "agreement version and voids every signature; once every member has signed, the "
            "terms are frozen and a change answers 409."
        ),
        request=BidTermsSerializer,
        responses=write_responses(BID_VIEW),
    )
    def partial_update(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidTermsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms.bid_terms_change(actor=self.request.user, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Invite a member to the team (the lead or a coordinator)",
        request=BidInviteSerializer,
        responses=write_responses(BID_VIEW, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["post"], url_path="invite", url_name="invite")
    def invite(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team.bid_invite(actor=self.request.user, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk, status.HTTP_201_CREATED)

    def _respond(self, request, pk, *, accept: bool) -> Response:
        bid = self._bid(pk, write=True)
        serializer = BidRespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        reason = fields.pop("reason")
        team.bid_member_respond(
            actor=self.request.user,
            bid_id=bid.pk,
            accept=accept,
            reason="" if accept else reason,
            **fields,
        )
        return self._detail(bid.pk)

    @extend_schema(
        summary="Accept your invitation: you join the team (a new agreement version)",
        request=BidRespondSerializer,
        responses=write_responses(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="accept", url_name="accept")
    def accept(self, request, pk):
        return self._respond(request, pk, accept=True)

    @extend_schema(
        summary="Decline your invitation",
        request=BidRespondSerializer,
        responses=write_responses(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="decline", url_name="decline")
    def decline(self, request, pk):
        return self._respond(request, pk, accept=False)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a member's role or planned hours",
        request=BidMemberChangeSerializer,
        responses=write_responses(BID_VIEW),
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Take a member off the team, or withdraw their invitation",
        description="The bid's `version` is required, as a query parameter or in the body.",
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description="The bid's version you saw; a stale one is refused with 409.",
            )
        ],
        request=None,
        responses=write_responses(BID_VIEW),
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<consultant_id>[0-9]+)",
        url_name="member",
    )
    def member(self, request, pk, consultant_id):
        bid = self._bid(pk, write=True)
        consultant_id = path_row_id(consultant_id, "member on this bid")
        if request.method == "DELETE":
            team.bid_member_remove(
                actor=self.request.user,
                bid_id=bid.pk,
                consultant_id=consultant_id,
                version=version_from(request),
            )
            return self._detail(bid.pk)
        serializer = BidMemberChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team.bid_member_change(
            actor=self.request.user,
            bid_id=bid.pk,
            consultant_id=consultant_id,
            **serializer.validated_data,
        )
        return self._detail(bid.pk)

    @extend_schema(
        summary="Sign a version of the agreement",
        description=(
            "Send the agreement's version `number` you read. A version that is no longer "
            "current answers 409; anyone not on the team 403. When the last member signs, the "
            "version is in force and the terms are frozen. Answers with the agreement."
        ),
        request=AgreementSignSerializer,
        responses=write_responses(AgreementSerializer),
    )
    @action(detail=True, methods=["post"], url_path="sign", url_name="sign")
    def sign(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = AgreementSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms.agreement_sign(
            actor=self.request.user,
            bid_id=bid.pk,
            agreement_version=serializer.validated_data["version"],
        )
        return Response(AgreementSerializer(documents.agreement_versions(bid)).data)

    @extend_schema(
        summary="The agreement: the current version and every version before it",
        responses=read_responses(AgreementSerializer),
    )
    @action(detail=True, methods=["get"], url_path="agreement", url_name="agreement")
    def agreement(self, request, pk):
        bid = self._bid_with_money(pk)
        return Response(AgreementSerializer(documents.agreement_versions(bid)).data)

    # --- The bid's moves ------------------------------------------------------------------

    @extend_schema(
        summary="Make a move on a bid",
        description=(
            "Send `action`, the bid's `version` you saw and the move's fields: `send` (the "
            "agreement out for signature: draft → agreement out), `withdraw` (before the bid "
            "reaches the client), `start` (the work of a won bid), each by the lead or a "
            "coordinator; `submit` (the signed bid to the client; the lead or an intake "
            "coordinator); `win` and `lose` (the client's answer; intake coordinators). "
            "`withdraw`, `submit`, `win` and `lose` take a `note`; a field the move does not "
            "take answers 400. A stale version, or a move the bid's status (or its request's) "
            "does not allow, answers 409 with the bid's status and version. Nothing changes "
            "on any refusal. Answers with the bid."
        ),
        request=BidTransitionSerializer,
        responses=write_responses(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="transitions", url_name="transitions")
    def transitions(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        move, version = fields.pop("action"), fields.pop("version")
        states.bid_apply(
            actor=self.request.user, bid_id=bid.pk, action=move, version=version, **fields
        )
        return self._detail(bid.pk)

    def _move(self, request, pk, serializer_class, service, **fields) -> Response:
        """A move by the path it had before ``transitions/``, answered as it was."""
        bid = self._bid(pk, write=True)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, bid_id=bid.pk, **serializer.validated_data, **fields)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Send the agreement to the team for signature (draft → agreement out)",
        description=DEPRECATED.format(action="send"),
        request=VersionInputSerializer,
        responses=write_responses(BID_VIEW),
        deprecated=True,
    )
    @action(detail=True, methods=["post"], url_path="send", url_name="send")
    def send(self, request, pk):
        return self._move(request, pk, VersionInputSerializer, states.bid_send)

    @extend_schema(
        summary="Withdraw the bid before it reaches the client",
        description=DEPRECATED.format(action="withdraw"),
        request=BidNoteSerializer,
        responses=write_responses(BID_VIEW),
        deprecated=True,
    )
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk):
        return self._move(request, pk, BidNoteSerializer, states.bid_withdraw)

    @extend_schema(
        summary="Send the signed bid to the client (the request moves to bid submitted)",
        description=DEPRECATED.format(action="submit"),
        request=BidNoteSerializer,
        responses=write_responses(BID_VIEW),
        deprecated=True,
    )
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request, pk):
        return self._move(request, pk, BidNoteSerializer, states.bid_submit)

    @extend_schema(
        summary="Record the client's answer: won or lost (intake coordinators)",
        description=DEPRECATED.format(action="win or lose"),
        request=BidOutcomeSerializer,
        responses=write_responses(BID_VIEW),
        deprecated=True,
    )
    @action(detail=True, methods=["post"], url_path="outcome", url_name="outcome")
    def outcome(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        won = fields.pop("outcome") == "won"
        states.bid_decide(actor=self.request.user, bid_id=bid.pk, won=won, **fields)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Start the work of a won bid: members log hours from now on",
        description=DEPRECATED.format(action="start"),
        request=VersionInputSerializer,
        responses=write_responses(BID_VIEW),
        deprecated=True,
    )
    @action(detail=True, methods=["post"], url_path="start", url_name="start")
    def start(self, request, pk):
        return self._move(request, pk, VersionInputSerializer, states.bid_start)


# --- The bid board ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Requests open for team bids",
        description=(
            "What each client needs (skills, budget, hours, start, urgency), the bid under way "
            "if there is one, and whether you volunteered. Never the client's contact details."
        ),
        responses=list_responses(BoardRequestSerializer(many=True)),
    ),
)
@extend_schema(tags=["bids"])
class BidBoardViewSet(BidApiView):
    queryset = Request.objects.none()  # for the schema
    serializer_class = BoardRequestSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = getattr(getattr(self, "request", None), "user", None)
        if user is None:
            return Request.objects.none()
        return selectors.board_requests(user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BoardRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Volunteer to join a team for a request on the board",
        request=VolunteerSerializer,
        responses=write_responses(VolunteeredSerializer, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["post"], url_path="volunteer", url_name="volunteer")
    def volunteer(self, request, pk):
        if not Request.objects.filter(pk=pk, status=Request.Status.BIDDING).exists():
            raise Http404(_("No request open for bids has this id."))
        serializer = VolunteerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interest = team.bid_volunteer(
            actor=self.request.user, request_id=int(pk), **serializer.validated_data
        )
        return Response(VolunteeredSerializer(interest).data, status=status.HTTP_201_CREATED)
