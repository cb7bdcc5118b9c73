"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's JSON decoder recurses once per level of nesting. A body of a thousand ``[`` runs it
out of stack, and the ``RecursionError`` is not the ``ValueError`` DRF turns into a 400: the
client got a 500. A body nested a little less deep decodes, but can then run out of stack later,
deeper in the request (a serializer, ``json.dumps`` of a fingerprint); so nesting is bounded
well below the stack, at ``MAX_JSON_DEPTH``, and either way the answer is a 400.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No operation of the API reads more than four levels (a bid's invitations: an object, a list,
# an object, a list). 32 leaves room for clients that send more than is read, and stays far
# below Python's recursion limit (1000), whatever the depth of the stack when a body is read.
MAX_JSON_DEPTH = 32

# In the request's language when raised (``too_deep``).
TOO_DEEP = _("JSON parse error - nested more than %(depth)s levels deep.")


def too_deep() -> str:
    return TOO_DEEP % {"depth": MAX_JSON_DEPTH}


def nested_deeper_than(value, limit: int) -> bool:
    """Whether ``value`` (decoded JSON) has containers nested more than ``limit`` deep; walked
    a level at a time, without recursion."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            item
            for container in level
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, dict | list)
        ]
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested beyond ``MAX_JSON_DEPTH`` is a 400 like any malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep()) from None
        if nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ParseError(too_deep())
        return data
