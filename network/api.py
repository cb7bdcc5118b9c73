"""Shared pieces of the JSON API under /api/v1/: errors as answers, permissions, ordering, the
schema's documented answers and the base view set. Every app's API builds on them; the network's
own views are in ``api_consultants``, ``api_skills``, ``api_groups``, ``api_professionals`` and
``api_tokens`` (routes in ``network.api_urls``).

Each view parses its input, calls one service and renders. Objects are loaded through the
``access`` gatekeepers (404 when the user may not see the object, 403 when they may see but not
change it); every rule about who may do what lives there, not in the views.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated

from network import access
from network.serializers import MAX_ROW_ID


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object is in use and cannot be removed.")
    default_code = "conflict"


class IsMember(BasePermission):
    """Signed-in users who are not (or no longer) members get 403 before any lookup."""

    message = _("Only members of the alliance may use this part of the API.")

    def has_permission(self, request, view):
        return access.is_member(request.user)


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends on the primary key, so pages never repeat or skip a row."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


def request_user(view):
    """The view's user; anonymous while the schema is generated (views built without one)."""
    return getattr(view.request, "user", None) or AnonymousUser()


FIELD_ERRORS = OpenApiResponse(
    description="Invalid input: an object mapping each field to its messages. Nothing is written."
)
FORBIDDEN = OpenApiResponse(description="Not a member, or not allowed to make this change.")
NOT_FOUND = OpenApiResponse(description="No such object, or not one you may see.")
# DRF's own error body, {"detail": "..."}, as the schema hooks below document it.
DETAIL_CONTENT = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}
UNAUTHENTICATED = {
    "description": (
        "No credentials, or a token that is not valid (unknown, ended by a password change, or "
        "expired: the message says so): sign in, or send `Authorization: Token <key>` (from "
        "`POST /api/v1/auth/token/`)."
    ),
    "content": DETAIL_CONTENT,
}


UNSUPPORTED_MEDIA_TYPE = {
    "description": (
        "The body is not in a format the API reads: send `Content-Type: application/json` "
        "(forms and multipart are read too)."
    ),
    "content": DETAIL_CONTENT,
}


def schema_framework_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the answers DRF gives before a view runs, on every
    operation they can come from:

    - 401 where the operation takes credentials and they are missing or wrong (the token
      authentication comes first, so the answer carries its ``WWW-Authenticate: Token``
      challenge);
    - 415 where it takes a body and the body comes without a content type, or in one no parser
      reads (found by the API fuzzer, ``make fuzz``).
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if any(requirement for requirement in operation.get("security", [])):
                operation["responses"].setdefault("401", UNAUTHENTICATED)
            if "requestBody" in operation:
                operation["responses"].setdefault("415", UNSUPPORTED_MEDIA_TYPE)
    return result


def path_row_id(value, what: str = "object") -> int:
    """An id from the URL path (routes match any run of digits), as an int; 404 when no row can
    have it. A filter on a foreign key's column passes the number to the database as it is, and
    SQLite's driver raises OverflowError (a 500) beyond 8 bytes (found by the API fuzzer)."""
    number = int(value)
    if not 1 <= number <= MAX_ROW_ID:
        raise Http404(f"No such {what}.")
    return number


PAGE_NOT_FOUND = OpenApiResponse(
    description="No such page of results: past the last page, or not a page number."
)
FILTER_ERRORS = OpenApiResponse(
    description="A filter's value is not valid: an object mapping each filter to its messages."
)
IN_USE = OpenApiResponse(
    response=inline_serializer("ConflictDetail", {"detail": serializers.CharField()}),
    description="Still in use elsewhere; nothing was removed.",
)


def read_responses(response):
    return {200: response, 403: FORBIDDEN, 404: NOT_FOUND}


def list_responses(response, *, forbidden: bool = True, filtered: bool = False) -> dict:
    """A paginated list's answers: a page, 400 for a bad filter or search value (a choice not
    offered, a null character), 403 unless anyone may list, and 404 past the last page."""
    answers = {200: response, 404: PAGE_NOT_FOUND}
    if filtered:
        answers[400] = FILTER_ERRORS
    if forbidden:
        answers[403] = FORBIDDEN
    return answers


def write_responses(response, code=200):
    return {code: response, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


DELETED = {204: None, 403: FORBIDDEN, 404: NOT_FOUND}


def write_schemas(output, request, *, create: str, replace: str, change: str) -> dict:
    """create / update / partial_update of a resource written through one input serializer."""
    return {
        "create": extend_schema(
            summary=create, request=request, responses=write_responses(output, 201)
        ),
        "update": extend_schema(
            summary=replace, request=request, responses=write_responses(output)
        ),
        "partial_update": extend_schema(
            summary=change, request=request, responses=write_responses(output)
        ),
    }


class MemberViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsMember]
    lookup_value_regex = r"[0-9]+"
