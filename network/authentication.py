"""API tokens: kept only as digests, each with a lifetime, ended when their user's password
changes.

A token is sent as ``Authorization: Token <key>``. The database keeps the SHA-256 digest of the
key (``network.models.ApiToken``), never the key: the key is shown once, in the answer of
``POST /api/v1/auth/token/`` that issued it. A presented key is hashed and looked up by the
digest's unique index, so neither the key nor a comparison of it with stored keys ever reaches
the database.

Every request to the endpoint issues a new token, and the earlier ones keep working: a stored
digest cannot be handed out again, and two scripts of one account must not end each other's
token. An account holds at most ``MAX_TOKENS_PER_USER``; a new one beyond that ends the oldest.
A token works for ``API_TOKEN_LIFETIME_DAYS`` after it was issued (read at each call, so a
shorter lifetime ends the older tokens too); after that the API answers 401 with the usual
``WWW-Authenticate: Token`` challenge and a message saying it expired.

A password change ends the user's tokens at once, wherever it happens: the reset and change
pages, the admin's "change password", ``manage.py changepassword``, any ``set_password()`` then
``save()``. Django marks such a save itself (the raw password it keeps until the save, which it
hands to the password validators); a hash upgraded at sign-in is not marked, and ends nothing.
Turning password sign-in off (``set_unusable_password()``, the admin's "disable password-based
authentication") ends them too, and so does disabling the account (``is_active``): a disabled
account's token is refused, but would be taken again if the account came back. Sessions need
nothing here: Django signs each session with the password hash and ends every other session of
the user when it changes.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_init, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from network.db import FixedQuery, joined_columns, joined_instances
from network.models import ApiToken, User

TOKEN_ENDPOINT = "POST /api/v1/auth/token/"  # noqa: S105 (an address, not a secret)
# Enough for every script of one account; a script that asks for a token on each run instead of
# keeping it fills the quota with tokens nobody uses, and those go first.
MAX_TOKENS_PER_USER = 10
KEY_BYTES = 32
PREFIX_LENGTH = 8
# last_used is a hint for people (which tokens are still in use), not a log: one write an hour
# at most, rather than a write with every call.
LAST_USED_STEP = datetime.timedelta(hours=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def token_has_expired(token: ApiToken) -> bool:
    return timezone.now() >= token.expires_at


_TOKEN_PATHS = {"": ApiToken, "user": User}
_TOKEN = FixedQuery(
    lambda digest: (
        ApiToken.objects.filter(digest=digest).order_by().values_list(*joined_columns(_TOKEN_PATHS))
    ),
    # Not a digest: a digest is 64 hexadecimal characters.
    "(the digest)",
)


def token_with_user(digest: str, *, using: str = DEFAULT_DB_ALIAS) -> ApiToken | None:
    """The token with this digest and its user (``token.user``, no further query), or None.

    Every API call asks, so the query is compiled once (``network.db.FixedQuery``); the
    digest's unique index finds one row at most.
    """
    for row in _TOKEN.rows(digest, using=using):
        return joined_instances(row, _TOKEN_PATHS, using=using)[""]
    return None


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>`` header, checked against the stored digests, refusing
    a token older than ``API_TOKEN_LIFETIME_DAYS``."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = token_with_user(token_digest(key))
        if token is None:
            raise AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_has_expired(token):
            raise AuthenticationFailed(
                f"The token has expired (tokens last {settings.API_TOKEN_LIFETIME_DAYS} days); "
                f"ask {TOKEN_ENDPOINT} for a new one."
            )
        _note_use(token)
        return token.user, token


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_STEP:
        token.last_used = now
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)


def api_token_issue(*, user) -> tuple[ApiToken, str]:
    """A new API token for ``user``: the stored row and the key, which only the caller sees.

    The user's expired tokens are deleted, and the oldest beyond ``MAX_TOKENS_PER_USER``
    ended. The user's row is locked so that two requests at once cannot both count the tokens
    before either adds its own, and leave the account over its quota.
    """
    key = secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        ApiToken.objects.filter(user=user, created__lte=timezone.now() - token_lifetime()).delete()
        token = ApiToken(user=user, digest=token_digest(key), prefix=key[:PREFIX_LENGTH])
        token.full_clean()
        token.save()
        kept = ApiToken.objects.filter(user=user).order_by("-created", "-pk")
        kept = kept.values_list("pk", flat=True)[:MAX_TOKENS_PER_USER]
        ApiToken.objects.filter(user=user).exclude(pk__in=list(kept)).delete()
    return token, key


def api_tokens_end(*, user) -> int:
    """End every API token of ``user``; returns how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
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
