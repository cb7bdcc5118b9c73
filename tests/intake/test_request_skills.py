"""A request's named, confirmed and mentioned skills: what the page and the API show, the one
service that changes them (page, API and triage), its events, and the refer-out rule they feed.

Named skills (the client's or a coordinator's) and confirmed suggestions are required; skills
recognised in the description are suggestions that only add to the text score, so a request
whose named skills a member holds is never referred out for what its description mentions."""

import re

import pytest

from intake import services as intake_services
from intake.client_view import client_status
from intake.models import Request, RequestEvent
from intake.workflow import request_apply
from network.models import Consultant, User
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    SkillAliasFactory,
    SkillFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

NAMED = ["Salesforce Nonprofit Success Pack", "data cleanup", "donor database management"]
NAMED_CANONICAL = ["Salesforce Nonprofit Success Pack", "Data cleanup", "Donor database management"]
MENTIONED = ["Microsoft Excel", "Mail merges", "Assistive technology"]
FOOD_BANK_DESCRIPTION = (
    "We are a food bank. Our donor records live in our old Excel spreadsheets and we send "
    "mail merges for thank-you letters. One of our volunteers uses a screen reader, so "
    "whatever we choose must work with it."
)


@pytest.fixture
def network(db):
    """The taxonomy's skills for the food bank's request; one active member holds the three it
    names, nobody holds the three its description mentions, an outside firm holds Excel."""
    skills = {name: SkillFactory(name=name) for name in NAMED_CANONICAL + MENTIONED}
    SkillAliasFactory(skill=skills["Salesforce Nonprofit Success Pack"], alias="NPSP")
    SkillAliasFactory(skill=skills["Microsoft Excel"], alias="Excel spreadsheets")
    SkillAliasFactory(skill=skills["Assistive technology"], alias="screen reader")
    holder = ConsultantFactory(
        display_name="Member 01 · CRM and data", status=Consultant.Status.ACTIVE, bio="CRM."
    )
    for name, level in zip(NAMED_CANONICAL, (5, 4, 4), strict=True):
        ConsultantSkillFactory(consultant=holder, skill=skills[name], level=level)
    outside = ExternalProfessionalFactory(name="Outside 01 · spreadsheets")
    outside.skills.add(skills["Microsoft Excel"])
    return {"skills": skills, "holder": holder, "outside": outside}


def submit(skills, description=FOOD_BANK_DESCRIPTION, title="A donor database for the food bank"):
    return intake_services.request_submit(
        organization_name="Eastside Food Bank",
        contact_name="Office desk",
        contact_email="office@food-bank.example.org",
        title=title,
        description=description,
        skills=list(skills),
    )


def moved(client_request, user, *actions):
    for action in actions:
        request_apply(request_id=client_request.pk, action=action, actor=user, version=None)
    return Request.objects.get(pk=client_request.pk)


@pytest.fixture
def food_bank(network, intake_coordinator):
    """The food bank's request, contacted and triaged by the desk."""
    return moved(submit(NAMED).request, intake_coordinator, "contact", "triage")


def page_url(client_request) -> str:
    return f"/coordination/requests/{client_request.pk}/"


def skills_url(client_request) -> str:
    return f"/coordination/requests/{client_request.pk}/skills/"


def api_skills_url(client_request) -> str:
    return f"/api/v1/requests/{client_request.pk}/skills/"


def api_matches_url(client_request) -> str:
    return f"/api/v1/requests/{client_request.pk}/matches/"


def signed_in(client, user):
    client.force_login(User.objects.get(pk=user.pk))
    return client


