"""The API's consultant groups (``/api/v1/groups/``); a group's coordinator receives the
requests routed to it."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from network import access, services
from network.api import (
    DELETED,
    MemberViewSet,
    list_responses,
    read_responses,
    request_user,
    write_schemas,
)
from network.models import ConsultantGroup
from network.serializers import GroupInputSerializer, GroupSerializer


class GroupFilter(django_filters.FilterSet):
    skill = django_filters.CharFilter(
        field_name="focus_skills__slug", help_text="Groups with this focus skill (a slug)."
    )

    class Meta:
        model = ConsultantGroup
        fields = ["skill"]


@extend_schema_view(
    list=extend_schema(
        summary="Consultant groups", responses=list_responses(GroupSerializer, filtered=True)
    ),
    retrieve=extend_schema(summary="One group", responses=read_responses(GroupSerializer)),
    **write_schemas(
        GroupSerializer,
        GroupInputSerializer,
        create="Form a group (staff coordinators)",
        replace="Replace a group (staff coordinators or its coordinator)",
        change="Change a group (staff coordinators or its coordinator)",
    ),
    destroy=extend_schema(summary="Dissolve a group (staff coordinators)", responses=DELETED),
)
@extend_schema(tags=["groups"])
class GroupViewSet(MemberViewSet):
    """Groups of consultants; a group's coordinator receives the requests routed to it."""

    # A group's name is unique without regard to case: Django reports it without a field.
    service_field_map = {"__all__": "name"}

    serializer_class = GroupSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = GroupFilter
    search_fields = ["name", "description"]

    def get_queryset(self):
        members = access.visible_consultants(request_user(self)).only("id", "display_name")
        return ConsultantGroup.objects.select_related("coordinator").prefetch_related(
            "focus_skills", Prefetch("members", queryset=members)
        )

    def _render(self, group: ConsultantGroup) -> dict:
        return GroupSerializer(self.get_queryset().get(pk=group.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(self._render(access.get_group_for_user(request.user, pk)))

    def create(self, request):
        if not access.can_add_or_remove_group(request.user):
            raise PermissionDenied(_("Only staff coordinators may form groups."))
        serializer = GroupInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        group = services.group_create(**serializer.validated_data)
        return Response(self._render(group), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        group = access.get_group_for_user(request.user, pk, write=True)
        serializer = GroupInputSerializer(
            group, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.group_update(group=group, **serializer.validated_data)
        return Response(self._render(group))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        group = access.get_group_for_user(request.user, pk)
        if not access.can_add_or_remove_group(request.user):
            raise PermissionDenied(_("Only staff coordinators may dissolve groups."))
        services.group_delete(group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)
