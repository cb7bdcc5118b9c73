"""What other apps tell matching about work done: a small registry of provider functions.

``matching`` reads the network's own tables (``network.models``) itself and imports none of the
apps that build on it. What those apps record (offers, engagements, teams) reaches the ranking
only through the functions they register here, from their ``AppConfig.ready()``:

Activity: fair rotation, continuity and capacity
    ``register_recent_offers(fn)``: ``fn(since)`` gives how many offers each consultant received
    from ``since`` (an aware datetime) on, as ``{consultant id: count}``.
    ``register_engagements(fn)``: ``fn()`` gives every engagement as a tuple ``(consultant id,
    client organisation id or None, end date or None while it runs, estimated hours or None)``.
The index stamp
    ``register_stamped_models(fn)``: ``fn()`` gives models whose highest primary key is part of
    the index stamp (``matching.stamp``): a new row there, bulk inserts included, makes the next
    ranking rebuild.
Free service days
    ``register_free_days_given(fn)``: ``fn(year)`` gives the days of free service each
    consultant gave in that calendar year, as ``{consultant id: days}``; the adapter subtracts
    them from the pledges (``network.models.FreeServicePledge``) to rank pro bono requests.
Collaboration
    ``register_collaboration_pairs(fn)``: ``fn()`` gives an unevaluated ``values_list`` query
    set of consultant id pairs who have worked together, the smaller id first. The adapter
    unions every registered one into a single query.

With nothing registered, the adapter reads no activity, stamps the network's tables alone and
knows no pairs. Registering the same function again replaces it, so a second ``ready()`` adds
nothing twice; providers are asked in the order they were first registered.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

# (consultant id, client organisation id, end date or None while current, estimated hours)
EngagementRow = tuple[int, int | None, datetime.date | None, int | None]
RecentOffers = Callable[[datetime.datetime], Mapping[int, int]]
Engagements = Callable[[], Iterable[EngagementRow]]
StampedModels = Callable[[], Iterable[Any]]  # model classes
CollaborationPairs = Callable[[], Any]  # a values_list query set of (id, larger id)
FreeDaysGiven = Callable[[int], Mapping[int, Any]]  # year → {consultant id: days (a number)}


class Registry:
    """The registered providers of each kind, by the function's dotted name."""

    def __init__(self) -> None:
        self.recent_offers: dict[str, RecentOffers] = {}
        self.engagements: dict[str, Engagements] = {}
        self.stamped_models: dict[str, StampedModels] = {}
        self.collaboration_pairs: dict[str, CollaborationPairs] = {}
        self.free_days_given: dict[str, FreeDaysGiven] = {}


# The process's registry. Tests may swap in an empty ``Registry()``.
registry = Registry()


def _name(provider: Callable) -> str:
    return f"{provider.__module__}.{provider.__qualname__}"


def register_recent_offers(provider: RecentOffers) -> RecentOffers:
    registry.recent_offers[_name(provider)] = provider
    return provider


def register_engagements(provider: Engagements) -> Engagements:
    registry.engagements[_name(provider)] = provider
    return provider


def register_stamped_models(provider: StampedModels) -> StampedModels:
    registry.stamped_models[_name(provider)] = provider
    return provider


def register_collaboration_pairs(provider: CollaborationPairs) -> CollaborationPairs:
    registry.collaboration_pairs[_name(provider)] = provider
    return provider


def register_free_days_given(provider: FreeDaysGiven) -> FreeDaysGiven:
    registry.free_days_given[_name(provider)] = provider
    return provider


def free_days_given(year: int) -> dict[int, float]:
    """Free service days given per consultant id in ``year``, summed over the providers."""
    days: dict[int, float] = {}
    for provider in registry.free_days_given.values():
        for consultant_id, given in provider(year).items():
            days[consultant_id] = days.get(consultant_id, 0.0) + float(given or 0)
    return days


def recent_offers(since: datetime.datetime) -> dict[int, int]:
    """Offers per consultant id from ``since`` on, summed over the providers."""
    counts: dict[int, int] = {}
    for provider in registry.recent_offers.values():
        for consultant_id, offers in provider(since).items():
            counts[consultant_id] = counts.get(consultant_id, 0) + offers
    return counts


def engagements() -> Iterator[EngagementRow]:
    """Every provider's engagements, one after the other."""
    for provider in registry.engagements.values():
        yield from provider()


def stamped_models() -> list[Any]:
    """The models whose highest primary key the stamp reads, in registration order."""
    return [model for provider in registry.stamped_models.values() for model in provider()]


def collaboration_queries() -> list[Any]:
    """One query set of consultant id pairs per provider, in registration order."""
    return [provider() for provider in registry.collaboration_pairs.values()]
