"""Who hears about what. Each function runs after the transaction commits; it writes one
``Notification`` row per recipient and enqueues its sending as a django-q2 task."""


def request_submitted(request_id: int, status_url: str) -> None:
    """The client's confirmation (with the status link) and the intake coordinators' alert."""


def request_event(event_id: int) -> None:
    """Tell the people a workflow move concerns (the offered member, the group coordinator...)."""
