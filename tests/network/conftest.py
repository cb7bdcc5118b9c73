"""Fixtures shared by the network's test modules: the languages offered, a page client signed in
as someone, and members enough to fill more than one page of the directory.

A module that needs another shape of one of these (``directory``, ``signed_in``) defines its own,
which takes precedence over the one here."""

import pytest

from network import services
from network.models import Language, User
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    SkillFactory,
)


@pytest.fixture
def _languages(db):
    """The languages offered; the page modules use it for every test
    (``pytestmark = [..., pytest.mark.usefixtures("_languages")]``)."""
    services.languages_ensure()


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        # Reload: UserFactory leaves a password hash in memory that was never saved, and a
        # session made from that hash would not match the stored user.
        client.force_login(User.objects.get(pk=user.pk))
        return client

    return sign_in


@pytest.fixture
def thirty_members():
    """30 members, each with 3 skills, a language and a group: more than one page."""
    skills = [SkillFactory() for _ in range(3)]
    group = ConsultantGroupFactory(slug="big-group")
    english = Language.objects.get(code="en")
    members = []
    for _ in range(30):
        entry = ConsultantFactory()
        entry.languages.add(english)
        group.members.add(entry)
        for skill in skills:
            ConsultantSkillFactory(consultant=entry, skill=skill)
        members.append(entry)
    return members


@pytest.fixture
def directory(db):
    """Thirty active members, each with three skills, two languages and a group."""
    services.languages_ensure()
    skills = SkillFactory.create_batch(5)
    group = ConsultantGroupFactory()
    languages = list(Language.objects.filter(code__in=["en", "es"]))
    consultants = ConsultantFactory.create_batch(30)
    for index, consultant in enumerate(consultants):
        for offset in range(3):
            ConsultantSkillFactory(
                consultant=consultant, skill=skills[(index + offset) % 5], level=offset + 1
            )
        consultant.languages.add(*languages)
    group.members.add(*consultants)
    return consultants
