"""The stored first answers of idempotent submissions (``POST /api/v1/requests/`` with an
Idempotency-Key header).

The first answer holds the client's status link, so it is never stored as it is: the row keeps
the Idempotency-Key's SHA-256 (to find it) and the answer sealed under a key derived from
``SECRET_KEY`` and the Idempotency-Key itself (``intake.sealing``). The client who retries with
the same key gets the whole answer back; the row alone, a database copy or an export opens
nothing.
"""

import hashlib
import json

from intake import sealing
from intake.models import IdempotencyRecord


def key_digest(key: str) -> str:
    """How the row names an Idempotency-Key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def record_find(key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(key_digest=key_digest(key)).first()


def record_store(
    *, key: str, fingerprint: str, status: int, answer: dict, request_id: int | None
) -> IdempotencyRecord:
    """Keep the first ``answer`` to ``key``; call it in the submission's transaction."""
    return IdempotencyRecord.objects.create(
        key_digest=key_digest(key),
        fingerprint=fingerprint,
        request_id=request_id,
        response_status=status,
        sealed_response=sealing.seal(
            json.dumps(answer), purpose=sealing.IDEMPOTENT_ANSWER, context=key
        ),
    )


def record_answer(record: IdempotencyRecord, key: str) -> dict | None:
    """The first answer, opened with the client's ``key``; None if it cannot be opened (a
    ``SECRET_KEY`` rotated away without ``SECRET_KEY_FALLBACKS``)."""
    text = sealing.unseal(record.sealed_response, purpose=sealing.IDEMPOTENT_ANSWER, context=key)
    return None if text is None else json.loads(text)
