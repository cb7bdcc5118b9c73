"""Folding of free text so that "Node.js", "node-js" and "NodeJS" compare equal.

The matching engine and the alias table share this one rule; it lives in ``network`` because
the taxonomy's uniqueness constraints depend on it and ``matching`` may import ``network``,
never the other way round.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_./]+")
_DROPPED = re.compile(r"[^\w+#]")


def fold(text: str) -> str:
    """Lower-case, strip accents, and drop spaces, hyphens, underscores, dots and slashes.

    ``+`` and ``#`` survive because they carry meaning in skill names (C++, C#, F#).
    """
    normalized = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in normalized if not unicodedata.combining(ch))
    lowered = without_accents.casefold().strip()
    joined = _SEPARATORS.sub("", lowered)
    return _DROPPED.sub("", joined)
