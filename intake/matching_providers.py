"""What intake tells the matching engine: offers, engagements and who has worked with whom.

``matching`` imports no intake code; ``IntakeConfig.ready()`` registers these functions with
``matching.providers``, and the adapter asks them when it builds the index (recent offers for
fair rotation, engagements for continuity and committed hours), reads the stamp (new offers and
engagements make the next ranking rebuild), proposes teams (members who worked together) and ranks
pro bono requests (the free service days members gave).
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Sum

from intake.models import Engagement, Offer
from matching import providers


def recent_offers(since: datetime.datetime) -> dict[int, int]:
    """Offers each consultant received from ``since`` on."""
    rows = (
        Offer.objects.filter(created_at__gte=since)
        .values_list("consultant_id")
        .annotate(offers=Count("pk"))
        .order_by()
    )
    return dict(rows)


def engagements():
    """Every engagement: consultant, client organisation, end (None while it runs) and the
    request's estimated hours."""
    return Engagement.objects.values_list(
        "consultant_id", "request__organization_id", "end", "request__estimated_hours"
    )


def free_days_given(year: int) -> dict[int, Decimal]:
    """Free service days each consultant gave on pro bono requests completed in ``year`` (the
    engagement's end), as recorded at completion (``intake.workflow``)."""
    rows = (
        Engagement.objects.filter(free_days__isnull=False, end__year=year)
        .values_list("consultant_id")
        .annotate(days=Sum("free_days"))
        .order_by()
    )
    return dict(rows)


def stamped_models():
    """New offers and engagements change rotation, continuity and capacity."""
    return (Offer, Engagement)


def engagement_pairs():
    """Consultants engaged on the same request, the smaller id first."""
    return (
        Engagement.objects.filter(request__engagements__consultant_id__gt=F("consultant_id"))
        .values_list("consultant_id", "request__engagements__consultant_id")
        .order_by()
    )


def register() -> None:
    """Register intake's providers with the matching engine (``IntakeConfig.ready()``)."""
    providers.register_recent_offers(recent_offers)
    providers.register_engagements(engagements)
    providers.register_stamped_models(stamped_models)
    providers.register_collaboration_pairs(engagement_pairs)
    providers.register_free_days_given(free_days_given)
