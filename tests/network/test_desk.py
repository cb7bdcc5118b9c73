"""The desk (/desk/) and the navigation's counts: where sign-in lands, what each person finds,
the registry the apps plug their panels into (``network.desk``), and what it all costs in
queries. The panels' contents are tested beside their apps: tests/intake/test_desk.py,
tests/bids/test_desk.py and tests/handbook/test_desk.py."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Request
from network import desk
from network.models import Consultant
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    OfferFactory,
    RequestFactory,
    UserFactory,
)
from tests.helpers import PASSWORD, fresh, with_status

pytestmark = pytest.mark.django_db

DESK = "/desk/"


def panel_keys(response) -> list[str]:
    return re.findall(r'<section class="desk-panel" id="desk-([\w-]+)"', response.content.decode())


def nav_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


# --- Getting there ----------------------------------------------------------------------------


def test_the_desk_is_at_desk():
    assert reverse("desk") == DESK


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DESK}"


def test_signing_in_lands_on_the_desk(client, member):
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": member.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == DESK
    assert client.get(DESK).status_code == 200


def test_signing_in_with_a_next_address_still_goes_there(client, member):
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    response = client.post(
        f"{reverse('login')}?next=/members/",
        {"username": member.username, "password": PASSWORD, "next": "/members/"},
    )
    assert response["Location"] == "/members/"


# --- Who finds what ---------------------------------------------------------------------------


def test_an_account_with_no_role_and_no_profile_gets_a_friendly_page(signed_in):
    response = signed_in(UserFactory()).get(DESK)
    assert response.status_code == 200
    text = response.content.decode()
    assert "no role in the alliance and no member profile" in text
    assert f'href="{reverse("handbook-index")}"' in text
    assert f'href="{reverse("my-profile")}"' in text
    assert panel_keys(response) == []


@pytest.mark.parametrize(
    ("role", "panels"),
    [
        ("member", ["member", "bids", "handbook"]),
        ("group_coordinator", ["group", "member", "bids", "handbook"]),
        ("intake_coordinator", ["intake", "member", "bids", "record", "handbook"]),
        ("community_coordinator", ["intake", "record"]),
        ("secretary", ["record"]),
        ("admin", ["intake", "record"]),
    ],
)
def test_each_role_finds_its_panels(request, signed_in, role, panels):
    response = signed_in(request.getfixturevalue(role)).get(DESK)
    assert response.status_code == 200
    assert panel_keys(response) == panels


@pytest.mark.parametrize(
    "status",
    [
        Consultant.Status.ON_LEAVE,
        Consultant.Status.ALUMNI,
        Consultant.Status.FORMER,
        Consultant.Status.APPLICANT,
    ],
)
def test_a_member_who_is_not_working_gets_no_member_panel(signed_in, group_coordinator, status):
    OfferFactory(consultant=group_coordinator.consultant)
    user = with_status(group_coordinator, status)
    response = signed_in(user).get(DESK)
    assert response.status_code == 200
    assert panel_keys(response) == []
    text = response.content.decode()
    assert user.consultant.status_in_words in text
    assert "offers, team bids and votes are for active members" in text
    # Nor does the navigation count anything for them.
    assert 'class="nav-count"' not in nav_of(response)


def test_alumni_are_pointed_to_their_past_work(signed_in, member):
    response = signed_in(with_status(member, Consultant.Status.ALUMNI)).get(DESK)
    assert f'href="{reverse("my-engagements")}"' in response.content.decode()
    response = signed_in(with_status(member, Consultant.Status.FORMER)).get(DESK)
    assert f'href="{reverse("my-engagements")}"' not in response.content.decode()


def test_the_desk_names_the_hats_the_user_wears(signed_in, intake_coordinator):
    text = signed_in(intake_coordinator).get(DESK).content.decode()
    assert "as intake coordinator, member" in text


# --- The registry ---------------------------------------------------------------------------


@pytest.fixture
def scratch_registry(monkeypatch):
    """The registry emptied for one test (the apps' providers come back after it)."""
    monkeypatch.setattr(desk, "_providers", {})
    return desk


def test_panels_come_in_their_order_and_a_provider_may_have_none(scratch_registry, member):
    scratch_registry.register("later", lambda user: [desk.DeskPanel("b", "Later", order=20)])
    scratch_registry.register("none", lambda user: None)
    scratch_registry.register("first", lambda user: [desk.DeskPanel("a", "First", order=10)])
    assert [panel.key for panel in desk.panels_for(member)] == ["a", "b"]


def test_registering_a_key_again_replaces_its_provider(scratch_registry, member):
    scratch_registry.register("app", lambda user: [desk.DeskPanel("old", "Old", order=1)])
    scratch_registry.register("app", lambda user: [desk.DeskPanel("new", "New", order=1)])
    assert [panel.key for panel in desk.panels_for(member)] == ["new"]


def test_every_app_registers_its_provider():
    assert set(desk.registered()) >= {"intake", "bids", "handbook"}


def test_a_panel_is_empty_without_items_or_counts():
    assert desk.DeskPanel("k", "T", order=1, counts=[desk.DeskCount("None", 0)]).is_empty
    assert not desk.DeskPanel("k", "T", order=1, counts=[desk.DeskCount("One", 1)]).is_empty
    item = desk.DeskItem("Row", "/row/")
    assert not desk.DeskPanel("k", "T", order=1, items=[item]).is_empty


def test_count_all_counts_every_queryset_in_one_query(member, django_assert_num_queries):
    ConsultantFactory.create_batch(3, status=Consultant.Status.ALUMNI)
    users = get_user_model().objects.all()
    with django_assert_num_queries(1):
        counted = desk.count_all(
            member,
            {
                "alumni": Consultant.objects.filter(status=Consultant.Status.ALUMNI),
                "none": Consultant.objects.none().filter(pk=-1),
                "users": users,
            },
        )
    assert counted == {"alumni": 3, "none": 0, "users": users.count()}
    with django_assert_num_queries(0):
        assert desk.count_all(member, {}) == {}


def test_nav_counts_add_up_per_entry_in_one_query(
    scratch_registry, member, django_assert_num_queries
):
    ConsultantFactory.create_batch(2, status=Consultant.Status.ALUMNI)
    alumni = Consultant.objects.filter(status=Consultant.Status.ALUMNI)
    scratch_registry.register("a", counts=lambda user: [("queue", alumni), ("my_offers", alumni)])
    scratch_registry.register("b", counts=lambda user: [("queue", alumni)])
    with django_assert_num_queries(1):
        assert desk.nav_counts(member) == {"queue": 4, "my_offers": 2}
    nav = desk.DeskNav(member)
    assert (nav.total, nav.coordination, nav.my_work, nav.alliance) == (6, 4, 2, 0)


# --- The navigation ---------------------------------------------------------------------------


def test_anonymous_visitors_cost_no_query_for_the_navigation(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("home"))
    nav = nav_of(response)
    assert "Request help" in nav and "Handbook" in nav and "Desk" not in nav
    assert "Sign in" in response.content.decode()


def test_the_navigation_counts_in_one_query_per_page(signed_in, intake_coordinator):
    """The same page, with and without the counts: one query more, whatever the numbers."""
    client = signed_in(intake_coordinator)
    RequestFactory.create_batch(3)
    offered = RequestFactory(status=Request.Status.OFFERED)
    OfferFactory(request=offered, consultant=intake_coordinator.consultant)

    with CaptureQueriesContext(connection) as counted:
        response = client.get(reverse("home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(desk, "_providers", {})
        with CaptureQueriesContext(connection) as uncounted:
            client.get(reverse("home"))
    assert len(counted) == len(uncounted) + 1, "\n".join(
        q["sql"][:200] for q in counted.captured_queries + uncounted.captured_queries
    )
    nav = nav_of(response)
    assert re.search(r"Queue<span class=\"nav-count\">3<", nav)
    assert re.search(r"My offers<span class=\"nav-count\">1<", nav)
    assert re.search(r"Desk<span class=\"nav-count\">4<", nav)


def test_the_navigation_groups_links_by_role(signed_in, member, intake_coordinator, admin):
    as_member = nav_of(signed_in(member).get(reverse("home")))
    assert ">My work" in as_member and ">Alliance" in as_member and ">Account" in as_member
    assert ">Coordination" not in as_member and ">Admin<" not in as_member
    as_coordinator = nav_of(signed_in(intake_coordinator).get(reverse("home")))
    assert ">Coordination" in as_coordinator and ">Queue<" in as_coordinator
    as_admin = nav_of(signed_in(admin).get(reverse("home")))
    assert ">My work" not in as_admin and ">Admin<" in as_admin
    # The admin has no member record: the bid board sits with coordination.
    assert as_admin.index(">Coordination") < as_admin.index(">Bid board<")


def test_the_phone_menu_is_a_closed_disclosure(signed_in, member):
    nav = nav_of(signed_in(member).get(reverse("home")))
    assert '<details class="nav-menu" data-nav-menu>' in nav
    assert '<summary class="nav-menu-toggle">Menu' in nav
    assert "<details open" not in nav


def test_the_current_page_is_marked_and_its_group_too(signed_in, member):
    nav = nav_of(signed_in(member).get(reverse("my-offers")))
    assert f'href="{reverse("my-offers")}" aria-current="page">My offers' in nav
    assert '<summary class="nav-group-current">My work' in nav
    assert nav.count('aria-current="page"') == 1


def test_sign_out_stays_with_the_users_name(signed_in, member):
    html = signed_in(member).get(reverse("home")).content.decode()
    account = html[html.index('<div class="site-account">') :]
    account = account[: account.index("</div>")]
    assert member.consultant.display_name in account
    assert ">Sign out</button>" in account


# --- What the desk costs ------------------------------------------------------------------------


def _busy_alliance(person, rows: int) -> None:
    """``rows`` of everything the panels list, for a person who wears every hat."""
    for _ in range(rows):
        RequestFactory()
        OfferFactory(consultant=person.consultant)


@pytest.fixture
def every_hat(intake_coordinator):
    group = ConsultantGroupFactory(coordinator=intake_coordinator.consultant)
    group.members.add(intake_coordinator.consultant)
    return fresh(intake_coordinator)


def test_the_desk_costs_the_same_queries_for_one_row_or_many(
    signed_in, every_hat, django_assert_max_num_queries
):
    client = signed_in(every_hat)
    _busy_alliance(every_hat, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(DESK).status_code == 200
    _busy_alliance(every_hat, 12)
    # session, user, roles, member record, group coordinator; intake 4, group 3, offers and
    # engagements 3, bids 2, the record 4, votes and action items 4, the on-call rota 1; the
    # navigation's counts.
    with django_assert_max_num_queries(27):
        response = client.get(DESK)
    assert response.status_code == 200
    assert panel_keys(response) == ["intake", "group", "member", "bids", "record", "handbook"]
    with CaptureQueriesContext(connection) as many:
        client.get(DESK)
    assert len(many) == len(few)
