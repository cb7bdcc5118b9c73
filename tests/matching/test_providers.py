"""The providers other apps register with matching: activity for rotation and capacity, the
tables that move the index stamp, and who has worked with whom."""

import datetime

import pytest
from django.db.models import IntegerField, Value
from django.utils import timezone

from intake.models import Engagement, Offer
from matching import adapter, providers
from network.models import Consultant, ConsultantGroup
from tests.factories import ConsultantFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty registry in place of the process's (which holds the installed apps')."""
    empty = providers.Registry()
    monkeypatch.setattr(providers, "registry", empty)
    return empty


@pytest.fixture
def pair():
    first, second = ConsultantFactory(), ConsultantFactory()
    return (first, second) if first.pk < second.pk else (second, first)


def _pairs_query(first, second):
    """A values_list query set giving the one pair (first, second)."""
    return (
        Consultant.objects.filter(pk=first.pk)
        .annotate(other=Value(second.pk, output_field=IntegerField()))
        .values_list("pk", "other")
        .order_by()
    )


def _profiles(*consultants):
    by_id = {profile.id: profile for profile in adapter.consultant_profiles()}
    return [by_id[consultant.pk] for consultant in consultants]


# --- Nothing registered -----------------------------------------------------------------------


def test_without_providers_profiles_carry_no_activity(registry, pair):
    # Rows an installed app would report, unread while nothing is registered.
    first, _ = pair
    request = RequestFactory(estimated_hours=40)
    Engagement.objects.create(request=request, consultant=first)
    Offer.objects.create(request=request, consultant=first, expires_at=timezone.now())

    (profile,) = _profiles(first)

    assert profile.recent_offers == 0
    assert profile.clients_served == frozenset()
    assert profile.committed_hours_per_week == 0.0


def test_without_providers_nobody_has_worked_together(registry, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert adapter.collaboration_pairs() == frozenset()


def test_without_providers_the_stamp_reads_the_network_tables_alone(registry):
    # The version counter's value and the network's six indexed tables.
    assert len(adapter.read_stamp().max_keys) == 6


# --- Registered providers ---------------------------------------------------------------------


def test_registered_activity_reaches_the_profiles(registry, pair):
    first, second = pair
    asked = []

    def offers(since):
        asked.append(since)
        return {first.pk: 3}

    def engagements():
        return [(first.pk, 7, None, 20), (first.pk, 8, datetime.date(2030, 1, 1), 99)]

    def more_offers(since):
        return {first.pk: 1, second.pk: 2}

    providers.register_recent_offers(offers)
    providers.register_recent_offers(more_offers)
    providers.register_engagements(engagements)

    first_profile, second_profile = _profiles(first, second)

    assert first_profile.recent_offers == 4
    assert second_profile.recent_offers == 2
    assert first_profile.clients_served == frozenset({7, 8})
    # Only the current engagement counts, its hours spread over ENGAGEMENT_WEEKS.
    assert first_profile.committed_hours_per_week == 20 / adapter.ENGAGEMENT_WEEKS
    assert second_profile.clients_served == frozenset()
    assert len(asked) == 1
    window = datetime.timedelta(days=adapter.RECENT_OFFER_DAYS)
    assert abs(datetime.datetime.now(datetime.UTC) - window - asked[0]) < datetime.timedelta(
        minutes=5
    )


def test_registered_pairs_are_read_in_one_query(registry, django_assert_num_queries):
    a, b, c = sorted((ConsultantFactory() for _ in range(3)), key=lambda consultant: consultant.pk)

    def worked_on_a_request():
        return _pairs_query(a, b)

    def shared_a_team():
        return _pairs_query(a, c)

    def shared_another_team():
        return _pairs_query(a, b)  # the same pair from elsewhere counts once

    providers.register_collaboration_pairs(worked_on_a_request)
    with django_assert_num_queries(1):
        assert adapter.collaboration_pairs() == frozenset({(a.pk, b.pk)})

    providers.register_collaboration_pairs(shared_a_team)
    providers.register_collaboration_pairs(shared_another_team)
    with django_assert_num_queries(1):
        assert adapter.collaboration_pairs() == frozenset({(a.pk, b.pk), (a.pk, c.pk)})


def test_a_registered_table_moves_the_stamp(registry):
    def groups():
        return (ConsultantGroup,)

    providers.register_stamped_models(groups)
    before = adapter.read_stamp()
    ConsultantGroup.objects.bulk_create([ConsultantGroup(name="Bulk group")])  # no signal

    after = adapter.read_stamp()

    assert len(before.max_keys) == 7
    assert after.max_keys[-1] > before.max_keys[-1]
    assert after != before


def test_registering_a_function_twice_keeps_it_once(registry, pair):
    first, _ = pair

    def offers(since):
        return {first.pk: 1}

    providers.register_recent_offers(offers)
    providers.register_recent_offers(offers)

    assert providers.recent_offers(datetime.datetime.now(datetime.UTC)) == {first.pk: 1}
    assert len(registry.recent_offers) == 1


def test_the_installed_apps_register_their_providers():
    # Offers, engagements and who has worked together come from the apps built on matching.
    assert providers.registry.recent_offers
    assert providers.registry.engagements
    assert providers.registry.stamped_models
    assert providers.registry.collaboration_pairs
