"""Erasing a client's free text: one marker and one rule, shared by every app that keeps some."""

ERASED = "[erased]"


def erase_text(queryset, field: str) -> int:
    """Replace a non-empty free-text field; an empty one stays empty (nothing was written), and
    one already erased is left alone (a second run writes nothing)."""
    return queryset.exclude(**{field: ""}).exclude(**{field: ERASED}).update(**{field: ERASED})
