"""The bid JSON API under /api/v1/: team bids, their agreements, hours and settlements, and the
bid board.

Each view parses its input, calls one service in ``intake.bids.services`` and renders. Bids are
loaded
through ``bid_access.get_bid_for_user`` (404 when the user may not see one, 403 on a write when they
are neither on its team nor manage it); the services decide every finer right (403), refuse a
stale version or a step the bid's state does not allow (409) and bad values (400), and in each
case change nothing. What a viewer sees of a bid is decided in ``intake.bids.serializers``.
"""

import csv
import io
from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Sum, Value, prefetch_related_objects
from django.http import Http404, HttpResponse
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
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from intake.bids import access as bid_access
from intake.bids import services as bids
from intake.bids import settlement as bid_statements
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
    StatementApproval,
)
from intake.bids.serializers import (
    BID_VIEW,
    BID_VIEW_LIST,
    AgreementSerializer,
    AgreementSignSerializer,
    BidCreateSerializer,
    BidInviteSerializer,
    BidMemberChangeSerializer,
    BidNoteSerializer,
    BidOutcomeSerializer,
    BidRespondSerializer,
    BidSettleSerializer,
    BidTermsSerializer,
    BoardRequestSerializer,
    HoursEntrySerializer,
    HoursLogSerializer,
    HoursSerializer,
    StatementDisputeSerializer,
    StatementOnBehalfSerializer,
    StatementSerializer,
    VersionInputSerializer,
    VolunteeredSerializer,
    VolunteerSerializer,
    render_bid,
    statement_totals,
)
from intake.models import Request
from intake.workflow import WorkflowConflict
from network import access as network_access
from network.api import (
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    list_responses,
    model_errors_as_400,
    path_row_id,
)
from network.serializers import MAX_ROW_ID

# --- Shared pieces ----------------------------------------------------------------------------

BID_CONFLICT = OpenApiResponse(
    response=inline_serializer(
        "BidConflict",
        {
            "detail": serializers.CharField(),
            "status": serializers.CharField(help_text="The bid's status now."),
            "version": serializers.IntegerField(
                allow_null=True, help_text="The bid's version now."
            ),
        },
    ),
    description="A stale version or a step the bid's state does not allow; nothing changed.",
)
NOT_ON_TEAM = OpenApiResponse(
    description="Not signed in, not a working member, or not on the bid's team: only the team "
    "and coordinators see its money, and only they (as the service allows) change it."
)


def _write(response, code=200) -> dict:
    return {
        code: response,
        400: FIELD_ERRORS,
        403: NOT_ON_TEAM,
        404: NOT_FOUND,
        409: BID_CONFLICT,
    }


def _read(response) -> dict:
    return {200: response, 403: NOT_ON_TEAM, 404: NOT_FOUND}


class WorksForBids(BasePermission):
    """Working members and staff coordinators; everyone else gets 403 before any lookup."""

    message = "Only working members of the alliance and coordinators may use team bids."

    def has_permission(self, request, view):
        return bid_access.works_for_bids(request.user)


def _seats_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=BidMember.objects.filter(
            status__in=[BidMember.Status.INVITED, BidMember.Status.ACCEPTED]
        )
        .select_related("consultant")
        .order_by("invited_at", "pk"),
        to_attr="seats",
    )


