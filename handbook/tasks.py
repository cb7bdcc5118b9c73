"""django-q2 entry points of the handbook (scheduled by ``manage.py handbook_schedules``)."""

from handbook import proposals, reminders


def review_reminders() -> int:
    """Remind the owners of policies due for review; returns how many were reminded."""
    return reminders.review_reminders_send()


def action_item_reminders() -> int:
    """Remind the owners of action items due soon or late; returns how many were reminded."""
    return reminders.action_item_reminders_send()


def proposals_settle() -> int:
    """Apply the result of every proposed change whose vote has reached its closing time;
    returns how many were settled."""
    return proposals.proposals_settle_due()
