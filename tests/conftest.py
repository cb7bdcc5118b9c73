"""Shared fixtures: test settings, one user per role, and API clients signed in as them."""

import pytest
from rest_framework.test import APIClient

from network.models import Consultant
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, ConsultantGroupFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django_q.conf import Conf

    # Tasks run inline so a test sees their effects; the cluster is exercised in e2e and load.
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def member(db):
    """An active member of the alliance (a consultant with no coordinator role)."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def other_member(db):
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def intake_coordinator(db):
    consultant = ConsultantFactory(status=Consultant.Status.ACTIVE)
    user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)
    return consultant.user


@pytest.fixture
def community_coordinator(db):
    user = UserFactory()
    user_grant_role(user=user, role=Role.COMMUNITY_COORDINATOR)
    return user


@pytest.fixture
def group_coordinator(db):
    consultant = ConsultantFactory(status=Consultant.Status.ACTIVE)
    group = ConsultantGroupFactory(coordinator=consultant)
    group.members.add(consultant)
    return consultant.user


@pytest.fixture
def admin(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """An API client; call ``api.force_authenticate(user)`` or use ``api_as``."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
