"""The API's skills taxonomy (``/api/v1/skills/``): canonical skills with their aliases, and
how many working members list each."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, ProtectedError, Q
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
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
from network.models import Consultant, Skill, SkillAlias
from network.serializers import SkillInputSerializer, SkillSerializer
from network.text import fold


class SkillFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Part of the name, or an alias written any way (Postgres, node-js).",
    )

    class Meta:
        model = Skill
        fields = ["category"]

    def filter_search(self, queryset, name, value):
        folded = fold(value)
        by_alias = SkillAlias.objects.filter(skill=OuterRef("pk"), folded__contains=folded)
        if not folded:
            return queryset.filter(name__icontains=value.strip())
        return queryset.filter(Q(name__icontains=value.strip()) | Q(Exists(by_alias)))


@extend_schema_view(
    list=extend_schema(
        summary="The skills taxonomy", responses=list_responses(SkillSerializer, filtered=True)
    ),
    retrieve=extend_schema(summary="One skill", responses=read_responses(SkillSerializer)),
    **write_schemas(
        SkillSerializer,
        SkillInputSerializer,
        create="Add a skill (staff coordinators)",
        replace="Replace a skill (staff coordinators)",
        change="Change a skill (staff coordinators)",
    ),
    destroy=extend_schema(
        summary="Remove a skill no member lists (staff coordinators)",
        responses={**DELETED, 409: IN_USE},
    ),
)
@extend_schema(tags=["skills"])
class SkillViewSet(MemberViewSet):
    """The canonical skills with their aliases."""

    serializer_class = SkillSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SkillFilter
    # Skill names decide both the name and the slug, and the name's uniqueness is a constraint
    # on the lower-cased name, which Django reports without a field.
    service_field_map = {"__all__": "name", "slug": "name", "alias": "aliases", "folded": "aliases"}

    def get_queryset(self):
        working_members = Q(consultant_skills__consultant__status__in=Consultant.WORKING_STATUSES)
        # A grouped query drops the model's default ordering, which pages need: name it.
        return (
            Skill.objects.annotate(
                consultant_count=Count("consultant_skills", filter=working_members)
            )
            .prefetch_related("aliases")
            .order_by("name", "pk")
        )

    def _render(self, skill: Skill) -> dict:
        return SkillSerializer(self.get_queryset().get(pk=skill.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SkillSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(self._render(access.get_skill_for_user(request.user, pk)))

    def create(self, request):
        if not access.can_edit_taxonomy(request.user):
            raise PermissionDenied(_("Only coordinators may change the skills taxonomy."))
        serializer = SkillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        skill = services.skill_create(**serializer.validated_data)
        return Response(self._render(skill), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        skill = access.get_skill_for_user(request.user, pk, write=True)
        serializer = SkillInputSerializer(skill, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.skill_update(skill=skill, **serializer.validated_data)
        return Response(self._render(skill))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        skill = access.get_skill_for_user(request.user, pk, write=True)
        try:
            services.skill_delete(skill=skill)
        except ProtectedError as error:
            raise Conflict(
                _(
                    "%(count)s member profile(s) list %(name)s; remove it from them (or merge it "
                    "into another skill) first."
                )
                % {"count": len(error.protected_objects), "name": skill.name}
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)
