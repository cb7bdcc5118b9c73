"""Free service days in the API (``/api/v1/pledges/``): the days of free service a member pledges
for a calendar year. Working members read and set their own; staff coordinators read every
member's. The days given and left are intake's (``/api/v1/free-service-days/``). Service in
``network.services``; rules in ``network.access``.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from network import access, services
from network.api import list_responses, write_responses
from network.models import PLEDGE_MAX_DAYS, FreeServicePledge

YEAR_PARAMETER = OpenApiParameter(
    "year", int, description="Only the pledges for this calendar year (2000 to 2100)."
)


class PledgeSerializer(serializers.ModelSerializer):
    consultant_name = serializers.CharField(source="consultant.display_name", read_only=True)
    days = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = FreeServicePledge
        fields = ["id", "consultant", "consultant_name", "year", "days", "updated_at"]


class PledgeInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="The calendar year; this year when left out.",
    )
    days = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=PLEDGE_MAX_DAYS,
        help_text="Days of free service: whole or half days, 0 to 365.",
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs


def year_filter(request) -> int | None:
    """``?year=`` as a year, None when absent; a 400 with the field's message otherwise."""
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return None
    field = serializers.IntegerField(min_value=2000, max_value=2100)
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"year": error.detail}) from None


@extend_schema(tags=["pledges"])
class PledgeListView(GenericAPIView):
    """Pledges of free service days: read yours (every pledge, for staff coordinators), set
    yours for a year."""

    permission_classes = [IsAuthenticated]
    serializer_class = PledgeSerializer

    def get_queryset(self):
        pledges = FreeServicePledge.objects.select_related("consultant").order_by(
            "-year", "consultant__display_name", "pk"
        )
        if getattr(self, "swagger_fake_view", False):  # the schema's generator, no user
            return pledges.none()
        user = self.request.user
        if access.can_read_all_pledges(user):
            return pledges
        return pledges.filter(consultant=access.pledge_member(user))

    @extend_schema(
        summary="Pledges of free service days (yours; every member's for staff coordinators)",
        parameters=[YEAR_PARAMETER],
        responses=list_responses(PledgeSerializer(many=True), filtered=True),
    )
    def get(self, request):
        pledges = self.get_queryset()
        year = year_filter(request)
        if year is not None:
            pledges = pledges.filter(year=year)
        page = self.paginate_queryset(pledges)
        return self.get_paginated_response(PledgeSerializer(page, many=True).data)

    @extend_schema(
        summary="Pledge your free service days for a year (working members; replaces it)",
        request=PledgeInputSerializer,
        responses={**write_responses(PledgeSerializer), 201: PledgeSerializer},
    )
    def post(self, request):
        member = access.pledge_member(request.user)
        data = PledgeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pledge, created = services.pledge_set(
            consultant=member,
            year=data.validated_data.get("year") or timezone.localdate().year,
            days=data.validated_data["days"],
        )
        return Response(
            PledgeSerializer(pledge).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
