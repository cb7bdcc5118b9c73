"""Filters for the notification templates."""

from django import template
from django.template.defaultfilters import truncatechars

register = template.Library()


@register.filter(is_safe=True)
def excerpt(text, length):
    """``truncatechars``, without its character-by-character scan when the text is short
    enough to need no cut, which is most descriptions."""
    text = str(text)
    if len(text) <= int(length):
        return text
    return truncatechars(text, length)
