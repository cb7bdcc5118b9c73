"""Secrets that must wait in the database for a while, kept there only encrypted ("sealed").

Two things wait: the client's status token until its confirmation email is sent
(``Notification.sealed_status_token``), and the first answer to an idempotent submission, which
holds the same link, until the client stops retrying (``IdempotencyRecord.sealed_response``).

Sealing is Fernet (AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package) under a
key derived with HKDF from ``SECRET_KEY`` and a purpose, so a key for one purpose opens nothing
of another. An idempotent answer's key also takes the client's Idempotency-Key, which the
database does not keep (only its SHA-256): a copy of the database, or of an export, opens
nothing without the client's key, and not even with ``SECRET_KEY`` alone. Keys in
``SECRET_KEY_FALLBACKS`` still open what they sealed, so rotating ``SECRET_KEY`` loses nothing.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

STATUS_LINK_PURPOSE = "notification status token"
IDEMPOTENT_ANSWER = "idempotent answer"


def _fernet(secret_key: str, purpose: str, context: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,  # SECRET_KEY is already random; HKDF's info binds the purpose and context
        info=f"switchboard:{purpose}:{context}".encode(),
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(purpose: str, context: str) -> MultiFernet:
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key, purpose, context) for key in secret_keys])


def seal(text: str, *, purpose: str, context: str = "") -> str:
    """``text`` encrypted and authenticated under the current ``SECRET_KEY`` (ASCII)."""
    return _keys(purpose, context).encrypt(text.encode()).decode("ascii")


def unseal(sealed: str, *, purpose: str, context: str = "") -> str | None:
    """The text ``seal`` was given, or None when no key opens it (another purpose or context,
    a ``SECRET_KEY`` no longer configured, a changed value)."""
    try:
        return _keys(purpose, context).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None
