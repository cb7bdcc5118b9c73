"""The import_consultants command: every row checked first, then all rows applied or none."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from network import services
from network.csv_import import IMPORT_REASON
from network.models import Consultant, ConsultantGroup, ConsultantStatusChange, User
from network.services import consultant_create, consultant_skill_set, skill_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
GOOD_FILE = DATA / "consultants_good.csv"
BAD_FILE = DATA / "consultants_bad.csv"


@pytest.fixture
def taxonomy():
    """The skills and groups the fixture files name."""
    skills = {
        "wordpress": skill_create(name="WordPress", aliases=["WP", "Word Press"]),
        "civicrm": skill_create(name="CiviCRM"),
        "drupal": skill_create(name="Drupal"),
    }
    ConsultantGroup.objects.create(name="Web team", slug="web-team")
    ConsultantGroup.objects.create(name="CRM team", slug="crm-team")
    return skills


@pytest.fixture
def existing(taxonomy):
    """A member already on file, under an email written in another case than in the files."""
    consultant = consultant_create(
        email="Existing@members.test",
        display_name="Consultant 3",
        status=Consultant.Status.ACTIVE,
        languages=["en"],
    )
    consultant_skill_set(
        consultant=consultant, skill=taxonomy["civicrm"], level=2, years=3, note="Own note."
    )
    return consultant


def run_import(path, *args) -> str:
    out = StringIO()
    call_command("import_consultants", str(path), *args, stdout=out)
    return out.getvalue()


def import_errors(path) -> list[str]:
    """The error lines of a refused import (the first line of the message is a summary)."""
    with pytest.raises(CommandError) as refused:
        run_import(path)
    summary, *errors = str(refused.value).splitlines()
    assert "nothing was imported" in summary
    assert summary.startswith(f"{len(errors)} error(s)")
    return errors


def write_csv(tmp_path, text: str, name="consultants.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> dict:
    """Everything an import may touch, as plain values."""
    consultants = {}
    for consultant in Consultant.objects.select_related("user").order_by("pk"):
        consultants[consultant.user.email] = {
            "row": Consultant.objects.filter(pk=consultant.pk).values().get(),
            "languages": sorted(consultant.languages.values_list("code", flat=True)),
            "skills": sorted(
                consultant.skills.values_list("skill__slug", "level", "years", "note")
            ),
            "groups": sorted(consultant.consultant_groups.values_list("slug", flat=True)),
            "history": list(
                consultant.status_changes.values_list("from_status", "to_status", "reason")
            ),
        }
    return {"users": User.objects.count(), "consultants": consultants}


# --- A good file -----------------------------------------------------------------------------


def test_good_file_creates_and_updates_members(existing):
    output = run_import(GOOD_FILE)

    assert "4 rows, 3 created, 1 updated, 0 unchanged" in output
    assert User.objects.count() == 4


def test_every_column_is_written(taxonomy):
    run_import(GOOD_FILE)

    consultant = Consultant.objects.get(user__email="consultant1@members.test")
    assert consultant.display_name == "Consultant 1"
    assert consultant.status == Consultant.Status.ACTIVE
    assert consultant.location == "Oakland, CA"
    assert consultant.timezone == "America/Los_Angeles"
    assert consultant.remote_ok is True
    assert consultant.hourly_rate == Decimal("95.00")
    assert consultant.currency == "USD"  # written "usd", upper-cased by the model
    assert consultant.sliding_scale is False
    assert consultant.pro_bono_hours_per_month == 4
    assert consultant.capacity_hours_per_week == 20
    assert consultant.website == "https://consultant1.example.org"
    assert consultant.bio == "Websites for small arts groups."
    assert consultant.joined_on == timezone.localdate()
    assert sorted(consultant.languages.values_list("code", flat=True)) == ["en", "es"]
    assert sorted(consultant.skills.values_list("skill__name", "level", "years")) == [
        ("CiviCRM", 3, None),
        ("WordPress", 4, 10),
    ]
    assert list(consultant.consultant_groups.values_list("slug", flat=True)) == ["web-team"]


def test_quoted_cells_with_commas_and_line_breaks_are_read(taxonomy):
    run_import(GOOD_FILE)

    consultant = Consultant.objects.get(user__email="consultant2@members.test")
    assert consultant.location == "San Francisco, CA"
    assert consultant.bio == "Databases and reporting.\nSecond paragraph of the bio."
    assert (consultant.remote_ok, consultant.sliding_scale) == (False, True)


def test_skills_resolve_by_alias_and_groups_by_slug_in_any_case(taxonomy):
    run_import(GOOD_FILE)

    consultant = Consultant.objects.get(user__email="consultant2@members.test")
    assert list(consultant.skills.values_list("skill__name", "level")) == [("WordPress", 5)]
    assert sorted(consultant.consultant_groups.values_list("slug", flat=True)) == [
        "crm-team",
        "web-team",
    ]


def test_new_members_get_defaults_for_empty_cells(taxonomy):
    run_import(GOOD_FILE)

    consultant = Consultant.objects.get(user__email="consultant4@members.test")
    assert consultant.status == Consultant.Status.ACTIVE
    assert consultant.timezone == "America/Los_Angeles"
    assert consultant.currency == "USD"
    assert consultant.capacity_hours_per_week == 20


def test_creating_a_member_records_its_status_with_the_import_reason(taxonomy):
    run_import(GOOD_FILE)

    consultant = Consultant.objects.get(user__email="consultant2@members.test")
    assert list(consultant.status_changes.values_list("from_status", "to_status", "reason")) == [
        ("", "probation", IMPORT_REASON)
    ]
    assert consultant.probation_ends is not None


def test_existing_email_in_another_case_updates_the_member(existing):
    run_import(GOOD_FILE)

    assert User.objects.filter(email__iexact="existing@members.test").count() == 1
    existing.refresh_from_db()
    assert existing.user.email == "Existing@members.test"  # the account keeps its address
    assert existing.display_name == "Consultant 3 renamed"


def test_status_change_of_an_existing_member_lands_in_the_history(existing):
    run_import(GOOD_FILE)

    latest = ConsultantStatusChange.objects.filter(consultant=existing).first()
    assert (latest.from_status, latest.to_status, latest.reason) == (
        Consultant.Status.ACTIVE,
        Consultant.Status.ON_LEAVE,
        IMPORT_REASON,
    )


def test_update_adds_languages_and_skills_and_keeps_unlisted_ones(existing):
    run_import(GOOD_FILE)

    existing.refresh_from_db()
    assert sorted(existing.languages.values_list("code", flat=True)) == ["en", "fr"]
    assert sorted(existing.skills.values_list("skill__name", "level", "years", "note")) == [
        ("CiviCRM", 2, 3, "Own note."),
        ("Drupal", 2, 6, ""),
    ]


def test_empty_cells_keep_an_existing_members_values(existing):
    Consultant.objects.filter(pk=existing.pk).update(
        location="Berkeley, CA", hourly_rate=Decimal("80.00"), website="https://x.example.org"
    )

    run_import(GOOD_FILE)

    existing.refresh_from_db()
    assert existing.location == "Berkeley, CA"
    assert existing.hourly_rate == Decimal("80.00")
    assert existing.website == "https://x.example.org"


def test_a_changed_level_updates_the_skill_and_keeps_years_and_note(existing, tmp_path):
    path = write_csv(
        tmp_path, "email,display_name,skills\nexisting@members.test,Consultant 3,CiviCRM:4\n"
    )

    output = run_import(path)

    assert "0 created, 1 updated, 0 unchanged" in output
    assert list(existing.skills.values_list("skill__name", "level", "years", "note")) == [
        ("CiviCRM", 4, 3, "Own note.")
    ]


def test_file_with_a_byte_order_mark_is_read(taxonomy, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_FILE.read_bytes())

    output = run_import(path)

    assert "4 created" in output


def test_header_names_are_matched_regardless_of_case_and_spaces(taxonomy, tmp_path):
    path = write_csv(tmp_path, " Email , Display_Name \nconsultant1@members.test,Consultant 1\n")

    run_import(path)

    assert Consultant.objects.get().display_name == "Consultant 1"


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(taxonomy, tmp_path):
    path = write_csv(
        tmp_path,
        "email,display_name\n\nconsultant1@members.test,Consultant 1\n,\nbad,Consultant 2\n",
    )

    assert import_errors(path) == ["line 5: email: Enter a valid email address."]


# --- Idempotence and dry runs ------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(existing):
    run_import(GOOD_FILE)
    before = snapshot()

    output = run_import(GOOD_FILE)

    assert "0 created, 0 updated, 4 unchanged" in output
    assert snapshot() == before


def test_dry_run_reports_the_plan_and_writes_nothing(existing):
    before = snapshot()

    output = run_import(GOOD_FILE, "--dry-run", "--verbosity", "2")

    assert "3 created, 1 updated, 0 unchanged" in output
    assert "Nothing was written" in output
    assert "line 5: existing@members.test: updated" in output
    assert snapshot() == before


def test_dry_run_of_a_bad_file_reports_the_errors(taxonomy):
    with pytest.raises(CommandError, match="line 3: email: Enter a valid email address."):
        run_import(BAD_FILE, "--dry-run")


# --- Bad files ---------------------------------------------------------------------------------


def test_every_error_in_the_file_is_reported_together_and_nothing_is_imported(taxonomy):
    errors = import_errors(BAD_FILE)

    assert errors == [
        "line 3: email: Enter a valid email address.",
        "line 3: status: Select a valid choice. retired is not one of the available choices.",
        "line 3: timezone: 'Mars/Olympus' is not a known time zone (e.g. America/Los_Angeles).",
        "line 4: languages: unknown language code(s) xx (known: "
        "ar, asl, de, en, es, fa, fr, hi, ja, ko, pt, ru, tl, vi, zh)",
        "line 4: hourly_rate: Ensure this value is greater than or equal to 0.",
        "line 4: skills: 'WordPress:6': the level must be a whole number from 1 to 5",
        "line 4: skills: 'Basket weaving' is not a known skill, slug or alias",
        "line 4: groups: no consultant group has the slug 'no-such-group'",
        "line 5: email: CONSULTANT1@members.test is already on line 2",
        "line 5: display_name: This field is required.",
    ]
    assert not Consultant.objects.exists()  # not even line 2, which is fine on its own


HEADER = "email,display_name,status,timezone,languages,hourly_rate,skills,groups"
GOOD_ROW = "consultant1@members.test,Consultant 1,active,America/Los_Angeles,en,95,WordPress:4,"


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,WordPress:6,",
            "line 3: skills: 'WordPress:6': the level must be a whole number from 1 to 5",
            id="level-above-5",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,WordPress:0,",
            "line 3: skills: 'WordPress:0': the level must be a whole number from 1 to 5",
            id="level-below-1",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,WordPress:4:61,",
            "line 3: skills: 'WordPress:4:61': years: "
            "Ensure this value is less than or equal to 60.",
            id="years-above-60",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,WordPress,",
            "line 3: skills: 'WordPress': write skill:level or skill:level:years",
            id="skill-without-level",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,WordPress:4; wp:3,",
            "line 3: skills: WordPress is listed more than once",
            id="same-skill-twice",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,Basket weaving:3,",
            "line 3: skills: 'Basket weaving' is not a known skill, slug or alias",
            id="unknown-skill",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,-0.01,,",
            "line 3: hourly_rate: Ensure this value is greater than or equal to 0.",
            id="negative-rate",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,$95,,",
            "line 3: hourly_rate: Enter a number.",
            id="rate-not-a-number",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95.555,,",
            "line 3: hourly_rate: Ensure that there are no more than 2 decimal places.",
            id="rate-with-fractions-of-cents",
        ),
        pytest.param(
            "Consultant1@Members.test,Consultant 2,active,,,95,,",
            "line 3: email: Consultant1@Members.test is already on line 2",
            id="duplicate-email-in-another-case",
        ),
        pytest.param(
            "consultant2@members,Consultant 2,active,,,95,,",
            "line 3: email: Enter a valid email address.",
            id="bad-email",
        ),
        pytest.param(
            ",Consultant 2,active,,,95,,",
            "line 3: email: This field is required.",
            id="missing-email",
        ),
        pytest.param(
            "consultant2@members.test,,active,,,95,,",
            "line 3: display_name: This field is required.",
            id="missing-display-name",
        ),
        pytest.param(
            f"consultant2@members.test,{'x' * 121},active,,,95,,",
            "line 3: display_name: Ensure this value has at most 120 characters (it has 121).",
            id="display-name-too-long",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,retired,,,95,,",
            "line 3: status: Select a valid choice. retired is not one of the available choices.",
            id="bad-status",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,Pacific Time,,95,,",
            "line 3: timezone: 'Pacific Time' is not a known time zone (e.g. America/Los_Angeles).",
            id="bad-timezone",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,en;klingon,95,,",
            "line 3: languages: unknown language code(s) klingon",
            id="unknown-language",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,,web-team;team-b",
            "line 3: groups: no consultant group has the slug 'team-b'",
            id="unknown-group",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2,active,,,95,,,extra",
            "line 3: row: has 9 cells but the header has 8",
            id="too-many-cells",
        ),
        pytest.param(
            "consultant2@members.test,Consultant 2",
            "line 3: row: has 2 cells but the header has 8",
            id="too-few-cells",
        ),
    ],
)
def test_bad_row_is_reported_by_line_and_nothing_is_imported(taxonomy, tmp_path, bad_row, expected):
    path = write_csv(tmp_path, f"{HEADER}\n{GOOD_ROW}\n{bad_row}\n")

    errors = import_errors(path)

    assert len(errors) == 1
    assert errors[0].startswith(expected)
    assert not Consultant.objects.exists()


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("remote_ok", "maybe", "line 2: remote_ok: Write yes or no (true/false and 1/0 work too)."),
        ("sliding_scale", "si", "line 2: sliding_scale: Write yes or no"),
        ("currency", "US", "line 2: currency: Use a three-letter ISO 4217 code such as USD."),
        ("website", "consultant1 dot org", "line 2: website: Enter a valid URL."),
        (
            "capacity_hours_per_week",
            "81",
            "line 2: capacity_hours_per_week: Ensure this value is less than or equal to 80.",
        ),
        (
            "pro_bono_hours_per_month",
            "-1",
            "line 2: pro_bono_hours_per_month: Ensure this value is greater than or equal to 0.",
        ),
        (
            "capacity_hours_per_week",
            "ten",
            "line 2: capacity_hours_per_week: Enter a whole number.",
        ),
        (
            "bio",
            "x" * 5001,
            "line 2: bio: Ensure this value has at most 5000 characters (it has 5001).",
        ),
    ],
)
def test_bad_profile_cell_is_reported_with_the_models_message(
    taxonomy, tmp_path, header, values, expected
):
    path = write_csv(
        tmp_path, f"email,display_name,{header}\nconsultant1@members.test,Consultant 1,{values}\n"
    )

    errors = import_errors(path)

    assert len(errors) == 1 and errors[0].startswith(expected)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            "email,display_name,shoe_size,hourly rate",
            "line 1: header: unknown column(s) shoe_size, hourly rate (known columns: email, ",
            id="unknown-columns",
        ),
        pytest.param(
            "email,status",
            "line 1: header: missing required column(s) display_name",
            id="missing-required-column",
        ),
        pytest.param(
            "status,location",
            "line 1: header: missing required column(s) email, display_name",
            id="missing-both-required-columns",
        ),
        pytest.param(
            "email,display_name,Email",
            "line 1: header: column(s) email appear more than once",
            id="repeated-column",
        ),
        pytest.param(
            "email,display_name,,status",
            "line 1: header: column(s) 3 have no name",
            id="unnamed-column",
        ),
    ],
)
def test_bad_header_is_reported_and_nothing_is_imported(taxonomy, tmp_path, header, expected):
    path = write_csv(tmp_path, f"{header}\nconsultant1@members.test,Consultant 1\n")

    errors = import_errors(path)

    assert len(errors) == 1 and errors[0].startswith(expected)
    assert not Consultant.objects.exists()


def test_email_of_an_account_without_a_member_profile_is_refused(taxonomy, tmp_path):
    UserFactory(email="staff@members.test")
    path = write_csv(tmp_path, "email,display_name\nSTAFF@members.test,Consultant 1\n")

    assert import_errors(path) == [
        "line 2: email: STAFF@members.test belongs to an account without a member profile"
    ]


def test_file_that_is_not_utf8_is_refused_with_its_line(taxonomy, tmp_path):
    path = tmp_path / "latin1.csv"
    before = b"email,display_name\nc1@members.test,Consultant "
    path.write_bytes(before + "é\n".encode("latin-1"))

    assert import_errors(path) == [
        f"line 2: file: not UTF-8 (byte {len(before) + 1}); save the file as UTF-8"
    ]


def test_empty_file_is_refused(taxonomy, tmp_path):
    assert import_errors(write_csv(tmp_path, "")) == ["line 1: file: the file is empty"]


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "nowhere.csv")


# --- Scale --------------------------------------------------------------------------------------


def test_checking_a_file_costs_the_same_queries_however_many_rows(
    existing, tmp_path, django_assert_num_queries
):
    rows = [
        f"consultant{n}@members.test,Imported member {n},en;es,WordPress:4:10; civicrm:3,web-team"
        for n in range(300)
    ]
    rows[0] = "existing@members.test,Consultant 3,en,CiviCRM:2,crm-team"
    path = write_csv(
        tmp_path, "email,display_name,languages,skills,groups\n" + "\n".join(rows) + "\n"
    )

    # Skills; aliases; languages; groups; users by email (one batch for 300 rows); languages,
    # skills and groups of the existing members (one batch each); members by name (one batch).
    with django_assert_num_queries(9):
        output = run_import(path, "--dry-run")

    assert "299 created, 1 updated" in output


def test_a_failure_while_writing_rolls_back_every_row(taxonomy, monkeypatch):
    """A row that passed the checks can still fail when written (say an account with its email
    was created meanwhile); the rows written before it are rolled back with it."""
    real_skill_set = services.consultant_skill_set

    def skill_set_failing_for_consultant2(*, consultant, **kwargs):
        if consultant.display_name == "Consultant 2":
            raise ValidationError({"level": "Refused for the test."})
        return real_skill_set(consultant=consultant, **kwargs)

    monkeypatch.setattr(services, "consultant_skill_set", skill_set_failing_for_consultant2)

    assert import_errors(GOOD_FILE) == ["line 3: level: Refused for the test."]
    assert not Consultant.objects.exists()
    assert not User.objects.exists()
