"""Token sign-in for the API (``POST /api/v1/auth/token/``): a username and password for a new
token."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from network.api import FIELD_ERRORS
from network.authentication import MAX_TOKENS_PER_USER, api_token_issue
from network.client_ip import ClientAddressThrottleMixin


class TokenRequestThrottle(ClientAddressThrottleMixin, AnonRateThrottle):
    # The endpoint takes a password: a few tries a minute per address is plenty for a person or
    # a script with the right password, and slows anyone guessing.
    scope = "auth_token"
    rate = "10/minute"


class SignInLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed sign-in attempts for this username; try again later.")
    default_code = "locked_out"


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token (``Authorization: Token …``)."""

    # No session: a browser's session cookie would otherwise make the view demand a CSRF token.
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (TokenRequestThrottle,)
    # The API's parsers (a body nested too deeply is a 400); JSON answers only.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    renderer_classes = (renderers.JSONRenderer,)

    @extend_schema(
        summary="Get an API token",
        description=(
            "Send a username and password; the answer's token goes in later requests as "
            "`Authorization: Token <token>`. Each call issues a new token and shows it only in "
            "this answer (the server keeps a digest, not the token); the tokens issued before "
            f"keep working, up to the {MAX_TOKENS_PER_USER} most recent of the account. A token "
            "works for "
            "`API_TOKEN_LIFETIME_DAYS` after it is issued (30 days unless the deployment sets "
            "otherwise; `expires_at` says when). A password change or reset ends every token of "
            "the account at once."
        ),
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "AuthToken",
                {
                    "token": serializers.CharField(
                        help_text="Send as `Authorization: Token …`; shown only here."
                    ),
                    "expires_at": serializers.DateTimeField(
                        help_text="When the token stops working, unless ended before."
                    ),
                },
            ),
            400: FIELD_ERRORS,
            429: OpenApiResponse(description="Too many attempts; try again later."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        # The request goes to authenticate(): django-axes counts failures per client with it.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError:
            # django-axes refused the pair before the password was checked and flagged the
            # request it was given (DRF's); its middleware only sees Django's, so answer here.
            if getattr(request, "axes_locked_out", False):
                raise SignInLockedOut() from None
            raise
        token, key = api_token_issue(user=serializer.validated_data["user"])
        expires_at = serializers.DateTimeField().to_representation(token.expires_at)
        return Response({"token": key, "expires_at": expires_at})
