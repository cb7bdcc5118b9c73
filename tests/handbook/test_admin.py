"""The handbook in Django admin: revisions viewable and never added, changed or deleted."""

import pytest
from django.urls import reverse

from handbook.models import PageRevision
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_revisions_are_view_only_in_the_admin(client, admin, member):
    page = PageFactory(actor=member, title="Cover during time away", body="Text")
    revision = page.latest_revision
    admin.refresh_from_db()
    client.force_login(admin)
    assert client.get(reverse("admin:handbook_page_change", args=[page.pk])).status_code == 200
    change = client.get(reverse("admin:handbook_pagerevision_change", args=[revision.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert client.get(reverse("admin:handbook_pagerevision_add")).status_code == 403
    delete = reverse("admin:handbook_pagerevision_delete", args=[revision.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:handbook_page_delete", args=[page.pk])).status_code == 403
    assert PageRevision.objects.filter(pk=revision.pk, body="Text").exists()


@pytest.mark.parametrize("name", ["page", "pagerevision", "meeting", "decision", "actionitem"])
def test_handbook_changelists_answer(client, admin, name):
    admin.refresh_from_db()
    client.force_login(admin)
    assert client.get(reverse(f"admin:handbook_{name}_changelist")).status_code == 200
