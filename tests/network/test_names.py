"""A name a person types cannot pass for another: no invisible or direction-changing characters
anywhere a person types a name, and no member may take another member's name (in another case,
spacing or compatibility form)."""

import pytest
from django.core.exceptions import ValidationError

from network import services
from network.models import Consultant, MembershipApplication
from network.text import hidden_characters, name_key, validate_visible_text
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db

# A zero-width space, a right-to-left override, a zero-width joiner, a left-to-right isolate, a
# soft hyphen, a Hangul filler, a byte-order mark and a control character.
HIDDEN = ["\u200b", "\u202e", "\u200d", "\u2066", "\u00ad", "\u3164", "\ufeff", "\x07"]


@pytest.mark.parametrize("character", HIDDEN)
def test_a_name_with_a_hidden_character_is_refused(character):
    with pytest.raises(ValidationError) as refused:
        validate_visible_text(f"Member{character} 05")
    assert f"U+{ord(character):04X}" in refused.value.messages[0]


@pytest.mark.parametrize(
    "name", ["Member 05 · office", "Nguyễn Thị Minh", "Zoë O'Brien-Smith", "李小龙", "مريم"]
)
def test_ordinary_names_in_any_script_are_accepted(name):
    validate_visible_text(name)
    assert hidden_characters(name) == []


def test_names_compare_without_case_spacing_or_compatibility_forms():
    assert name_key("Member 05") == name_key("  MEMBER   05 ") == name_key("Ｍｅｍｂｅｒ ０５")
    assert name_key("Member 05") != name_key("Member 06")


@pytest.mark.parametrize(
    "copy",
    ["Member 05 · office", "member 05 · OFFICE", "Member  05  ·  office", "Ｍember 05 · office"],
)
def test_a_member_cannot_take_another_members_name(copy):
    ConsultantFactory(display_name="Member 05 · office")
    impostor = ConsultantFactory(display_name="Member 07 · probation")

    with pytest.raises(ValidationError) as refused:
        services.consultant_update(consultant=impostor, display_name=copy)

    assert (
        "Another member already goes by this name" in refused.value.message_dict["display_name"][0]
    )
    assert Consultant.objects.get(pk=impostor.pk).display_name == "Member 07 · probation"


def test_a_member_may_save_their_own_name_again():
    member = ConsultantFactory(display_name="Member 05 · office")

    services.consultant_update(consultant=member, display_name="member 05 · Office")

    assert Consultant.objects.get(pk=member.pk).display_name == "member 05 · Office"


def test_the_profile_api_refuses_a_hidden_character_and_another_members_name(api_as):
    ConsultantFactory(display_name="Member 05 · office")
    me = ConsultantFactory(display_name="Member 07")
    client = api_as(me.user)

    for name in ("Member 05 · office", "Member\u200b 05 · office", "\u202e50 rebmeM"):
        response = client.patch(
            f"/api/v1/consultants/{me.pk}/", {"display_name": name}, format="json"
        )
        assert response.status_code == 400, name
        assert "display_name" in response.json()
    assert Consultant.objects.get(pk=me.pk).display_name == "Member 07"


def test_the_profile_page_refuses_another_members_name(client):
    ConsultantFactory(display_name="Member 05 · office")
    me = ConsultantFactory(display_name="Member 07")
    client.force_login(me.user)

    response = client.post(
        "/profile/",
        {
            "profile-display_name": "MEMBER 05 · OFFICE",
            "profile-timezone": me.timezone,
            "profile-hourly_rate": "90",
            "profile-currency": "USD",
            "profile-pro_bono_hours_per_month": 0,
            "profile-capacity_hours_per_week": 20,
        },
    )

    assert response.status_code in (200, 400)
    assert "Another member already goes by this name" in response.content.decode()
    assert Consultant.objects.get(pk=me.pk).display_name == "Member 07"


def test_the_join_form_refuses_a_hidden_character_in_the_name(client):
    response = client.post(
        "/join/",
        {
            "name": "Member\u202e 05",
            "email": "joiner@applicants.test",
            "statement": "Eight years of Drupal.",
        },
    )

    assert response.status_code == 200
    assert "invisible or direction-changing" in response.content.decode()
    assert not MembershipApplication.objects.exists()


@pytest.mark.parametrize("field", ["organization_name", "contact_name"])
def test_a_request_submission_refuses_a_hidden_character_in_a_name(api, field):
    body = {
        "organization_name": "Harbour Literacy Project",
        "contact_name": "Contact Person",
        "contact_email": "office@harbour.example.org",
        "title": "Donor database",
        "description": "Duplicates everywhere.",
    }
    body[field] = body[field].replace(" ", "\u200b ")

    response = api.post("/api/v1/requests/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda name: services.group_create(name=name), "name"),
        (lambda name: services.skill_create(name=name), "name"),
        (lambda name: services.external_professional_create(name=name), "name"),
    ],
    ids=["group", "skill", "outside professional"],
)
def test_other_names_people_type_refuse_hidden_characters(make, field):
    with pytest.raises(ValidationError) as refused:
        make("Office\u200b help")
    assert field in refused.value.message_dict


def test_the_csv_import_refuses_another_members_name_and_a_name_twice_in_the_file(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    ConsultantFactory(display_name="Member 05 · office")
    path = tmp_path / "members.csv"
    path.write_text(
        "email,display_name\n"
        "new1@members.test,MEMBER 05 · Office\n"
        "new2@members.test,New member\n"
        "new3@members.test,new  member\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_consultants", str(path), "--dry-run", stdout=StringIO())

    message = str(refused.value)
    assert "line 2: display_name: Another member already goes by this name" in message
    assert "line 4: display_name: the same name is on line 3" in message
    assert Consultant.objects.count() == 1
