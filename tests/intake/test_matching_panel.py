"""The suggestions panel on the coordinator's request page: who sees it, what it shows, and that
its one-click forms make the move they name (offer, route, refer out) through the workflow."""

from html.parser import HTMLParser

import pytest

from intake.models import Request
from network.models import User
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    OfferFactory,
    RequestFactory,
    SkillFactory,
)
from tests.helpers import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def page_url(client_request) -> str:
    return f"/coordination/requests/{client_request.pk}/"


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(User.objects.get(pk=user.pk))
        return client

    return sign_in


@pytest.fixture
def network(db):
    civicrm = SkillFactory(name="CiviCRM")
    accessibility = SkillFactory(name="Web accessibility")
    best = ConsultantFactory(display_name="Member 01 · CRM", bio="Donor databases.")
    ConsultantSkillFactory(consultant=best, skill=civicrm, level=5)
    second = ConsultantFactory(display_name="Member 02 · CRM")
    ConsultantSkillFactory(consultant=second, skill=civicrm, level=3)
    crm_team = ConsultantGroupFactory(name="CRM team")
    crm_team.members.add(best, second)
    outside = ExternalProfessionalFactory(name="Outside 01 · accessibility")
    outside.skills.add(accessibility)
    return {"best": best, "second": second, "crm_team": crm_team, "outside": outside}


