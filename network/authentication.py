"""API tokens that expire, and that end when their user's password changes.

A token (DRF's ``authtoken``, one per user, sent as ``Authorization: Token …``) works for
``API_TOKEN_LIFETIME_DAYS`` after it was issued; after that the API answers 401 with the usual
``WWW-Authenticate: Token`` challenge and a message saying it expired, and
``POST /api/v1/auth/token/`` issues a new one. While a token works, the endpoint returns that same
token, so every script of one user keeps working; it does not rotate.

A password change ends the user's tokens at once, wherever it happens: the reset and change
pages, the admin's "change password", ``manage.py changepassword``, any ``set_password()`` then
``save()``. Django marks such a save itself (the raw password it keeps until the save, which it
hands to the password validators); a hash upgraded at sign-in is not marked, and ends nothing.
Turning password sign-in off (``set_unusable_password()``, the admin's "disable password-based
authentication") ends them too, and so does disabling the account (``is_active``): DRF refuses
a disabled account's token, but would take it again if the account came back. Sessions need
nothing here: Django signs each session with the password hash and ends every other session of
the user when it changes.
"""

import datetime

from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_init, post_save
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

TOKEN_ENDPOINT = "POST /api/v1/auth/token/"  # noqa: S105 (an address, not a secret)


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + token_lifetime()


def token_has_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than ``API_TOKEN_LIFETIME_DAYS``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_has_expired(token):
            raise AuthenticationFailed(
                f"The token has expired (tokens last {settings.API_TOKEN_LIFETIME_DAYS} days); "
                f"ask {TOKEN_ENDPOINT} for a new one."
            )
        return user, token


def api_token_issue(*, user) -> Token:
    """The user's API token: the one they hold while it works, else a new one.

    An expired token is deleted first; a concurrent request that has just made a new one keeps
    it (it is not expired), and ``get_or_create`` returns the row the other request made.
    """
    Token.objects.filter(user=user, created__lte=timezone.now() - token_lifetime()).delete()
    token, _ = Token.objects.get_or_create(user=user)
    return token


def api_tokens_end(*, user) -> int:
    """End every API token of ``user``; returns how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


# --- Ending tokens when a password changes or the account is disabled ---------------------


def _remember_loaded_sign_in(sender, instance, **kwargs):
    # The hash and the active flag as loaded (None when a field is deferred: reading it would
    # cost a query per row), so a later save can tell that it turned sign-in off.
    instance._sign_in_as_loaded = (
        instance.__dict__.get("password"),
        instance.__dict__.get("is_active"),
    )


def _sign_in_ended_in_save(instance, update_fields) -> bool:
    """Whether this save stores a new password, turns password sign-in off, or disables the
    account: each ends what the old credentials gave."""

    def saves(field: str) -> bool:
        return update_fields is None or field in update_fields

    loaded_password, loaded_active = getattr(instance, "_sign_in_as_loaded", (None, None))
    password = instance.__dict__.get("password")
    if saves("password"):
        # Set by set_password() until the save that stores it; cleared for a hash upgrade.
        if instance._password is not None:
            return True
        if (
            loaded_password is not None
            and is_password_usable(loaded_password)
            and password is not None
            and not is_password_usable(password)
        ):
            return True
    # Tokens of a disabled account are refused; ended, they cannot come back with the account.
    return (
        saves("is_active") and loaded_active is True and instance.__dict__.get("is_active") is False
    )


def _end_tokens_when_sign_in_ends(sender, instance, created, raw, update_fields, **kwargs):
    if created or raw:
        return  # a new account has no token; fixtures load rows as they were
    if _sign_in_ended_in_save(instance, update_fields):
        api_tokens_end(user=instance)
    _remember_loaded_sign_in(sender, instance)


def connect_signals() -> None:
    """Called once from ``NetworkConfig.ready``."""
    post_init.connect(
        _remember_loaded_sign_in,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="network-remember-loaded-sign-in",
    )
    post_save.connect(
        _end_tokens_when_sign_in_ends,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="network-end-tokens-when-sign-in-ends",
    )
