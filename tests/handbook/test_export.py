"""The handbook export: a zip of Markdown files whose front matter parses back."""

import datetime
import io
import zipfile

import pytest
import yaml

from handbook import access, proposals, services
from handbook.export import export_zip
from handbook.models import Page
from network import access as network_access
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def _read(archive_bytes: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _split(markdown: str) -> tuple[dict, str]:
    assert markdown.startswith("---\n")
    header, body = markdown[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body.removeprefix("\n")


def test_each_page_is_a_markdown_file_with_front_matter(member):
    page = services.page_create(
        actor=member,
        title='Outside referrals: "who" & why',
        body="# Outside referrals\n\nSee [[Intake and routing]].\n",
        category=Page.Category.POLICY,
        visibility=Page.Visibility.PUBLIC,
        last_reviewed=datetime.date(2025, 3, 1),
    )
    # A policy changes by decision: its second revision is a proposal the members adopted.
    proposal = proposals.proposal_create(
        actor=member,
        page_id=page.pk,
        base_revision=page.latest_revision_id,
        body="# Outside referrals\n\n---\nStill see [[Intake and routing]].",
    )
    services.vote_cast(actor=member, decision_id=proposal.decision_id, choice="for")
    proposals.decision_close(actor=member, decision_id=proposal.decision_id)
    page.refresh_from_db()

    files = _read(export_zip(Page.objects.all()))

    assert sorted(files) == ["index.md", f"policy/{page.slug}.md"]
    meta, body = _split(files[f"policy/{page.slug}.md"])
    assert meta == {
        "title": 'Outside referrals: "who" & why',
        "slug": page.slug,
        "category": "policy",
        "visibility": "public",
        "last_reviewed": datetime.date(2025, 3, 1),
        "revision": 2,
        "updated_at": meta["updated_at"],
        "owner": network_access.consultant_of(member).display_name,
    }
    assert datetime.datetime.fromisoformat(meta["updated_at"]) == page.updated_at.replace(
        microsecond=0
    )
    assert body == "# Outside referrals\n\n---\nStill see [[Intake and routing]].\n"
    assert f"(policy/{page.slug}.md)" in files["index.md"]


def test_only_the_given_pages_are_exported(member):
    PageFactory(actor=member, title="Public", visibility=Page.Visibility.PUBLIC)
    PageFactory(actor=member, title="Members only", visibility=Page.Visibility.MEMBERS)

    files = _read(export_zip(access.visible_pages(None)))

    assert sorted(files) == ["guide/public.md", "index.md"]
    assert "Members only" not in files["index.md"]


def test_the_archive_is_deterministic_and_ordered(member):
    for title, category in [("Zeta", "guide"), ("Alpha", "procedure"), ("Beta", "guide")]:
        PageFactory(actor=member, title=title, body=f"{title} text", category=category)

    first, second = export_zip(Page.objects.all()), export_zip(Page.objects.all())

    assert first == second
    assert list(_read(first)) == [
        "index.md",
        "guide/beta.md",
        "guide/zeta.md",
        "procedure/alpha.md",
    ]


def test_a_page_without_owner_or_review_date_exports_nulls(member):
    page = PageFactory(actor=member, title="Orphan", body="")
    Page.objects.filter(pk=page.pk).update(owner=None, last_reviewed=None)

    meta, body = _split(_read(export_zip(Page.objects.all()))["guide/orphan.md"])

    assert meta["owner"] is None and meta["last_reviewed"] is None
    assert body == "\n"


def test_an_empty_handbook_exports_an_index(db):
    files = _read(export_zip(Page.objects.all()))

    assert list(files) == ["index.md"]
    assert "0 pages" in files["index.md"]


def test_export_takes_one_query(member, django_assert_num_queries):
    for number in range(3):
        PageFactory(actor=member, title=f"Page {number}", body="text")

    # 1. pages with their latest revision and owner
    with django_assert_num_queries(1):
        export_zip(Page.objects.all())