class PanelForms(HTMLParser):
    """The forms inside the panel's section, as a browser would post them."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._in_panel = False
        self._depth = 0
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "match-panel" in (attributes.get("class") or ""):
            self._in_panel, self._depth = True, 0
        if not self._in_panel:
            return
        if tag == "section":
            self._depth += 1
        if tag == "form":
            self.forms.append({"class": attributes["class"], "action": attributes["action"]})
            self.forms[-1]["data"] = {}
        elif tag == "input" and self.forms:
            if attributes.get("type") == "checkbox" and "checked" not in attributes:
                return
            data = self.forms[-1]["data"]
            data.setdefault(attributes["name"], []).append(attributes.get("value", ""))
        elif tag == "textarea" and self.forms:
            self._textarea = attributes["name"]
            self.forms[-1]["data"][self._textarea] = [""]

    def handle_endtag(self, tag):
        if self._in_panel and tag == "section":
            self._depth -= 1
            self._in_panel = self._depth > 0
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.forms[-1]["data"][self._textarea][0] += data

    def named(self, css_class: str) -> list[dict]:
        return [form for form in self.forms if css_class in form["class"]]


def panel_forms(response) -> PanelForms:
    return PanelForms(response.content.decode())


# --- What the panel shows -----------------------------------------------------------------


def test_panel_lists_candidates_with_their_reasons(signed_in, intake_coordinator, network):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM", "Sanskrit poetry"])

    response = signed_in(intake_coordinator).get(page_url(triaged))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suggested members" in html
    assert html.index("Member 01 · CRM") < html.index("Member 02 · CRM")
    assert "<meter" in html and "Skills covered" in html and "Fair rotation" in html
    assert "Has: CiviCRM" in html
    assert "Sanskrit poetry" in html  # unknown, shown as such
    assert 'style="' not in html[html.index("match-panel") : html.index("actions-title")]


def test_a_member_offered_the_request_sees_no_panel(signed_in, network):
    offered = RequestFactory(
        status=Request.Status.OFFERED,
        assigned_group=network["crm_team"],
        offered_consultant=network["best"],
    )
    OfferFactory(request=offered, consultant=network["best"], expires_at=offered.submitted_at)

    response = signed_in(network["best"].user).get(page_url(offered))

    assert response.status_code == 200
    assert "Suggested members" not in response.content.decode()


def test_a_closed_request_has_no_panel(signed_in, intake_coordinator, network):
    done = RequestFactory(status=Request.Status.COMPLETED)

    response = signed_in(intake_coordinator).get(page_url(done))

    assert "Suggested members" not in response.content.decode()


# --- One click: offer, route, refer out ---------------------------------------------------


def test_intake_coordinator_offers_a_triaged_request_in_one_click(
    signed_in, intake_coordinator, network
):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM"])
    client = signed_in(intake_coordinator)
    offer = panel_forms(client.get(page_url(triaged))).named("match-offer-form")[0]

    # Before routing, an offer to one member is the route move with a consultant.
    assert offer["action"].endswith("/transitions/route/")
    response = client.post(offer["action"], offer["data"])

    assert response.status_code == 302
    triaged.refresh_from_db()
    assert triaged.status == Request.Status.OFFERED
    assert triaged.offered_consultant == network["best"]


def test_group_coordinator_offers_a_routed_request_in_one_click(signed_in, network):
    coordinator = ConsultantFactory()
    network["crm_team"].coordinator = coordinator
    network["crm_team"].save()
    routed = RequestFactory(
        status=Request.Status.ROUTED, assigned_group=network["crm_team"], skills=["CiviCRM"]
    )
    client = signed_in(coordinator.user)
    offers = panel_forms(client.get(page_url(routed))).named("match-offer-form")

    assert offers[1]["data"]["offer-consultant"] == [str(network["second"].pk)]
    response = client.post(offers[1]["action"], offers[1]["data"])

    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == Request.Status.OFFERED
    assert routed.offered_consultant == network["second"]


def test_route_to_the_group_holding_most_candidates(signed_in, intake_coordinator, network):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM"])
    client = signed_in(intake_coordinator)
    response = client.get(page_url(triaged))
    assert "Route to CRM team" in response.content.decode()
    route = panel_forms(response).named("match-route-form")[0]

    client.post(route["action"], route["data"])

    triaged.refresh_from_db()
    assert triaged.status == Request.Status.ROUTED
    assert triaged.assigned_group == network["crm_team"]


def test_the_route_hint_counts_members_in_singular_and_plural(
    signed_in, intake_coordinator, network
):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM"])
    client = signed_in(intake_coordinator)
    assert "2 of these members are in CRM team." in client.get(page_url(triaged)).content.decode()

    network["crm_team"].members.remove(network["second"])

    html = client.get(page_url(triaged)).content.decode()
    assert "1 of these members is in CRM team." in html
    assert "1 of these members are" not in html


def test_a_stale_one_click_offer_is_refused(signed_in, intake_coordinator, network):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM"])
    client = signed_in(intake_coordinator)
    offer = panel_forms(client.get(page_url(triaged))).named("match-offer-form")[0]
    Request.objects.filter(pk=triaged.pk).update(version=triaged.version + 1)

    response = client.post(offer["action"], offer["data"])

    # Back to the request's own page with the reason, not a 409 at the move's address.
    assert response.status_code == 303
    assert response["Location"] == page_url(triaged)
    triaged.refresh_from_db()
    assert triaged.status == Request.Status.TRIAGED


def test_refer_out_offers_the_suggested_professionals_unticked(
    signed_in, intake_coordinator, network
):
    ExternalProfessionalFactory(name="Outside 02 · unrelated")
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["Web accessibility"])
    client = signed_in(intake_coordinator)
    response = client.get(page_url(triaged))
    html = response.content.decode()
    assert "Nobody in the network fits" in html
    assert "No working member holds: Web accessibility." in html
    refer = panel_forms(response).named("match-refer-form")[0]

    # Offered, not ticked: the coordinator chooses whom to recommend.
    assert f'value="{network["outside"].pk}"' in html[html.index("match-refer-form") :]
    assert "refer_out-professionals" not in refer["data"]
    refer["data"]["refer_out-professionals"] = [str(network["outside"].pk)]
    assert "Web accessibility" in refer["data"]["refer_out-message"][0]
    refer["data"]["refer_out-message"] = ["Edited by the coordinator: please contact them."]
    # Referring out closes the request for good: refused until the box is ticked.
    assert "refer_out-confirm" not in refer["data"]
    refused = client.post(refer["action"], refer["data"])
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    assert Request.objects.get(pk=triaged.pk).status == Request.Status.TRIAGED
    refer["data"]["refer_out-confirm"] = ["on"]
    client.post(refer["action"], refer["data"])

    triaged.refresh_from_db()
    assert triaged.status == Request.Status.REFERRED_OUT
    referral = triaged.referrals.get()
    assert list(referral.professionals.all()) == [network["outside"]]
    assert referral.message == "Edited by the coordinator: please contact them."


# --- What the page costs ------------------------------------------------------------------


def test_the_panel_adds_a_bounded_number_of_queries(signed_in, intake_coordinator, network):
    triaged = RequestFactory(status=Request.Status.TRIAGED, skills=["CiviCRM"])
    client = signed_in(intake_coordinator)
    client.get(page_url(triaged))  # builds the index
    few = count_queries(client, page_url(triaged))
    for _ in range(20):
        ConsultantSkillFactory(
            consultant=ConsultantFactory(), skill=network["best"].skills.get().skill
        )
    client.get(page_url(triaged))  # rebuilds after the edits

    # The same page with 22 candidates instead of 2: the panel's queries (the index's stamp,
    # the suggested group's name, the request's languages) do not grow with the network.
    assert count_queries(client, page_url(triaged)) == few
