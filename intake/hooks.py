"""Where other apps plug into a request's life without intake importing them.

Intake knows nothing of the apps built on it (team bids among them); they connect receivers to
these signals in their ``AppConfig.ready()``. Each signal is sent inside the transaction of the
change it describes, so a receiver's writes commit or roll back with it, and an exception a
receiver raises (a ``Conflict``, a ``ValidationError``) refuses the whole change.
"""

from django.dispatch import Signal

# A move was made on a request: sent by ``request_apply`` after the move's effect, before the
# status changes, with ``request`` (locked; ``request.status`` is still the state it left),
# ``actor`` and ``move``. A receiver returns a dict to add to the move's event data, or None.
request_moved = Signal()

# May this request be completed by the "complete" move? Sent with ``request`` (locked). A
# receiver returns a reason it may not (the answer is then a 409 with that reason), or None.
request_completing = Signal()

# The client's status page: sent with ``request``; a receiver returns a dict of extra entries
# for the page (``{"bid": {...}}``), or None. The receivers decide what a client may see.
client_status = Signal()

# The coordinator's request page: sent with ``request`` and ``user``; a receiver returns a dict
# of extra template context, or None.
request_page = Signal()

# Erasing a client's personal data (``manage.py erase_client_data``): sent with
# ``request_ids``; a receiver blanks the free text it keeps about those requests and returns a
# dict of what it changed, ``{"label": count}``.
client_data_erasing = Signal()


def replies(signal: Signal, **kwargs) -> list:
    """The receivers' answers to ``signal``, without the Nones; exceptions propagate."""
    return [reply for _, reply in signal.send(sender=None, **kwargs) if reply is not None]


def merged(signal: Signal, **kwargs) -> dict:
    """The receivers' dicts merged into one, in the order they were connected."""
    out: dict = {}
    for reply in replies(signal, **kwargs):
        out.update(reply)
    return out
