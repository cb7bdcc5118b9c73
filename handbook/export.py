"""The whole handbook (or the part a reader may see) as a zip of Markdown files.

Each page is ``<category>/<slug>.md``: YAML front matter (title, slug, category, visibility,
last_reviewed, revision, updated_at, owner) and then the latest body, as written. ``index.md``
lists the pages by category, in the reader's language. The archive is deterministic: the same
pages in the same language give the same bytes (sorted entries, fixed timestamps), so two
exports can be compared with a checksum.
"""

import io
import zipfile

import yaml
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from handbook.models import Page

# Zip entries carry a local timestamp; a fixed one keeps the archive byte-for-byte repeatable
# (the real dates are in each file's front matter).
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def page_path(page: Page) -> str:
    """Where a page goes in the archive: ``<category>/<slug>.md``."""
    # Both come from the database as a choice and a SlugField; slugify again all the same, so
    # no value can ever name a path outside its folder.
    return f"{slugify(page.category) or 'uncategorised'}/{slugify(page.slug) or 'page'}.md"


def front_matter(page: Page) -> dict:
    revision = page.latest_revision
    updated = timezone.localtime(page.updated_at) if page.updated_at else None
    return {
        "title": page.title,
        "slug": page.slug,
        "category": page.category,
        "visibility": page.visibility,
        "last_reviewed": page.last_reviewed,
        "revision": revision.number if revision else None,
        "updated_at": updated.isoformat(timespec="seconds") if updated else None,
        "owner": page.owner.display_name if page.owner else None,
    }


def page_markdown(page: Page) -> str:
    header = yaml.safe_dump(
        front_matter(page), sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    body = page.body or ""
    return f"---\n{header}---\n\n{body}" + ("" if body.endswith("\n") else "\n")


def index_markdown(pages: list[Page]) -> str:
    count = ngettext(
        "%(count)s page, by category.", "%(count)s pages, by category.", len(pages)
    ) % {"count": len(pages)}
    lines = [f"# {_('Handbook')}", "", count, ""]
    labels = dict(Page.Category.choices)
    current = None
    for page in pages:
        if page.category != current:
            current = page.category
            lines += ["", f"## {labels.get(current, current)}", ""]
        title = page.title.replace("[", "\\[").replace("]", "\\]")
        lines.append(f"- [{title}]({page_path(page)})")
    return "\n".join(lines) + "\n"


def export_zip(pages: QuerySet[Page]) -> bytes:
    """The given pages as a zip of Markdown files with front matter, plus ``index.md``.

    Pass the pages the reader may see (``access.visible_pages(user)``); nothing else is read.
    """
    ordered = list(
        pages.select_related("latest_revision", "owner").order_by("category", "slug", "pk")
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "index.md", index_markdown(ordered))
        for page in ordered:
            _write(archive, page_path(page), page_markdown(page))
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    entry = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, text.encode("utf-8"))