def _load(bid_rows: list[Bid]) -> list[Bid]:
    """Everything a bid's view shows, for a page of bids in a fixed number of queries: the
    seats with their members, the current agreement version with its signatures, and the hours
    logged per member (one aggregate for the whole page)."""
    prefetch_related_objects(
        bid_rows,
        _seats_prefetch(),
        Prefetch(
            "agreement_versions",
            queryset=AgreementVersion.objects.filter(voided_at__isnull=True)
            .order_by("-number")
            .prefetch_related(
                Prefetch("signatures", queryset=AgreementSignature.objects.order_by("pk"))
            ),
            to_attr="current_versions",
        ),
        Prefetch(
            "settlements",
            queryset=Settlement.objects.exclude(state=Settlement.State.DISPUTED).order_by("-pk"),
            to_attr="live_statements",
        ),
    )
    totals: dict[int, dict[int, Decimal]] = {bid.pk: {} for bid in bid_rows}
    if bid_rows:
        rows = (
            HoursEntry.objects.filter(bid__in=bid_rows)
            .values_list("bid_id", "consultant_id")
            .annotate(total=Sum("hours"))
            .order_by()
        )
        for bid_id, consultant_id, total in rows:
            totals[bid_id][consultant_id] = total
    for bid in bid_rows:
        bid.hours_by_member = totals[bid.pk]
    return bid_rows


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


class BidApiView(viewsets.GenericViewSet):
    """Shared: the gate, the 409 answer, and calling one service with its errors as a 400."""

    permission_classes = [IsAuthenticated, WorksForBids]
    lookup_value_regex = r"[0-9]+"

    def handle_exception(self, exc):
        if isinstance(exc, bids.BidConflict):
            return self._conflict(str(exc), exc.status, exc.version)
        if isinstance(exc, WorkflowConflict):
            # The request refused the move (its own state or version): answer with the bid's
            # state, which is what the caller sent a version of.
            bid = Bid.objects.filter(pk=getattr(self, "bid_pk", None)).first()
            return self._conflict(
                str(exc), bid.status if bid else exc.status, bid.version if bid else None
            )
        return super().handle_exception(exc)

    def _conflict(self, detail: str, bid_status: str, version: int | None) -> Response:
        return Response(
            {"detail": detail, "status": bid_status, "version": version},
            status=status.HTTP_409_CONFLICT,
        )

    def _call(self, service, /, field_map: dict[str, str] | None = None, **kwargs):
        with model_errors_as_400(field_map):
            return service(actor=self.request.user, **kwargs)

    def _bid(self, pk, *, write: bool = False) -> Bid:
        bid = bid_access.get_bid_for_user(self.request.user, pk, write=write)
        self.bid_pk = bid.pk
        return bid

    def _bid_with_money(self, pk) -> Bid:
        """The bid, for the team and coordinators only: others may know it exists (403)."""
        bid = self._bid(pk)
        if not bid_access.sees_bid_money(self.request.user, bid):
            raise PermissionDenied("Only the bid's team and coordinators see its money.")
        return bid

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        """The bid as it is now, after a write, as the caller may see it."""
        bid = (
            bid_access.visible_bids(self.request.user)
            .select_related("request", "lead")
            .filter(pk=pk)
            .first()
        )
        if bid is None:
            raise Http404("No such bid.")
        _load([bid])
        return Response(render_bid(bid, self.request.user), status=code)


