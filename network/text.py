"""Text rules for the models and forms: folding, hidden characters and names, plus the
validator that refuses names with invisible characters.

The rules themselves live in ``network.text_rules``, which imports no Django, so that the
matching engine can use ``fold`` without it; they are importable from here as before.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from network.text_rules import fold, hidden_characters, name_key

__all__ = ["fold", "hidden_characters", "name_key", "validate_visible_text"]


def validate_visible_text(value: str) -> None:
    """Refuse a name with invisible or direction-changing characters, which let one name pass for
    another ("Member 05" with a zero-width space, or a right-to-left override)."""
    hidden = hidden_characters(value)
    if hidden:
        raise ValidationError(
            _(
                "Use only visible characters: this contains invisible or direction-changing "
                "characters (%(characters)s)."
            )
            % {"characters": ", ".join(dict.fromkeys(hidden))},
            code="hidden_characters",
        )
