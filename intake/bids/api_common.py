"""What every view of the bid API shares: the gate, the answers its schema documents, and the
base view that loads a bid through ``bid_access``, calls one service and answers its refusals.

Bids are loaded through ``bid_access.get_bid_for_user`` (404 when the user may not see one, 403
on a write when they are neither on its team nor manage it); the services decide every finer
right (403), refuse a stale version or a step the bid's state does not allow (409) and bad values
(400), and in each case change nothing. The 409 always carries the bid's ``status`` and
``version`` (null when there is no bid yet), whichever of the bid or its request refused.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from intake.bids import access as bid_access
from intake.bids import selectors
from intake.bids.models import Bid
from intake.bids.serializers import VersionInputSerializer, render_bid
from network.api import FIELD_ERRORS, NOT_FOUND

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


def write_responses(response, code=200) -> dict:
    return {
        code: response,
        400: FIELD_ERRORS,
        403: NOT_ON_TEAM,
        404: NOT_FOUND,
        409: BID_CONFLICT,
    }


def read_responses(response) -> dict:
    return {200: response, 403: NOT_ON_TEAM, 404: NOT_FOUND}


class WorksForBids(BasePermission):
    """Working members and staff coordinators; everyone else gets 403 before any lookup."""

    message = gettext_lazy(
        "Only working members of the alliance and coordinators may use team bids."
    )

    def has_permission(self, request, view):
        return bid_access.works_for_bids(request.user)


class BidApiView(viewsets.GenericViewSet):
    """Shared: the gate and loading a bid; refusals are answered by the API's exception handler
    (``network.api_errors``: 400, 403, 409 with the bid's status and version)."""

    permission_classes = [IsAuthenticated, WorksForBids]
    lookup_value_regex = r"[0-9]+"

    def _bid(self, pk, *, write: bool = False) -> Bid:
        bid = bid_access.get_bid_for_user(self.request.user, pk, write=write)
        self.bid_pk = bid.pk
        return bid

    def _bid_with_money(self, pk) -> Bid:
        """The bid, for the team and coordinators only: others may know it exists (403)."""
        bid = self._bid(pk)
        if not bid_access.sees_bid_money(self.request.user, bid):
            raise PermissionDenied(_("Only the bid's team and coordinators see its money."))
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
            raise Http404(_("No such bid."))
        selectors.load_bids([bid])
        return Response(render_bid(bid, self.request.user), status=code)


def version_from(request) -> int:
    """A DELETE carries the version as a query parameter or in its body (required)."""
    raw = request.query_params.get("version")
    if raw is None and hasattr(request.data, "get"):
        raw = request.data.get("version")
    serializer = VersionInputSerializer(data={} if raw is None else {"version": raw})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["version"]
