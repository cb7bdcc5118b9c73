"""The member directory at scale: a capped count on the page and the API ("more than N"), pages
that keep working past the cap, and the queries each costs."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers

from network import access, selectors
from network.filters import ConsultantFilter
from network.models import Consultant, ConsultantGroup, ConsultantSkill, Language, Skill
from network.pagination import CappedPaginator
from network.serializers import (
    RATE_FIELDS,
    ConsultantSerializer,
    ConsultantSkillSerializer,
    GroupReferenceSerializer,
)
from network.templatetags.numbers import grouped
from tests.factories import ConsultantFactory
from tests.helpers import api_schema_document, assert_matches_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]

CONSULTANTS = "/api/v1/consultants/"


def _count_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if query["sql"].startswith("SELECT COUNT(*)")]


# --- The paginator ----------------------------------------------------------------------------


def test_paginator_counts_exactly_up_to_the_cap(thirty_members):
    paginator = CappedPaginator(Consultant.objects.order_by("pk"), 10, cap=30)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (30, False, 3)
    assert paginator.page(3).has_next() is False


def test_paginator_over_the_cap_says_so_and_pages_on_by_reading_one_row_more(thirty_members):
    paginator = CappedPaginator(Consultant.objects.order_by("pk"), 10, cap=12)
    with CaptureQueriesContext(connection) as captured:
        first = paginator.page(1)
    assert (paginator.count, paginator.capped) == (12, True)
    # One count that stops at cap + 1 rows, then the page itself.
    (count,) = _count_queries(captured)
    assert re.search(r"LIMIT 13\b", count) and "ORDER BY" not in count
    assert first.has_next() and (first.start_index(), first.end_index()) == (1, 10)
    last = paginator.page(3)
    assert not last.has_next() and (last.start_index(), last.end_index()) == (21, 30)
    seen = [row.pk for number in (1, 2, 3) for row in paginator.page(number)]
    assert seen == list(Consultant.objects.order_by("pk").values_list("pk", flat=True))


def test_paginator_past_the_end_over_the_cap_falls_back_to_the_last_page(thirty_members):
    paginator = CappedPaginator(Consultant.objects.order_by("pk"), 10, cap=12)
    assert paginator.get_page(9).number == 3  # the one full count, only here
    assert paginator.get_page("x").number == 1


def test_paginator_takes_the_cap_from_the_settings(settings, thirty_members):
    settings.DIRECTORY_COUNT_CAP = 7
    paginator = CappedPaginator(Consultant.objects.all(), 25)
    assert (paginator.count, paginator.capped) == (7, True)


def test_grouped_numbers_follow_the_language():
    assert grouped(1000) == "1,000"
    with translation.override("es"):
        assert grouped(100000) == "100\xa0000"


# --- The page ---------------------------------------------------------------------------------


def test_page_over_the_cap_says_more_than_and_pages_on(
    client, signed_in, member, thirty_members, settings
):
    settings.DIRECTORY_COUNT_CAP = 5
    signed_in(member)
    first = client.get(reverse("member-list"))
    text = first.content.decode()
    assert "Showing 1–25 of more than 5 members." in text
    assert "Page 1<" in text and "Page 1 of" not in text
    assert 'href="?page=2"' in text
    second = client.get(reverse("member-list"), {"page": "2"}).content.decode()
    assert "Showing 26–31 of more than 5 members." in second  # 30 and the viewer
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_page_under_the_cap_counts_exactly(client, signed_in, member, thirty_members, settings):
    settings.DIRECTORY_COUNT_CAP = 31
    signed_in(member)
    text = client.get(reverse("member-list")).content.decode()
    assert "Showing 1–25 of 31 members." in text and "Page 1 of 2" in text
    assert "more than" not in text


def test_page_over_the_cap_in_spanish(client, signed_in, member, thirty_members, settings):
    settings.DIRECTORY_COUNT_CAP = 5
    signed_in(member)
    text = client.get(reverse("member-list"), headers={"accept-language": "es"}).content.decode()
    assert "Mostrando 1–25 de más de 5 miembros." in text
    assert "Página 1<" in text


def test_htmx_results_over_the_cap_update_the_count(
    client, signed_in, member, thirty_members, settings
):
    settings.DIRECTORY_COUNT_CAP = 5
    signed_in(member)
    response = client.get(reverse("member-list"), headers={"HX-Request": "true"})
    assert b'hx-swap-oob="innerHTML">Showing 1\xe2\x80\x9325 of more than 5 members.' in (
        response.content
    )


def test_page_queries_stay_bounded_over_the_cap(
    client, signed_in, member, thirty_members, settings, django_assert_max_num_queries
):
    settings.DIRECTORY_COUNT_CAP = 5
    signed_in(member)
    # As without a cap (test_directory_pages): the capped count takes the plain count's place.
    with django_assert_max_num_queries(14) as captured:
        response = client.get(reverse("member-list"))
    assert len(response.context["entries"]) == 25
    (count,) = _count_queries(captured)
    assert re.search(r"LIMIT 6\b", count)


# --- The API ----------------------------------------------------------------------------------


def test_api_over_the_cap_answers_the_cap_and_count_capped(
    api_as, member, thirty_members, settings
):
    settings.DIRECTORY_COUNT_CAP = 5
    client = api_as(member)
    seen, address = [], CONSULTANTS + "?page_size=10"
    while address:
        body = client.get(address).json()
        assert (body["count"], body["count_capped"]) == (5, True)
        seen += [row["id"] for row in body["results"]]
        address = body["next"]
    assert len(seen) == len(set(seen)) == 31  # every member once, the viewer included
    assert body["previous"] is not None


def test_api_under_the_cap_counts_exactly(api_as, member, thirty_members, settings):
    settings.DIRECTORY_COUNT_CAP = 31
    body = api_as(member).get(CONSULTANTS, {"page_size": 10}).json()
    assert (body["count"], body["count_capped"]) == (31, False)


def test_api_last_page_and_past_the_end_over_the_cap(api_as, member, thirty_members, settings):
    settings.DIRECTORY_COUNT_CAP = 5
    client = api_as(member)
    last = client.get(CONSULTANTS, {"page_size": 10, "page": "last"})
    assert last.status_code == 200 and len(last.json()["results"]) == 1
    assert last.json()["next"] is None
    assert client.get(CONSULTANTS, {"page_size": 10, "page": "5"}).status_code == 404
    assert client.get(CONSULTANTS, {"page_size": 10, "page": "0"}).status_code == 404


def test_api_capped_answer_matches_the_schema(api_as, member, thirty_members, settings):
    settings.DIRECTORY_COUNT_CAP = 5
    response = api_as(member).get(CONSULTANTS)
    assert response.json()["count_capped"] is True
    assert_matches_schema(response, "GET /api/v1/consultants/")
    page = api_schema_document()["components"]["schemas"]["PaginatedConsultantList"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]


def test_api_filtered_over_the_cap_keeps_its_query_budget(
    api_as, intake_coordinator, thirty_members, settings, django_assert_max_num_queries
):
    settings.DIRECTORY_COUNT_CAP = 5
    client = api_as(intake_coordinator)
    # 1 roles, 2 the language, 3 the group, 4 the capped count, 5 the page, 6 skills,
    # 7 languages, 8 groups (as test_api_consultants' budget, minus the skill look-up).
    with django_assert_max_num_queries(8):
        response = client.get(
            CONSULTANTS,
            {"language": "en", "group": "big-group", "available_on": "2030-01-07"},
        )
    assert response.json()["count_capped"] is True
    assert len(response.json()["results"]) == 25


def test_api_search_and_skill_filters_agree_with_the_cap(api_as, member, settings):
    settings.DIRECTORY_COUNT_CAP = 3
    for number in range(5):
        ConsultantFactory(display_name=f"Oakland helper {number}", status="active")
    ConsultantFactory(display_name="Elsewhere", status="active")
    body = api_as(member).get(CONSULTANTS, {"search": "oakland"}).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 5)
    body = api_as(member).get(CONSULTANTS, {"search": "elsewhere"}).json()
    assert (body["count"], body["count_capped"]) == (1, False)


# --- The search ---------------------------------------------------------------------------------


def _found(**query) -> set[str]:
    found = ConsultantFilter(query, queryset=Consultant.objects.all()).qs
    return set(found.values_list("display_name", flat=True))


def test_search_finds_each_word_in_the_name_location_or_bio_in_any_case():
    ConsultantFactory(display_name="Ana Green", location="Oakland, CA", bio="Databases.")
    ConsultantFactory(display_name="Bo Lee", location="Fresno", bio="Greenhouse gardens; SQL.")
    ConsultantFactory(display_name="Cy Park", location="oakland", bio="Websites at 100% and a_b.")

    assert _found(search="GREEN") == {"Ana Green", "Bo Lee"}
    assert _found(search="oakland") == {"Ana Green", "Cy Park"}
    assert _found(search="green OAKLAND") == {"Ana Green"}  # every word, anywhere
    # A word never runs on from one field into the next.
    assert _found(search="GreenOakland") == set() and _found(search="Leefresno") == set()
    # % and _ are letters to look for, not patterns.
    assert _found(search="100%") == {"Cy Park"} and _found(search="a_b") == {"Cy Park"}
    assert _found(search="a%b") == set() and _found(search="1_0") == set()


def test_the_stored_search_text_follows_every_change():
    member = ConsultantFactory(display_name="Di Moss", location="Reno", bio="")
    member.location = "Sacramento"
    member.save()
    assert _found(search="sacramento") == {"Di Moss"} and _found(search="reno") == set()
    Consultant.objects.filter(pk=member.pk).update(bio="Print shop volunteer")
    assert _found(search="print") == {"Di Moss"}


def test_a_directory_page_does_not_read_the_search_text_back(api_as, member, thirty_members):
    with CaptureQueriesContext(connection) as captured:
        answer = api_as(member).get(CONSULTANTS, {"search": "consultant"})
    assert answer.status_code == 200 and answer.json()["results"]
    # The page's rows: the query ordered and filtered on the search text. It filters on it but
    # does not select it, leaving the copy of the name, location and bio in the table.
    [page] = [
        query["sql"]
        for query in captured
        if "ORDER BY" in query["sql"] and "search_text" in query["sql"].split(" WHERE ", 1)[-1]
    ]
    assert "search_text" not in page.split(" FROM ")[0]


# --- The directory's written-out serializers --------------------------------------------------


def test_skills_and_groups_written_out_read_as_the_generic_serializer_would(directory):
    ConsultantSkill.objects.filter(pk__in=ConsultantSkill.objects.values("pk")[:5]).update(
        years=7, note="Since version 9"
    )
    entries = list(ConsultantSkill.objects.select_related("skill"))
    assert {entry.years for entry in entries} == {7, None}
    for entry in entries:
        written_out = ConsultantSkillSerializer(entry).data
        generic = serializers.Serializer.to_representation(ConsultantSkillSerializer(), entry)
        assert written_out == generic and list(written_out) == list(generic)
    for group in ConsultantGroup.objects.all():
        generic = serializers.Serializer.to_representation(GroupReferenceSerializer(), group)
        assert GroupReferenceSerializer(group).data == generic


def test_members_written_out_read_as_the_generic_serializer_would(
    rf, directory, member, intake_coordinator
):
    first, second = directory[:2]
    first.website, first.hourly_rate, first.sliding_scale = "https://example.org", "95.5", True
    first.save()
    ConsultantSkill.objects.filter(consultant=second).update(years=3, note="Since 2019")
    second.languages.clear()
    second.consultant_groups.clear()
    viewers = (member, intake_coordinator, first.user)
    compared = Counter()
    for viewer in viewers:
        request = rf.get(CONSULTANTS)
        request.user = viewer
        serializer = ConsultantSerializer(context={"request": request})
        for consultant in selectors.with_directory_details(Consultant.objects.order_by("pk")):
            written_out = serializer.to_representation(consultant)
            generic = serializers.ModelSerializer.to_representation(serializer, consultant)
            sees_rates = access.can_see_rates(viewer, consultant)
            if not sees_rates:
                generic.update(dict.fromkeys(RATE_FIELDS, None))
            assert written_out == generic and list(written_out) == list(generic)
            compared[sees_rates] += 1
    # The rates were compared shown (to the coordinator, and to the member on their own row)
    # and hidden (to another member); "95.50" as the declared field renders it.
    assert compared[True] > len(directory) and compared[False] > len(directory)
    [mine] = selectors.with_directory_details([first])
    request = rf.get(CONSULTANTS)
    request.user = first.user
    assert ConsultantSerializer(mine, context={"request": request}).data["hourly_rate"] == "95.50"


def test_a_directory_page_builds_no_model_for_a_row_s_skills_languages_or_groups(
    api_as, client, signed_in, member, thirty_members
):
    built = []

    def count(sender, **kwargs):
        built.append(sender.__name__)

    kinds = (ConsultantSkill, Skill, Language, ConsultantGroup)
    for kind in kinds:
        post_init.connect(count, sender=kind)
    try:
        answer = api_as(member).get(CONSULTANTS)
        from_the_api = list(built)
        page = signed_in(member).get(reverse("member-list"))
    finally:
        for kind in kinds:
            post_init.disconnect(count, sender=kind)

    assert answer.status_code == 200 and page.status_code == 200
    assert from_the_api == []
    # The page's filter form lists the languages and groups to choose from; the rows add none.
    from_the_page = Counter(built[len(from_the_api) :])
    assert (
        from_the_page
        == Counter(
            {
                "Language": Language.objects.count(),
                "ConsultantGroup": ConsultantGroup.objects.count(),
            }
        )
        - Counter()
    )
    # What they show is there all the same: every row's three skills, language and group.
    shown = {consultant.pk for consultant in thirty_members}
    rows = [row for row in answer.json()["results"] if row["id"] in shown]
    assert rows and all(len(row["skills"]) == 3 for row in rows)
    assert all([group["slug"] for group in row["groups"]] == ["big-group"] for row in rows)
    assert all(row["languages"] == ["en"] for row in rows)
    assert page.content.decode().count('class="skill-chip"') >= 3 * len(rows)