def _version_from(request) -> int:
    """A DELETE carries the version as a query parameter or in its body (required)."""
    raw = request.query_params.get("version")
    if raw is None and hasattr(request.data, "get"):
        raw = request.data.get("version")
    serializer = VersionInputSerializer(data={} if raw is None else {"version": raw})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["version"]


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
class BidViewSet(BidApiView):
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
        rows = _load(list(page))
        return self.get_paginated_response([render_bid(bid, request.user) for bid in rows])

    def retrieve(self, request, pk):
        bid = self._bid(pk)
        _load([bid])
        return Response(render_bid(bid, request.user))

    @extend_schema(
        summary="Start a bid on a request open for bidding",
        description=(
            "A member offers to lead (the lead is themselves); a staff coordinator may name "
            "any working member as `lead`. `invite` lists members to invite at once. Answers "
            "201 with the bid; agreement version 1 is written."
        ),
        request=BidCreateSerializer,
        responses=_write(BID_VIEW, status.HTTP_201_CREATED),
    )
    def create(self, request):
        serializer = BidCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        request_id = fields.pop("request")
        self._check_request_open(request_id)
        fields["invite"] = [dict(entry) for entry in fields["invite"]]
        bid = self._call(bids.bid_create, request_id=request_id, **fields)
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
                {"request": ["No request open for bids has this id."]}
            )

    @extend_schema(
        summary="Change the price, alliance share, split mode or due date",
        description=(
            "Send the bid's `version`. A change to the price, share or split mode writes a new "
            "agreement version and voids every signature; once every member has signed, the "
            "terms are frozen and a change answers 409."
        ),
        request=BidTermsSerializer,
        responses=_write(BID_VIEW),
    )
    def partial_update(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidTermsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(bids.bid_terms_change, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Invite a member to the team (the lead or a coordinator)",
        request=BidInviteSerializer,
        responses=_write(BID_VIEW, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["post"], url_path="invite", url_name="invite")
    def invite(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(bids.bid_invite, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk, status.HTTP_201_CREATED)

    def _respond(self, request, pk, *, accept: bool) -> Response:
        bid = self._bid(pk, write=True)
        serializer = BidRespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        reason = fields.pop("reason")
        self._call(
            bids.bid_member_respond,
            bid_id=bid.pk,
            accept=accept,
            reason="" if accept else reason,
            **fields,
        )
        return self._detail(bid.pk)

    @extend_schema(
        summary="Accept your invitation: you join the team (a new agreement version)",
        request=BidRespondSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="accept", url_name="accept")
    def accept(self, request, pk):
        return self._respond(request, pk, accept=True)

    @extend_schema(
        summary="Decline your invitation",
        request=BidRespondSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="decline", url_name="decline")
    def decline(self, request, pk):
        return self._respond(request, pk, accept=False)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a member's role or planned hours",
        request=BidMemberChangeSerializer,
        responses=_write(BID_VIEW),
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
        responses=_write(BID_VIEW),
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
            self._call(
                bids.bid_member_remove,
                bid_id=bid.pk,
                consultant_id=consultant_id,
                version=_version_from(request),
            )
            return self._detail(bid.pk)
        serializer = BidMemberChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(
            bids.bid_member_change,
            bid_id=bid.pk,
            consultant_id=consultant_id,
            **serializer.validated_data,
        )
        return self._detail(bid.pk)

    @extend_schema(
        summary="Send the agreement to the team for signature (draft → agreement out)",
        request=VersionInputSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="send", url_name="send")
    def send(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = VersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(bids.bid_send, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Sign a version of the agreement",
        description=(
            "Send the agreement's version `number` you read. A version that is no longer "
            "current answers 409; anyone not on the team 403. When the last member signs, the "
            "version is in force and the terms are frozen. Answers with the agreement."
        ),
        request=AgreementSignSerializer,
        responses=_write(AgreementSerializer),
    )
    @action(detail=True, methods=["post"], url_path="sign", url_name="sign")
    def sign(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = AgreementSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(
            bids.agreement_sign,
            bid_id=bid.pk,
            agreement_version=serializer.validated_data["version"],
        )
        return Response(_agreement_body(bid))

    def _note_step(self, request, pk, service) -> Response:
        bid = self._bid(pk, write=True)
        serializer = BidNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(service, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Withdraw the bid before it reaches the client",
        request=BidNoteSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk):
        return self._note_step(request, pk, bids.bid_withdraw)

    @extend_schema(
        summary="Send the signed bid to the client (the request moves to bid submitted)",
        request=BidNoteSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request, pk):
        return self._note_step(request, pk, bids.bid_submit)

    @extend_schema(
        summary="Record the client's answer: won or lost (intake coordinators)",
        request=BidOutcomeSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="outcome", url_name="outcome")
    def outcome(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        won = fields.pop("outcome") == "won"
        self._call(bids.bid_decide, bid_id=bid.pk, won=won, **fields)
        return self._detail(bid.pk)

    @extend_schema(
        summary="Start the work of a won bid: members log hours from now on",
        request=VersionInputSerializer,
        responses=_write(BID_VIEW),
    )
    @action(detail=True, methods=["post"], url_path="start", url_name="start")
    def start(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = VersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._call(bids.bid_start, bid_id=bid.pk, **serializer.validated_data)
        return self._detail(bid.pk)

    @extend_schema(
        summary="The agreement: the current version and every version before it",
        responses=_read(AgreementSerializer),
    )
    @action(detail=True, methods=["get"], url_path="agreement", url_name="agreement")
    def agreement(self, request, pk):
        bid = self._bid_with_money(pk)
        return Response(_agreement_body(bid))

    @extend_schema(
        methods=["GET"],
        summary="Every team member's hours on the bid",
        responses=_read(HoursSerializer),
    )
    @extend_schema(
        methods=["POST"],
        summary="Log your own hours on one date (while the work is in progress)",
        request=HoursLogSerializer,
        responses=_write(HoursEntrySerializer, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["get", "post"], url_path="hours", url_name="hours")
    def hours(self, request, pk):
        if request.method == "GET":
            bid = self._bid_with_money(pk)
            return Response(_hours_body(bid))
        bid = self._bid(pk, write=True)
        serializer = HoursLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = self._call(bids.hours_log, bid_id=bid.pk, **serializer.validated_data)
        entry = HoursEntry.objects.select_related("consultant").get(pk=entry.pk)
        return Response(HoursEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take back one of your own hours entries",
        request=None,
        responses={
            204: None,
            400: FIELD_ERRORS,
            403: NOT_ON_TEAM,
            404: NOT_FOUND,
            409: BID_CONFLICT,
        },
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"hours/(?P<entry_id>[0-9]+)",
        url_name="hours-entry",
    )
    def hours_entry(self, request, pk, entry_id):
        bid = self._bid(pk, write=True)
        if not HoursEntry.objects.filter(bid=bid, pk=entry_id).exists():
            raise Http404("No such hours entry on this bid.")
        self._call(bids.hours_delete, bid_id=bid.pk, entry_id=int(entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Propose the statement: the pool split by the hours logged",
        description=(
            "The lead or a coordinator. The statement is `proposed`: the hours are fixed and "
            "every member on the team approves it (`statement/approve/`) or disputes it "
            "(`statement/dispute/`); it is final, and the bid settled, when the last member "
            "approves. `collector` names the member who collected the client's payment, if "
            "one did: the statement then lists the transfers they owe. Answers 400 when no "
            "hours are logged, 409 when a statement is already out."
        ),
        request=BidSettleSerializer,
        responses=_write(StatementSerializer),
    )
    @action(detail=True, methods=["post"], url_path="settle", url_name="settle")
    def settle(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidSettleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = self._call(
            bid_statements.bid_settle, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(_settlement(statement.bid_id)).data)

    @extend_schema(
        summary="The statement: per member hours, payout and effective rate, and its approvals",
        description=(
            "The statement out for approval (`state` proposed) or the final one; 404 before "
            "the lead proposes one, or after a dispute until the next proposal."
        ),
        responses=_read(StatementSerializer),
    )
    @action(detail=True, methods=["get"], url_path="statement", url_name="statement")
    def statement(self, request, pk):
        bid = self._bid_with_money(pk)
        return Response(StatementSerializer(_settlement(bid.pk)).data)

    @extend_schema(
        summary="The settlement statement as a CSV file",
        description=(
            "One row per member (name, role, standard rate, planned and actual hours, their "
            "difference, planned payout, payout, effective rate), a total row whose payout is "
            "the pool, a blank line, then the transfers owed (from, to, amount)."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The statement as CSV."
            ),
            403: NOT_ON_TEAM,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], url_path="statement/csv", url_name="statement-csv")
    def statement_csv(self, request, pk):
        bid = self._bid_with_money(pk)
        settlement = _settlement(bid.pk)
        response = HttpResponse(statement_csv(settlement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bid-{bid.pk}-statement.csv"'
        return response

    @extend_schema(
        summary="Approve the statement out for approval (members on the team)",
        description=(
            "Send the bid's `version`. When the last member on the team approves, the "
            "statement is final, the bid settled and its request completed. Approving again "
            "answers the statement; with no statement out, 409; anyone not on the team, 403."
        ),
        request=VersionInputSerializer,
        responses=_write(StatementSerializer),
    )
    @action(
        detail=True, methods=["post"], url_path="statement/approve", url_name="statement-approve"
    )
    def statement_approve(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = VersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = self._call(
            bid_statements.statement_approve, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(_settlement_row(approval.settlement_id)).data)

    @extend_schema(
        summary="Approve the statement on behalf of a member who no longer works (coordinators)",
        description=(
            "Staff coordinators only. A team member who stopped working (on leave, alumni, "
            "former) can no longer open the bid to approve its statement; send the bid's "
            "`version`, the member's id as `consultant` and a `reason`. The approval names you "
            "and the reason, on the statement and in the bid's log, and the member is emailed. "
            "A member still working approves themself: 409. When it is the last approval, the "
            "statement is final, the bid settled and its request completed. Recording it again "
            "answers the statement."
        ),
        request=StatementOnBehalfSerializer,
        responses=_write(StatementSerializer),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="statement/approve-on-behalf",
        url_name="statement-approve-on-behalf",
    )
    def statement_approve_on_behalf(self, request, pk):
        bid = self._bid(pk, write=True)
        # Before the body is read: a team member sending nothing hears "you may not" (403).
        if not bid_access.approves_for_absent_member(request.user, bid):
            raise PermissionDenied(
                "Only a staff coordinator records an approval on a member's behalf."
            )
        serializer = StatementOnBehalfSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = self._call(
            bid_statements.statement_approve_on_behalf,
            bid_id=bid.pk,
            **serializer.validated_data,
        )
        return Response(StatementSerializer(_settlement_row(approval.settlement_id)).data)

    @extend_schema(
        summary="Dispute the statement out for approval, saying what is wrong",
        description=(
            "Send the bid's `version` and a `reason`. The statement is withdrawn (answered "
            "here with `state` disputed) and the work is in progress again, so the hours can "
            "be corrected; the lead then proposes a new statement."
        ),
        request=StatementDisputeSerializer,
        responses=_write(StatementSerializer),
    )
    @action(
        detail=True, methods=["post"], url_path="statement/dispute", url_name="statement-dispute"
    )
    def statement_dispute(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = StatementDisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = self._call(
            bid_statements.statement_dispute, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(_settlement_row(statement.pk)).data)


def _agreement_body(bid: Bid) -> dict:
    versions = list(
        bid.agreement_versions.order_by("-number").prefetch_related(
            Prefetch(
                "signatures",
                queryset=AgreementSignature.objects.select_related("consultant").order_by(
                    "signed_at", "pk"
                ),
            )
        )
    )
    current = next((version for version in versions if version.voided_at is None), None)
    return AgreementSerializer({"current": current, "history": versions}).data


def _hours_body(bid: Bid) -> dict:
    entries = list(bid.hours.select_related("consultant").order_by("date", "pk"))
    totals: dict[int, dict] = {}
    for seat in bids.team(bid):
        totals[seat.consultant_id] = {
            "consultant": seat.consultant_id,
            "name": seat.consultant.display_name,
            "hours": Decimal("0"),
        }
    for entry in entries:
        total = totals.setdefault(
            entry.consultant_id,
            {"consultant": entry.consultant_id, "name": entry.consultant.display_name,
             "hours": Decimal("0")},
        )  # fmt: skip
        total["hours"] += entry.hours
    return HoursSerializer(
        {
            "entries": entries,
            "totals": list(totals.values()),
            "total_hours": sum((entry.hours for entry in entries), Decimal("0")),
        }
    ).data


def _statements():
    return Settlement.objects.select_related("bid", "agreement").prefetch_related(
        Prefetch(
            "approvals",
            queryset=StatementApproval.objects.select_related(
                "consultant", "recorded_by__consultant"
            ),
        )
    )


def _settlement(bid_id: int) -> Settlement:
    """The bid's statement out for approval, or its final one."""
    settlement = (
        _statements()
        .filter(bid_id=bid_id)
        .exclude(state=Settlement.State.DISPUTED)
        .order_by("-pk")
        .first()
    )
    if settlement is None:
        raise Http404("No statement is proposed for this bid.")
    return settlement


def _settlement_row(settlement_id: int) -> Settlement:
    return _statements().get(pk=settlement_id)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a
# member's name or role is text, so it is written with a leading apostrophe instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def statement_csv(settlement: Settlement) -> str:
    """The statement as CSV: members, a total row whose payout is the pool, transfers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Member",
            "Role",
            "Standard rate",
            "Planned hours",
            "Actual hours",
            "Difference (hours)",
            "Planned payout",
            "Payout",
            "Effective rate",
        ]
    )
    for line in settlement.lines:
        writer.writerow(
            [
                _text_cell(line["name"]),
                _text_cell(line["role"]),
                line["standard_rate"],
                line["planned_hours"],
                line["actual_hours"],
                line["hours_difference"],
                line["planned_payout"],
                line["payout"],
                line["effective_rate"] or "",
            ]
        )
    totals = statement_totals(settlement)
    effective = totals["effective_rate"]
    writer.writerow(
        [
            "Total",
            "",
            "",
            f"{totals['planned_hours']:.2f}",
            f"{totals['actual_hours']:.2f}",
            f"{totals['actual_hours'] - totals['planned_hours']:.2f}",
            f"{totals['planned_payout']:.2f}",
            f"{totals['payout']:.2f}",
            f"{effective:.2f}" if effective is not None else "",
        ]
    )
    writer.writerow([])
    writer.writerow(["From", "To", "Amount"])
    for transfer in settlement.transfers:
        writer.writerow(
            [
                _text_cell(transfer["from_name"]),
                _text_cell(transfer["to_name"]),
                transfer["amount"],
            ]
        )
    return out.getvalue()


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
        consultant = network_access.consultant_of(user)
        volunteered = (
            Exists(BidInterest.objects.filter(request=OuterRef("pk"), consultant=consultant))
            if consultant is not None
            else Value(False)
        )
        open_bids = (
            Bid.objects.exclude(status__in=Bid.CLOSED)
            .select_related("lead")
            .prefetch_related(
                Prefetch(
                    "members",
                    queryset=BidMember.objects.filter(status=BidMember.Status.ACCEPTED)
                    .select_related("consultant")
                    .order_by("invited_at", "pk"),
                    to_attr="seats",
                )
            )
        )
        # Only the fields the board shows: the client's organisation and contact stay behind.
        return (
            Request.objects.filter(status=Request.Status.BIDDING)
            .only(
                "id",
                "reference",
                "title",
                "description",
                "skills",
                "budget_max",
                "currency",
                "estimated_hours",
                "desired_start",
                "urgency",
                "submitted_at",
            )  # fmt: skip
            .annotate(volunteered=volunteered)
            .prefetch_related(Prefetch("bids", queryset=open_bids, to_attr="open_bids"))
            .order_by("-submitted_at", "-pk")
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BoardRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Volunteer to join a team for a request on the board",
        request=VolunteerSerializer,
        responses=_write(VolunteeredSerializer, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["post"], url_path="volunteer", url_name="volunteer")
    def volunteer(self, request, pk):
        if not Request.objects.filter(pk=pk, status=Request.Status.BIDDING).exists():
            raise Http404("No request open for bids has this id.")
        serializer = VolunteerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interest = self._call(bids.bid_volunteer, request_id=int(pk), **serializer.validated_data)
        return Response(VolunteeredSerializer(interest).data, status=status.HTTP_201_CREATED)
