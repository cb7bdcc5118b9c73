"""The editor and the new-page form: a server-rendered preview that saves nothing, a page's text
asked for (not optional), and messages that say what happened to which page."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from handbook import services
from handbook.forms import BODY_REQUIRED
from handbook.models import Page, PageRevision
from tests.helpers import handbook_page_url as page_url

pytestmark = pytest.mark.django_db

PREVIEWED = "## Who covers\n\nA **named** colleague; see [[How intake works]] and [[Cover plan]]."


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def new_page(**fields):
    return {"title": "Cover during time away", "category": "procedure",
            "visibility": "members", "body": PREVIEWED, **fields}  # fmt: skip


def edit_of(page, **fields):
    return {"base_revision": page.latest_revision_id, "title": page.title, "body": PREVIEWED,
            "summary": "Say who", **fields}  # fmt: skip


def preview_section(response) -> str:
    match = re.search(r'<section[^>]*id="preview".*?</section>', response.content.decode(), re.S)
    assert match, "the page has a preview"
    return match.group(0)


# --- Preview --------------------------------------------------------------------------------


def test_the_forms_offer_save_and_preview(signed_in, member, pages):
    client = signed_in(member)
    for address in (reverse("handbook-new"), page_url(pages["guide"], "handbook-edit")):
        content = client.get(address).content.decode()
        assert re.search(r'<button type="submit" name="preview" value="1"[^>]*>Preview<', content)
        assert 'id="preview"' not in content


def test_previewing_a_new_page_renders_it_and_creates_nothing(signed_in, member, pages):
    response = signed_in(member).post(reverse("handbook-new"), new_page(preview="1"))

    assert response.status_code == 200
    preview = preview_section(response)
    assert "Preview: Cover during time away" in preview
    assert '<h2 id="who-covers">Who covers</h2>' in preview
    assert "<strong>named</strong>" in preview
    assert 'href="/handbook/pages/how-intake-works/" class="wikilink"' in preview
    assert 'class="wikilink missing"' in preview  # [[Cover plan]] is not written yet
    # The text stays in the form, to go on writing or to save.
    assert response.context["form"]["body"].value() == PREVIEWED
    assert Page.objects.count() == 3 and PageRevision.objects.count() == 3
    assert messages_of(response) == []


def test_previewing_an_edit_renders_it_and_saves_nothing(signed_in, member, pages):
    page = pages["guide"]
    before = list(PageRevision.objects.values_list("pk", "body"))

    response = signed_in(member).post(page_url(page, "handbook-edit"), edit_of(page, preview="1"))

    assert response.status_code == 200
    assert "<strong>named</strong>" in preview_section(response)
    content = response.content.decode()
    assert f'name="base_revision" value="{page.latest_revision_id}"' in content
    assert content.index('id="preview"') < content.index('id="editor"')  # above the form
    page.refresh_from_db()
    assert page.body == "Rate agreements split the pool."
    assert list(PageRevision.objects.values_list("pk", "body")) == before
    assert messages_of(response) == []


def test_saving_after_a_preview_saves(signed_in, member, pages):
    page = pages["guide"]
    client = signed_in(member)
    client.post(page_url(page, "handbook-edit"), edit_of(page, preview="1"))

    response = client.post(page_url(page, "handbook-edit"), edit_of(page))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == PREVIEWED and page.latest_revision.number == 2


def test_the_preview_is_sanitised_and_leaves_out_the_leading_title(signed_in, member, pages):
    body = (
        "# Cover during time away\n\n<script>alert(1)</script>"
        '<img src=x onerror="alert(2)"> [x](javascript:alert(3)) <a style="color:red">y</a>'
    )

    response = signed_in(member).post(reverse("handbook-new"), new_page(body=body, preview="1"))

    preview = preview_section(response)
    assert "<script" not in preview and "onerror" not in preview
    assert "javascript:" not in preview and "style=" not in preview
    assert "<h1" not in preview
    assert "Preview: Cover during time away" in preview


def test_a_preview_of_a_bad_form_shows_the_errors_and_saves_nothing(signed_in, member, pages):
    page = pages["guide"]
    client = signed_in(member)

    refused_new = client.post(reverse("handbook-new"), new_page(title="", preview="1"))
    refused_edit = client.post(page_url(page, "handbook-edit"), edit_of(page, body="", preview="1"))

    assert refused_new.status_code == refused_edit.status_code == 400
    assert "title" in refused_new.context["form"].errors
    assert refused_edit.context["form"].errors["body"] == [BODY_REQUIRED]
    assert 'id="preview"' not in refused_new.content.decode() + refused_edit.content.decode()
    assert Page.objects.count() == 3 and PageRevision.objects.count() == 3


def test_a_preview_makes_a_bounded_number_of_queries(
    signed_in, member, pages, django_assert_max_num_queries
):
    client = signed_in(member)
    body = " ".join(f"[[Linked page {number}]]" for number in range(20))
    # 1 session, 2 user, 3 roles, 4 member record, 5 group coordinator, 6 the navigation's
    # counts (as on every page); 7 the page through the access gate; 8 which of the twenty
    # linked pages exist (one query, whatever their number).
    with django_assert_max_num_queries(8):
        response = client.post(
            page_url(pages["guide"], "handbook-edit"),
            edit_of(pages["guide"], body=body, preview="1"),
        )
    assert response.content.decode().count('class="wikilink missing"') == 20


# --- The page's text is asked for ----------------------------------------------------------


def test_the_text_is_not_marked_optional(signed_in, member, pages):
    client = signed_in(member)
    for address in (reverse("handbook-new"), page_url(pages["guide"], "handbook-edit")):
        content = client.get(address).content.decode()
        label = re.search(r'<label class="field-label" for="id_body">(.*?)</label>', content, re.S)
        assert label.group(1).strip() == "Markdown text"
        assert "(optional)" not in label.group(1)


@pytest.mark.parametrize("body", ["", "   \r\n\t\r\n  "])
def test_a_new_page_without_text_is_refused_with_a_clear_error(signed_in, member, pages, body):
    response = signed_in(member).post(reverse("handbook-new"), new_page(body=body))

    assert response.status_code == 400
    assert response.context["form"].errors["body"] == [BODY_REQUIRED]
    assert BODY_REQUIRED.replace("'", "&#x27;") in response.content.decode()
    assert Page.objects.count() == 3


def test_an_edit_that_empties_the_text_is_refused(signed_in, member, pages):
    page = pages["guide"]

    response = signed_in(member).post(page_url(page, "handbook-edit"), edit_of(page, body=" "))

    assert response.status_code == 400
    assert response.context["form"].errors["body"] == [BODY_REQUIRED]
    page.refresh_from_db()
    assert page.body == "Rate agreements split the pool."


# --- Messages say what happened to which page ---------------------------------------------------


def test_creating_a_page_says_which(signed_in, member):
    response = signed_in(member).post(reverse("handbook-new"), new_page(), follow=True)

    assert messages_of(response) == ["Created the page Cover during time away."]


def test_saving_says_which_revision_of_which_page(signed_in, member, pages):
    page = pages["guide"]

    response = signed_in(member).post(page_url(page, "handbook-edit"), edit_of(page), follow=True)

    assert messages_of(response) == ["Saved revision 2 of Team bids."]
    assert "Saved revision 2 of Team bids." in response.content.decode()


def test_restoring_says_which_revision_of_which_page(signed_in, member, pages):
    page = pages["guide"]
    second = services.page_edit(
        actor=member, page_id=page.pk, base_revision=page.latest_revision_id, body="Changed."
    )

    response = signed_in(member).post(
        page_url(page, "handbook-revert"),
        {"revision": second.based_on_id, "base_revision": second.pk},
        follow=True,
    )

    assert messages_of(response) == ["Restored revision 1 of Team bids as revision 3."]


def test_marking_reviewed_says_which_page_and_when(signed_in, member, pages):
    response = signed_in(member).post(page_url(pages["policy"], "handbook-review"), follow=True)

    today = date_format(timezone.localdate(), "j F Y")
    assert messages_of(response) == [f"Marked Outside referral policy as reviewed on {today}."]
