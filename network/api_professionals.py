"""The API's outside professionals (``/api/v1/external-professionals/``): whom clients are
referred to when no member fits."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from network import access, services
from network.api import (
    DELETED,
    IN_USE,
    Conflict,
    MemberViewSet,
    list_responses,
    read_responses,
    write_schemas,
)
from network.models import ExternalProfessional
from network.serializers import ExternalProfessionalInputSerializer, ExternalProfessionalSerializer


class ExternalProfessionalFilter(django_filters.FilterSet):
    skill = django_filters.CharFilter(
        field_name="skills__slug", help_text="Professionals with this skill (a slug)."
    )
    active = django_filters.BooleanFilter(help_text="Still recommended to clients.")

    class Meta:
        model = ExternalProfessional
        fields = ["skill", "active"]


@extend_schema_view(
    list=extend_schema(
        summary="Outside professionals",
        responses=list_responses(ExternalProfessionalSerializer, filtered=True),
    ),
    retrieve=extend_schema(
        summary="One outside professional", responses=read_responses(ExternalProfessionalSerializer)
    ),
    **write_schemas(
        ExternalProfessionalSerializer,
        ExternalProfessionalInputSerializer,
        create="Add an outside professional (intake coordinators)",
        replace="Replace an outside professional (intake coordinators)",
        change="Change an outside professional (intake coordinators)",
    ),
    destroy=extend_schema(
        summary="Remove an outside professional (intake coordinators)",
        responses={**DELETED, 409: IN_USE},
    ),
)
@extend_schema(tags=["external-professionals"])
class ExternalProfessionalViewSet(MemberViewSet):
    """Professionals outside the alliance whom clients are referred to when no member fits."""

    serializer_class = ExternalProfessionalSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = ExternalProfessionalFilter
    search_fields = ["name", "organization", "notes"]

    def get_queryset(self):
        return ExternalProfessional.objects.prefetch_related("skills").order_by("name", "pk")

    def _render(self, professional: ExternalProfessional) -> dict:
        return ExternalProfessionalSerializer(self.get_queryset().get(pk=professional.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ExternalProfessionalSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        professional = access.get_external_professional_for_user(request.user, pk)
        return Response(self._render(professional))

    def create(self, request):
        if not access.can_edit_external_professionals(request.user):
            raise PermissionDenied(_("Only intake coordinators may change outside professionals."))
        serializer = ExternalProfessionalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        professional = services.external_professional_create(**serializer.validated_data)
        return Response(self._render(professional), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        professional = access.get_external_professional_for_user(request.user, pk, write=True)
        serializer = ExternalProfessionalInputSerializer(
            professional, data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        services.external_professional_update(
            professional=professional, **serializer.validated_data
        )
        return Response(self._render(professional))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        professional = access.get_external_professional_for_user(request.user, pk, write=True)
        try:
            services.external_professional_delete(professional=professional)
        except ProtectedError as error:
            raise Conflict(
                _("%(name)s has referrals on record; mark them inactive instead.")
                % {"name": professional.name}
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)
