"""Naming who covers a member's clients while the member is away (``intake.cover``): the
member's page ``/my/engagements/cover/`` and the API under ``/api/v1/engagements/``.

Only working members act for their own engagements; intake coordinators for any. A bad choice
answers 400 with the field's message, a cover changed since it was read 409.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access, cover
from intake.models import Engagement
from network import access as network_access
from network.api import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from network.models import Consultant


def may_name_covers(user) -> bool:
    """Working members (for their own engagements) and intake coordinators."""
    return access.is_intake_coordinator(user) or (
        network_access.working_consultant_of(user) is not None
    )


# --- The member's page ------------------------------------------------------------------------


class CoverForm(forms.Form):
    covering = forms.ModelChoiceField(
        label=gettext_lazy("Who covers"),
        queryset=Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES),
        empty_label=gettext_lazy("Choose a member"),
        error_messages={"invalid_choice": gettext_lazy("Choose a working member of the list.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, engagement: Engagement, **kwargs):
        kwargs.setdefault("auto_id", f"cover{engagement.pk}_%s")
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        self.fields["covering"].queryset = self.fields["covering"].queryset.exclude(
            pk=engagement.consultant_id
        )


def working_member_page(view):
    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if network_access.working_consultant_of(request.user) is None:
            raise PermissionDenied(_("This page is for active members and members on probation."))
        return view(request, *args, **kwargs)

    return wrapper


def _rows(request, failed: CoverForm | None = None):
    consultant = network_access.working_consultant_of(request.user)
    rows = []
    for item in cover.covers_for(consultant):
        if failed is not None and failed.engagement.pk == item.engagement.pk:
            form = failed
        else:
            initial = item.covering or (item.proposal.consultant if item.proposal else None)
            form = CoverForm(
                engagement=item.engagement,
                initial={"covering": initial.pk if initial else None, "version": item.version},
            )
        rows.append({"cover": item, "form": form})
    return rows


def _page(request, *, failed=None, status=200):
    rows = _rows(request, failed)
    time_away = rows[0]["cover"].time_away if rows else None
    if time_away is None:
        time_away = cover.time_away_for(network_access.working_consultant_of(request.user).pk)
    context = {"rows": rows, "time_away": time_away}
    return render(request, "intake/my_covers.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@working_member_page
def my_covers(request):
    if request.method != "POST":
        return _page(request)
    consultant = network_access.working_consultant_of(request.user)
    try:
        engagement_id = int(request.POST.get("engagement", ""))
    except ValueError:
        engagement_id = None
    engagement = (
        cover.open_engagements().filter(pk=engagement_id, consultant=consultant).first()
        if engagement_id
        else None
    )
    if engagement is None:
        messages.error(request, _("Choose one of your current engagements."))
        return _page(request, status=400)
    form = CoverForm(request.POST, engagement=engagement)
    if form.is_valid():
        try:
            cover.cover_set(
                engagement_id=engagement.pk,
                covering_id=form.cleaned_data["covering"].pk,
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except cover.CoverConflict as conflict:
            messages.error(request, str(conflict))
            return _page(request, status=409)
        except ValidationError as error:
            for message in error.message_dict.get("covering", error.messages):
                form.add_error("covering", message)
        else:
            messages.success(
                request,
                _("%(name)s covers %(reference)s while you are away; they are told by email.")
                % {
                    "name": form.cleaned_data["covering"].display_name,
                    "reference": engagement.request.reference,
                },
            )
            return redirect("my-covers")
    return _page(request, failed=form, status=400)


# --- The API ----------------------------------------------------------------------------------


class NamesCovers(BasePermission):
    message = gettext_lazy(
        "Only active members, members on probation and intake coordinators name covers."
    )

    def has_permission(self, request, view):
        return may_name_covers(request.user)


class ConsultantBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CoverSerializer(serializers.Serializer):
    engagement = serializers.IntegerField(source="engagement.pk")
    request = serializers.IntegerField(source="engagement.request_id")
    reference = serializers.CharField(source="engagement.request.reference")
    consultant = ConsultantBriefSerializer(source="engagement.consultant")
    away_from = serializers.DateField(source="time_away.start")
    away_until = serializers.DateField(source="time_away.end")
    away_now = serializers.BooleanField(source="is_current")
    covering = ConsultantBriefSerializer(allow_null=True)
    source = serializers.CharField(help_text='"chosen", "default" (the time away\'s) or ""')
    version = serializers.IntegerField()
    proposal = serializers.SerializerMethodField()

    def get_proposal(self, item) -> dict | None:
        if item.proposal is None:
            return None
        return {
            "id": item.proposal.consultant.pk,
            "display_name": item.proposal.consultant.display_name,
            "why": item.proposal.why,
        }


class CoverSetSerializer(serializers.Serializer):
    covering = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(min_value=0)


def _cover_for(engagement: Engagement):
    time_away = cover.time_away_for(engagement.consultant_id)
    if time_away is None:
        return None
    return cover.cover_of(engagement, time_away, with_proposal=True)


@extend_schema(tags=["engagements"])
class CoverListView(APIView):
    permission_classes = [IsAuthenticated, NamesCovers]

    @extend_schema(
        summary="Covers of the engagements you may name a cover for",
        description=(
            "A working member's own open engagements while they are away or have time away "
            "planned; for intake coordinators, every such engagement."
        ),
        responses={200: CoverSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        found = []
        for engagement in cover.coverable_engagements(request.user).order_by("pk"):
            item = _cover_for(engagement)
            if item is not None:
                found.append(item)
        return Response(CoverSerializer(found, many=True).data)


@extend_schema(tags=["engagements"])
class CoverView(APIView):
    permission_classes = [IsAuthenticated, NamesCovers]

    def _engagement(self, request, pk) -> Engagement:
        engagement = cover.coverable_engagements(request.user).filter(pk=pk).first()
        if engagement is None:
            # Another member's engagement looks like none at all.
            raise Http404(_("No such engagement."))
        return engagement

    @extend_schema(
        summary="An engagement's cover",
        responses={200: CoverSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        engagement = self._engagement(request, pk)
        item = _cover_for(engagement)
        if item is None:
            raise Http404(_("The engagement's consultant has no time away planned."))
        return Response(CoverSerializer(item).data)

    @extend_schema(
        summary="Name who covers an engagement",
        description=(
            "Send `covering` (a member's id) and the cover's `version` you saw (0 before any "
            "choice). The covering member must be active or on probation, not away at the same "
            "time and not the consultant; otherwise 400. A stale version, or an engagement that "
            "needs no cover, answers 409. The covering member is told by email."
        ),
        request=CoverSetSerializer,
        responses={200: CoverSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk):
        engagement = self._engagement(request, pk)
        serializer = CoverSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cover.cover_set(
            engagement_id=engagement.pk,
            covering_id=serializer.validated_data["covering"],
            actor=request.user,
            version=serializer.validated_data["version"],
        )
        engagement.refresh_from_db()
        return Response(CoverSerializer(_cover_for(engagement)).data)
