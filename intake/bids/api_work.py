"""The bid API's endpoints for the work of a won bid: the team's hours, and the statement that
settles the bid (proposed, approved, approved on an absent member's behalf, disputed, and as a
CSV file). ``BidWorkActions`` adds them to ``intake.bids.api.BidViewSet``, under
``/api/v1/bids/<id>/``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from intake.bids import access as bid_access
from intake.bids import documents, settlement, work
from intake.bids.api_common import (
    BID_CONFLICT,
    NOT_ON_TEAM,
    BidApiView,
    read_responses,
    write_responses,
)
from intake.bids.document_serializers import (
    HoursEntrySerializer,
    HoursSerializer,
    StatementSerializer,
)
from intake.bids.models import HoursEntry, Settlement
from intake.bids.serializers import (
    BidSettleSerializer,
    HoursLogSerializer,
    StatementDisputeSerializer,
    StatementOnBehalfSerializer,
    VersionInputSerializer,
)
from network.api import FIELD_ERRORS, NOT_FOUND


def _statement(bid_id: int) -> Settlement:
    """The bid's statement out for approval, or its final one; 404 without one."""
    statement = documents.statement_of(bid_id)
    if statement is None:
        raise Http404(_("No statement is proposed for this bid."))
    return statement


class BidWorkActions(BidApiView):
    """The hours and the statement of a bid (mixed into ``BidViewSet``)."""

    @extend_schema(
        methods=["GET"],
        summary="Every team member's hours on the bid",
        responses=read_responses(HoursSerializer),
    )
    @extend_schema(
        methods=["POST"],
        summary="Log your own hours on one date (while the work is in progress)",
        request=HoursLogSerializer,
        responses=write_responses(HoursEntrySerializer, status.HTTP_201_CREATED),
    )
    @action(detail=True, methods=["get", "post"], url_path="hours", url_name="hours")
    def hours(self, request, pk):
        if request.method == "GET":
            bid = self._bid_with_money(pk)
            return Response(HoursSerializer(documents.hours_summary(bid)).data)
        bid = self._bid(pk, write=True)
        serializer = HoursLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = work.hours_log(actor=self.request.user, bid_id=bid.pk, **serializer.validated_data)
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
            raise Http404(_("No such hours entry on this bid."))
        work.hours_delete(actor=self.request.user, bid_id=bid.pk, entry_id=int(entry_id))
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
        responses=write_responses(StatementSerializer),
    )
    @action(detail=True, methods=["post"], url_path="settle", url_name="settle")
    def settle(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = BidSettleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = settlement.bid_settle(
            actor=self.request.user, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(_statement(statement.bid_id)).data)

    @extend_schema(
        summary="The statement: per member hours, payout and effective rate, and its approvals",
        description=(
            "The statement out for approval (`state` proposed) or the final one; 404 before "
            "the lead proposes one, or after a dispute until the next proposal."
        ),
        responses=read_responses(StatementSerializer),
    )
    @action(detail=True, methods=["get"], url_path="statement", url_name="statement")
    def statement(self, request, pk):
        bid = self._bid_with_money(pk)
        return Response(StatementSerializer(_statement(bid.pk)).data)

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
        statement = _statement(bid.pk)
        response = HttpResponse(
            documents.statement_csv(statement), content_type="text/csv; charset=utf-8"
        )
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
        responses=write_responses(StatementSerializer),
    )
    @action(
        detail=True, methods=["post"], url_path="statement/approve", url_name="statement-approve"
    )
    def statement_approve(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = VersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = settlement.statement_approve(
            actor=self.request.user, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(documents.statement_row(approval.settlement_id)).data)

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
        responses=write_responses(StatementSerializer),
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
                _("Only a staff coordinator records an approval on a member's behalf.")
            )
        serializer = StatementOnBehalfSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = settlement.statement_approve_on_behalf(
            actor=self.request.user,
            bid_id=bid.pk,
            **serializer.validated_data,
        )
        return Response(StatementSerializer(documents.statement_row(approval.settlement_id)).data)

    @extend_schema(
        summary="Dispute the statement out for approval, saying what is wrong",
        description=(
            "Send the bid's `version` and a `reason`. The statement is withdrawn (answered "
            "here with `state` disputed) and the work is in progress again, so the hours can "
            "be corrected; the lead then proposes a new statement."
        ),
        request=StatementDisputeSerializer,
        responses=write_responses(StatementSerializer),
    )
    @action(
        detail=True, methods=["post"], url_path="statement/dispute", url_name="statement-dispute"
    )
    def statement_dispute(self, request, pk):
        bid = self._bid(pk, write=True)
        serializer = StatementDisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = settlement.statement_dispute(
            actor=self.request.user, bid_id=bid.pk, **serializer.validated_data
        )
        return Response(StatementSerializer(documents.statement_row(statement.pk)).data)
