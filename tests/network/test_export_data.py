"""The export_data command: a fixture of all the project's data that loaddata restores."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from network.applications import application_admit, application_start_review, application_submit
from network.authentication import api_token_issue
from network.management.commands import export_data
from network.management.commands.export_data import exported_models
from network.models import Consultant, ConsultantGroup, ExternalProfessional
from network.roles import Role
from network.services import (
    consultant_create,
    consultant_set_status,
    consultant_skill_set,
    skill_create,
    time_away_save,
    user_grant_role,
)
from tests.factories import UserFactory
from tests.helpers import data_fingerprint


def build_alliance() -> None:
    """A small alliance touching every kind of row the network app keeps."""
    wordpress = skill_create(name="WordPress", category="web", aliases=["WP"], source="curated")
    civicrm = skill_create(name="CiviCRM", category="crm", description="Donor databases.")
    networks = skill_create(name="Small office networks", category="infrastructure")

    first = consultant_create(
        email="consultant1@members.test",
        display_name="Consultant 1 — Ñandú",  # not ASCII, to check the encoding round trip
        status=Consultant.Status.ACTIVE,
        languages=["en", "es"],
        hourly_rate=Decimal("95.50"),
        bio="Websites\nand CRMs.",
        joined_on=datetime.date(2019, 5, 1),
    )
    second = consultant_create(email="consultant2@members.test", display_name="Consultant 2")
    consultant_set_status(
        consultant=second, status=Consultant.Status.PROBATION, reason="Admitted by vote."
    )
    consultant_set_status(consultant=second, status=Consultant.Status.ACTIVE, reason="Confirmed.")
    consultant_skill_set(consultant=first, skill=wordpress, level=5, years=12, note="Themes.")
    consultant_skill_set(consultant=first, skill=civicrm, level=3)
    consultant_skill_set(consultant=second, skill=networks, level=4, years=6)
    time_away_save(
        consultant=first,
        start=datetime.date(2030, 7, 1),
        end=datetime.date(2030, 7, 14),
        note="Holiday.",
        covering=second,
    )

    group = ConsultantGroup.objects.create(name="Web team", slug="web-team", coordinator=first)
    group.members.add(first, second)
    group.focus_skills.add(wordpress, civicrm)

    professional = ExternalProfessional.objects.create(
        name="Outside professional 1", organization="Independent practice", active=False
    )
    professional.skills.add(networks)

    user_grant_role(user=second.user, role=Role.INTAKE_COORDINATOR)
    board = Group.objects.create(name="Board")
    board.permissions.add(Permission.objects.get(codename="view_consultantgroup"))
    first.user.groups.add(board)
    first.user.user_permissions.add(Permission.objects.get(codename="change_skill"))
    admin = UserFactory(username="admin", email="admin@members.test", is_superuser=True)
    api_token_issue(user=second.user)

    application = application_submit(
        name="Applicant 1",
        email="applicant1@applicants.test",
        statement="Eight years of nonprofit IT support.",
        skills_text="WordPress, Drupal",
    )
    application_start_review(application=application, actor=admin)
    application_admit(application=application, actor=admin, notes="Welcome.")
    application_submit(name="Applicant 2", email="applicant2@applicants.test", statement="Hi.")


def run_export(*args) -> str:
    out = StringIO()
    call_command("export_data", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_export_flush_and_loaddata_restores_identical_data(tmp_path):
    build_alliance()
    before = data_fingerprint()
    fixture = tmp_path / "switchboard.json"
    run_export("--output", str(fixture))

    # Flush empties every table, then post_migrate recreates content types, permissions, role
    # groups and languages under new keys: the state of a freshly migrated database.
    call_command("flush", interactive=False, verbosity=0)
    assert not Consultant.objects.exists() and Group.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)

    assert data_fingerprint() == before
    counts = {label: count for label, (count, _) in before.items()}
    assert counts["network.User"] == 4
    assert counts["network.Consultant"] == 3
    assert counts["network.ConsultantStatusChange"] == 5
    assert counts["auth.Group"] == len(Role) + 1
    assert counts["network.ApiToken"] == 1  # its digest: the key is stored nowhere


@pytest.mark.django_db(transaction=True)
def test_restored_database_accepts_new_rows(tmp_path):
    """loaddata resets the id sequences, so rows created after a restore get fresh keys."""
    build_alliance()
    fixture = tmp_path / "switchboard.json"
    run_export("--output", str(fixture))
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)

    consultant = consultant_create(email="consultant9@members.test", display_name="Consultant 9")

    assert consultant.pk > max(Consultant.objects.exclude(pk=consultant.pk).values_list("pk"))[0]


@pytest.mark.django_db
def test_export_covers_every_project_model_and_leaves_out_framework_tables():
    exported = {model._meta.label for model in exported_models()}

    project = {
        model._meta.label
        for label in ("network", "intake", "bids", "matching", "handbook")
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    }
    assert exported == project | {"auth.Group"}
    assert {"bids.Bid", "bids.AgreementSignature", "bids.Settlement"} <= exported
    assert not exported & {
        "contenttypes.ContentType",
        "auth.Permission",
        "sessions.Session",
        "admin.LogEntry",
        "django_q.Task",
        "django_q.Schedule",
        "django_q.OrmQ",
    }


@pytest.mark.django_db
def test_export_to_stdout_is_a_fixture_with_natural_keys_for_groups_and_permissions():
    build_alliance()

    rows = json.loads(run_export())

    roles = [row for row in rows if row["model"] == "auth.group"]
    assert all("pk" not in row for row in roles)  # matched by name on load
    board = next(row for row in roles if row["fields"]["name"] == "Board")
    assert board["fields"]["permissions"] == [
        ["view_consultantgroup", "network", "consultantgroup"]
    ]
    user = next(
        row
        for row in rows
        if row["model"] == "network.user" and row["fields"]["email"] == "consultant1@members.test"
    )
    assert user["fields"]["groups"] == [["Board"]]
    assert {row["model"] for row in rows} >= {"network.consultant", "network.apitoken"}


@pytest.mark.django_db
def test_export_keeps_microseconds():
    build_alliance()
    change = Consultant.objects.get(display_name="Consultant 2").status_changes.first()
    change.changed_at = change.changed_at.replace(microsecond=123456)
    change.save()

    rows = json.loads(run_export())

    row = next(
        r for r in rows if r["model"] == "network.consultantstatuschange" and r["pk"] == change.pk
    )
    assert ".123456" in row["fields"]["changed_at"]


@pytest.mark.django_db
def test_export_reads_a_fixed_number_of_queries_per_model(django_assert_max_num_queries):
    build_alliance()
    for n in range(20):
        consultant_create(email=f"extra{n}@members.test", display_name=f"Consultant {n + 10}")

    # Per model: its rows, plus one query per many-to-many field and per natural-key relation
    # (prefetched), never one per row; 60 covers today's models with room for later ones.
    with django_assert_max_num_queries(60):
        run_export()


@pytest.mark.django_db
def test_output_file_is_replaced_only_when_the_export_completes(tmp_path, monkeypatch):
    fixture = tmp_path / "switchboard.json"
    fixture.write_text("previous export")

    def failing_chunks():
        yield "["
        raise RuntimeError("database went away")

    monkeypatch.setattr(export_data, "export_chunks", failing_chunks)
    with pytest.raises(RuntimeError):
        run_export("--output", str(fixture))

    assert fixture.read_text() == "previous export"
    assert [path.name for path in tmp_path.iterdir()] == ["switchboard.json"]


@pytest.mark.django_db
def test_output_file_is_written_for_its_owner_only(tmp_path):
    fixture = tmp_path / "switchboard.json"

    output = run_export("--output", str(fixture))

    assert f"Exported to {fixture}" in output
    assert fixture.stat().st_mode & 0o077 == 0  # it holds password hashes
    assert json.loads(fixture.read_text())