def section(html: str, css_class: str) -> str:
    """The HTML of the first <ul> with ``css_class`` (empty when there is none)."""
    found = re.search(rf'<ul class="[^"]*\b{css_class}\b[^"]*">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def snapshot(client_request) -> tuple:
    row = Request.objects.get(pk=client_request.pk)
    return (
        row.version,
        row.skills,
        row.confirmed_skills,
        row.dismissed_skills,
        RequestEvent.objects.filter(request=row).count(),
    )


# --- Named and mentioned: the food bank's request -------------------------------------------


def test_the_food_bank_request_is_not_referred_and_its_mentions_are_suggestions(
    client, api_as, intake_coordinator, food_bank, network
):
    body = api_as(intake_coordinator).get(api_matches_url(food_bank)).json()

    assert [match["skill"] for match in body["normalized_skills"]] == NAMED_CANONICAL
    assert [match["skill"] for match in body["mentioned_skills"]] == MENTIONED
    assert body["refer_out"] is False
    assert body["external"] == []
    assert body["unheld_skills"] == []
    assert body["skills"] == NAMED  # as the client wrote them
    assert body["confirmed_skills"] == [] and body["dismissed_skills"] == []
    first = body["candidates"][0]
    assert first["consultant"]["id"] == network["holder"].pk
    assert first["covered_skills"] == NAMED_CANONICAL and first["missing_skills"] == []
    html = signed_in(client, intake_coordinator).get(page_url(food_bank)).content.decode()
    assert "Nobody in the network fits" not in html
    assert "Member 01 · CRM and data" in html
    for skill in MENTIONED:
        assert skill in section(html, "skills-suggested")
        assert skill not in section(html, "skills-named")
        assert skill not in section(html, "skill-chips")  # the panel's counted skills
    assert 'name="skills-confirm" value="Microsoft Excel"' in html
    assert 'name="skills-dismiss" value="Assistive technology"' in html


def test_before_any_decision_mentions_alone_never_refer_out(api_as, intake_coordinator, network):
    """A description that only mentions skills nobody holds: ranked, not referred."""
    only_mentions = moved(
        submit([], description="Our old Excel spreadsheets and mail merges are a mess.").request,
        intake_coordinator,
        "contact",
    )
    body = api_as(intake_coordinator).get(api_matches_url(only_mentions)).json()

    assert body["normalized_skills"] == []
    assert [match["skill"] for match in body["mentioned_skills"]] == MENTIONED[:2]
    assert body["refer_out"] is False
    assert body["refer_out_reason"].startswith("No skills confirmed yet")


def test_a_request_naming_skills_nobody_holds_is_referred_below_the_members(
    client, api_as, intake_coordinator, network
):
    wanted = ["Donor database management", "Microsoft Excel", "Mail merges"]
    request = moved(submit(wanted).request, intake_coordinator, "contact", "triage")

    body = api_as(intake_coordinator).get(api_matches_url(request)).json()
    assert body["refer_out"] is True
    assert body["unheld_skills"] == ["Microsoft Excel", "Mail merges"]
    assert "No working member holds: Microsoft Excel, Mail merges." in body["refer_out_reason"]
    html = signed_in(client, intake_coordinator).get(page_url(request)).content.decode()
    members, refer = html.index("match-candidates"), html.index("Nobody in the network fits")
    assert members < refer  # the member suggestions first, the referral below them
    assert "No working member holds: Microsoft Excel, Mail merges." in html[refer:]
    # The outside firm is offered, not ticked: the coordinator chooses.
    box = re.search(rf'<input type="checkbox"[^>]*value="{network["outside"].pk}"[^>]*>', html)
    assert box is not None and "checked" not in box.group(0)


# --- The page's Skills section --------------------------------------------------------------


def test_confirm_dismiss_and_undo_from_the_page(client, intake_coordinator, food_bank):
    page = signed_in(client, intake_coordinator)
    version = food_bank.version

    response = page.post(
        skills_url(food_bank), {"skills-version": version, "skills-confirm": "Microsoft Excel"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(page_url(food_bank) + "#skills")
    row = Request.objects.get(pk=food_bank.pk)
    assert row.confirmed_skills == ["Microsoft Excel"] and row.version == version + 1
    event = RequestEvent.objects.filter(request=row).latest("pk")
    assert (event.action, event.actor_id) == ("skills_edit", intake_coordinator.pk)
    assert event.data["confirmed"] == ["Microsoft Excel"]
    assert event.from_status == event.to_status == ""  # not a stage: the client never sees it
    assert event.note == "Suggestions confirmed: Microsoft Excel."

    html = page.get(page_url(food_bank)).content.decode()
    assert "Suggestions confirmed: Microsoft Excel." in html  # the message, in plain words
    assert "Microsoft Excel" in section(html, "skills-confirmed")
    assert "Microsoft Excel" not in section(html, "skills-suggested")
    assert "Microsoft Excel" in section(html, "skill-chips")  # counted by the panel now

    page.post(
        skills_url(food_bank),
        {"skills-version": version + 1, "skills-dismiss": "Assistive technology"},
    )
    page.post(
        skills_url(food_bank), {"skills-version": version + 2, "skills-restore": "Microsoft Excel"}
    )
    row = Request.objects.get(pk=food_bank.pk)
    assert row.confirmed_skills == [] and row.dismissed_skills == ["Assistive technology"]
    html = page.get(page_url(food_bank)).content.decode()
    assert "Assistive technology" in section(html, "skills-dismissed")
    assert "Assistive technology" not in section(html, "skills-suggested")
    assert "Microsoft Excel" in section(html, "skills-suggested")
    assert [e.action for e in row.events.all()][-3:] == ["skills_edit"] * 3


def test_add_and_remove_named_skills_from_the_page(client, intake_coordinator, food_bank):
    page = signed_in(client, intake_coordinator)

    page.post(
        skills_url(food_bank),
        {"skills-version": food_bank.version, "skills-add": "Mailchimp, grant reports"},
    )
    page.post(
        skills_url(food_bank),
        {"skills-version": food_bank.version + 1, "skills-remove": "DATA CLEANUP"},
    )

    row = Request.objects.get(pk=food_bank.pk)
    assert row.skills == [NAMED[0], NAMED[2], "Mailchimp", "grant reports"]
    added, removed = row.events.filter(action="skills_edit").order_by("pk")
    assert added.data["added"] == ["Mailchimp", "grant reports"]
    assert removed.data["removed"] == ["data cleanup"]
    html = page.get(page_url(food_bank)).content.decode()
    assert "data cleanup" not in section(html, "skills-named")
    assert 'name="skills-remove" value="Mailchimp"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"skills-add": "  "}, "Type the skill to add."),
        ({"skills-confirm": "Basket weaving"}, "Not in the skills list: Basket weaving."),
        ({"skills-remove": "Python"}, "Not among the named skills: Python."),
        ({"skills-restore": "Microsoft Excel"}, "Neither confirmed nor dismissed"),
        ({"skills-add": "x" * 121}, "at most 120 characters"),
        ({"skills-add": "Salesforce Nonprofit Success Pack"}, "Already named"),
    ],
)
def test_bad_changes_from_the_page_are_form_errors_and_change_nothing(
    client, intake_coordinator, food_bank, data, message
):
    before = snapshot(food_bank)

    response = signed_in(client, intake_coordinator).post(
        skills_url(food_bank), {"skills-version": food_bank.version, **data}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "The skills were not changed" in response.content.decode()
    assert snapshot(food_bank) == before


def test_a_stale_page_is_refused_with_the_current_state(client, intake_coordinator, food_bank):
    Request.objects.filter(pk=food_bank.pk).update(version=food_bank.version + 1)
    before = snapshot(food_bank)

    response = signed_in(client, intake_coordinator).post(
        skills_url(food_bank),
        {"skills-version": food_bank.version, "skills-confirm": "Microsoft Excel"},
    )

    # Back to the request's Skills section (303), with the reason and the fresh state.
    assert response.status_code == 303
    assert response["Location"] == page_url(food_bank) + "#skills"
    page = client.get(response["Location"]).content.decode()
    assert "were not changed: it changed while you were looking at it." in page
    assert snapshot(food_bank) == before


def test_a_closed_request_takes_no_skill_change(client, intake_coordinator, food_bank):
    done = moved(food_bank, intake_coordinator, "withdraw")
    before = snapshot(done)

    response = signed_in(client, intake_coordinator).post(
        skills_url(done), {"skills-version": done.version, "skills-add": "Mailchimp"}
    )

    assert response.status_code == 303
    assert snapshot(done) == before
    html = signed_in(client, intake_coordinator).get(page_url(done)).content.decode()
    assert "no longer takes skill changes" in html
    assert 'name="skills-remove"' not in html and "Add skill" not in html


def test_only_the_desk_changes_skills_and_others_see_no_buttons(
    client, group_coordinator, intake_coordinator, food_bank
):
    group = group_coordinator.consultant.coordinated_groups.get()
    request_apply(
        request_id=food_bank.pk,
        action="route",
        actor=intake_coordinator,
        version=None,
        group=group.pk,
    )
    before = snapshot(food_bank)
    page = signed_in(client, group_coordinator)

    response = page.post(
        skills_url(food_bank), {"skills-version": before[0], "skills-add": "Mailchimp"}
    )

    assert response.status_code == 403
    assert snapshot(food_bank) == before
    html = page.get(page_url(food_bank)).content.decode()
    assert "Microsoft Excel" in section(html, "skills-suggested")  # sees the suggestions
    assert 'name="skills-confirm"' not in html and 'name="skills-remove"' not in html


def test_triage_form_confirms_the_ticked_suggestions(client, intake_coordinator, network):
    contacted = moved(submit(NAMED).request, intake_coordinator, "contact")
    page = signed_in(client, intake_coordinator)
    html = page.get(page_url(contacted)).content.decode()
    for skill in MENTIONED:
        assert f'name="triage-confirmed_skills" value="{skill}"' in html

    response = page.post(
        f"/coordination/requests/{contacted.pk}/transitions/triage/",
        {
            "triage-version": contacted.version,
            "triage-skills": ", ".join(NAMED),
            "triage-confirmed_skills": ["Mail merges"],
            "triage-urgency": "normal",
        },
    )

    assert response.status_code == 302
    row = Request.objects.get(pk=contacted.pk)
    assert row.status == Request.Status.TRIAGED
    assert row.confirmed_skills == ["Mail merges"]
    assert row.events.get(action="triage").data["confirmed_skills"] == ["Mail merges"]


# --- The API --------------------------------------------------------------------------------


def test_api_changes_skills_and_answers_with_the_new_state(api_as, intake_coordinator, food_bank):
    api = api_as(intake_coordinator)

    response = api.post(
        api_skills_url(food_bank),
        {
            "version": food_bank.version,
            "add": ["Grant writing"],
            "remove": ["data cleanup"],
            "confirm": ["microsoft excel"],  # any spelling of the name: stored canonical
            "dismiss": ["Assistive technology"],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == food_bank.version + 1
    assert body["skills"] == [NAMED[0], NAMED[2], "Grant writing"]
    assert body["confirmed_skills"] == ["Microsoft Excel"]
    assert body["dismissed_skills"] == ["Assistive technology"]
    assert [match["skill"] for match in body["mentioned_skills"]] == ["Mail merges"]
    event = RequestEvent.objects.filter(request=food_bank).latest("pk")
    assert event.data["added"] == ["Grant writing"] and event.data["removed"] == ["data cleanup"]
    assert event.data["confirmed"] == ["Microsoft Excel"]
    assert event.data["dismissed"] == ["Assistive technology"]

    detail = api.get(f"/api/v1/requests/{food_bank.pk}/").json()
    assert detail["confirmed_skills"] == ["Microsoft Excel"]
    assert detail["dismissed_skills"] == ["Assistive technology"]
    matches = api.get(api_matches_url(food_bank)).json()
    counted = [match["skill"] for match in matches["normalized_skills"]]
    assert counted == [NAMED_CANONICAL[0], NAMED_CANONICAL[2], "Microsoft Excel"]
    assert matches["unheld_skills"] == ["Microsoft Excel"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"add": "Mailchimp"}, "add"),  # not a list
        ({"add": [""]}, "add"),
        ({"add": ["x" * 121]}, "add"),
        ({"add": ["skill"] * 51}, "add"),
        ({"confirm": ["Basket weaving"]}, "confirm"),
        ({"dismiss": ["Microsoft Excel"], "confirm": ["Microsoft Excel"]}, "dismiss"),
        ({"restore": ["Mail merges"]}, "restore"),
        ({"remove": ["Python"]}, "remove"),
        ({}, "non_field_errors"),
        ({"colour": ["blue"]}, "colour"),
    ],
)
def test_api_bad_input_is_400_with_field_messages_and_changes_nothing(
    api_as, intake_coordinator, food_bank, body, field
):
    before = snapshot(food_bank)

    response = api_as(intake_coordinator).post(
        api_skills_url(food_bank), {"version": food_bank.version, **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot(food_bank) == before


def test_api_stale_version_and_closed_request_are_409(api_as, intake_coordinator, food_bank):
    api = api_as(intake_coordinator)
    before = snapshot(food_bank)

    stale = api.post(
        api_skills_url(food_bank),
        {"version": food_bank.version - 1, "add": ["Mailchimp"]},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["version"] == food_bank.version
    assert snapshot(food_bank) == before

    done = moved(food_bank, intake_coordinator, "withdraw")
    closed = api.post(
        api_skills_url(done), {"version": done.version, "add": ["Mailchimp"]}, format="json"
    )
    assert closed.status_code == 409
    assert "no longer takes skill changes" in closed.json()["detail"]


def test_api_refuses_those_who_do_not_work_the_queue(
    api_as, community_coordinator, member, intake_coordinator, food_bank
):
    before = snapshot(food_bank)
    body = {"version": food_bank.version, "add": ["Mailchimp"]}

    assert (
        api_as(community_coordinator).post(api_skills_url(food_bank), body, format="json")
    ).status_code == 403
    assert (
        api_as(member).post(api_skills_url(food_bank), body, format="json")
    ).status_code == 404  # a member sees only the requests offered to them
    assert snapshot(food_bank) == before


def test_a_coordinator_who_stops_working_loses_the_right(api_as, intake_coordinator, food_bank):
    Consultant.objects.filter(user=intake_coordinator).update(status=Consultant.Status.ON_LEAVE)
    before = snapshot(food_bank)

    response = api_as(User.objects.get(pk=intake_coordinator.pk)).post(
        api_skills_url(food_bank), {"version": food_bank.version, "add": ["x"]}, format="json"
    )

    assert response.status_code in (403, 404)
    assert snapshot(food_bank) == before


def test_api_triage_takes_confirmed_and_dismissed_skills(api_as, intake_coordinator, network):
    contacted = moved(submit(NAMED).request, intake_coordinator, "contact")
    api = api_as(intake_coordinator)
    before = snapshot(contacted)

    bad = api.post(
        f"/api/v1/requests/{contacted.pk}/transitions/",
        {"action": "triage", "version": contacted.version, "confirmed_skills": ["Nope"]},
        format="json",
    )
    assert bad.status_code == 400 and "confirmed_skills" in bad.json()
    assert snapshot(contacted) == before

    response = api.post(
        f"/api/v1/requests/{contacted.pk}/transitions/",
        {
            "action": "triage",
            "version": contacted.version,
            "confirmed_skills": ["Mail merges"],
            "dismissed_skills": ["Assistive technology"],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["confirmed_skills"] == ["Mail merges"]
    event = RequestEvent.objects.get(request=contacted, action="triage")
    assert event.data == {
        "confirmed_skills": ["Mail merges"],
        "dismissed_skills": ["Assistive technology"],
    }


def test_skill_edits_stay_internal(api_as, intake_coordinator, food_bank, network):
    api_as(intake_coordinator).post(
        api_skills_url(food_bank),
        {"version": food_bank.version, "confirm": ["Microsoft Excel"]},
        format="json",
    )
    stages = [entry["stage"] for entry in client_status(food_bank)["history"]]
    assert stages == ["submitted", "contacted", "triaged"]
    # A member the request is offered to sees its stages, not the desk's skill edits.
    holder = network["holder"]
    row = Request.objects.get(pk=food_bank.pk)
    request_apply(
        request_id=row.pk,
        action="route",
        actor=intake_coordinator,
        version=None,
        consultant=holder.pk,
    )
    events = api_as(holder.user).get(f"/api/v1/requests/{row.pk}/").json()["events"]
    assert "skills_edit" not in [event["action"] for event in events]
    everyone = api_as(intake_coordinator).get(f"/api/v1/requests/{row.pk}/").json()["events"]
    assert "skills_edit" in [event["action"] for event in everyone]


# --- What they cost -------------------------------------------------------------------------


def test_the_page_and_the_api_cost_a_bounded_number_of_queries(
    client, api_as, intake_coordinator, food_bank, network, django_assert_max_num_queries
):
    page = signed_in(client, intake_coordinator)
    api = api_as(intake_coordinator)
    page.get(page_url(food_bank))  # builds the index
    for number in range(15):
        other = ConsultantFactory(status=Consultant.Status.ACTIVE)
        ConsultantSkillFactory(consultant=other, skill=network["skills"]["Data cleanup"])
        ConsultantGroupFactory(name=f"Group {number}").members.add(other)
    page.get(page_url(food_bank))  # rebuilds after the edits

    with django_assert_max_num_queries(PAGE_QUERIES):
        assert page.get(page_url(food_bank)).status_code == 200
    with django_assert_max_num_queries(MATCHES_QUERIES):
        assert api.get(api_matches_url(food_bank)).status_code == 200
    with django_assert_max_num_queries(EDIT_QUERIES):
        response = api.post(
            api_skills_url(food_bank),
            {"version": food_bank.version, "confirm": ["Microsoft Excel"]},
            format="json",
        )
        assert response.status_code == 200


# Measured on SQLite with 16 members: the page 21 queries (session, roles, the request and its
# related rows, the timeline, the index's stamp once for the Skills section and the panel
# together), the matches 3 and the edit 9 (the API client keeps the user's role look-ups); a
# margin of two or three, and none grows with the number of members.
PAGE_QUERIES = 24
MATCHES_QUERIES = 5
EDIT_QUERIES = 11


def test_the_page_says_what_a_named_term_was_recognised_as(client, intake_coordinator, food_bank):
    food_bank.skills = ["NPSP", "data cleanup", "Quantum knitting"]
    food_bank.save(update_fields=["skills"])

    html = signed_in(client, intake_coordinator).get(page_url(food_bank)).content.decode()

    named = section(html, "skills-named")
    assert "recognised as Salesforce Nonprofit Success Pack" in named
    # A term written like its skill, and an unknown one, get no such line.
    assert named.count("recognised as") == 1
