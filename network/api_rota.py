"""The out-of-hours rota in the API (``/api/v1/rota/``): the coming weeks, opting in and out,
and offering and answering swaps. Services in ``network.services``; rules in ``network.access``.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from network import access, rota, services
from network.api import FORBIDDEN, path_row_id, write_responses
from network.models import RotaSwap, RotaWeek

CONFLICT = OpenApiResponse(
    description="A week has started, or a swap was already answered or its weeks changed hands."
)

# The most weeks one answer lists.
WEEKS_LISTED = 60


class CanReadRota(BasePermission):
    message = _("The rota is open to working members of the alliance only.")

    def has_permission(self, request, view):
        return access.can_read_rota(request.user)


class RotaWeekSerializer(serializers.ModelSerializer):
    end = serializers.DateField(read_only=True)
    consultant_name = serializers.CharField(source="consultant.display_name", read_only=True)

    class Meta:
        model = RotaWeek
        fields = ["id", "start", "end", "consultant", "consultant_name", "hard"]


class RotaSwapSerializer(serializers.ModelSerializer):
    # proposed, accepted, declined or withdrawn
    status = serializers.CharField(read_only=True)

    class Meta:
        model = RotaSwap
        fields = ["id", "week", "other_week", "proposer", "partner", "status", "answered_at"]


class OptInSerializer(serializers.Serializer):
    on_call = serializers.BooleanField()


class ProposeSerializer(serializers.Serializer):
    week = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    other_week = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class AnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class OptInAnswerSerializer(serializers.Serializer):
    on_call = serializers.BooleanField()


@extend_schema(tags=["rota"])
class RotaWeekListView(APIView):
    permission_classes = [IsAuthenticated, CanReadRota]

    @extend_schema(
        summary="The week under way and the coming on-call weeks",
        responses={200: RotaWeekSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        today = timezone.localdate()
        weeks = RotaWeek.objects.filter(start__gte=rota.monday_of(today)).select_related(
            "consultant"
        )[:WEEKS_LISTED]
        return Response(RotaWeekSerializer(weeks, many=True).data)


@extend_schema(tags=["rota"])
class RotaOptInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Join or leave the out-of-hours rota (working members)",
        request=OptInSerializer,
        responses=write_responses(OptInAnswerSerializer),
    )
    def post(self, request):
        member = access.rota_member(request.user)
        data = OptInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rota_opt_in(consultant=member, on_call=data.validated_data["on_call"])
        return Response({"on_call": member.on_call_opt_in})


@extend_schema(tags=["rota"])
class RotaSwapProposeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Offer your week for another member's week",
        request=ProposeSerializer,
        responses={**write_responses(RotaSwapSerializer, 201), 409: CONFLICT},
    )
    def post(self, request):
        member = access.rota_member(request.user)
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        swap = services.rota_swap_propose(
            actor=member,
            week_id=data.validated_data["week"],
            other_week_id=data.validated_data["other_week"],
        )
        return Response(RotaSwapSerializer(swap).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["rota"])
class RotaSwapAnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Accept or decline a swap offered to you (or withdraw your own)",
        request=AnswerSerializer,
        responses={**write_responses(RotaSwapSerializer), 409: CONFLICT},
    )
    def post(self, request, pk):
        member = access.rota_member(request.user)
        swap_id = path_row_id(pk, "swap")
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        swap = services.rota_swap_answer(
            actor=member, swap_id=swap_id, accept=data.validated_data["accept"]
        )
        return Response(RotaSwapSerializer(swap).data)
