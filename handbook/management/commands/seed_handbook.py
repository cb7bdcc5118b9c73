"""``manage.py seed_handbook [--username NAME]``: load the starter handbook.

The starter pages are the Markdown files in ``handbook/starter/``, each with YAML front matter
(``title``, ``category``, ``visibility``; ``slug`` optional, else the file name). They are
created through ``handbook.services.page_create`` as the given user (default: the first
superuser), so each has a first revision, links and an owner like any page. Idempotent: a page
whose slug already exists is left as it is, edited or not.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from handbook import services
from handbook.models import Page
from handbook.rendering import slug_for

STARTER_DIR = Path(__file__).resolve().parents[2] / "starter"


@dataclass(frozen=True)
class StarterPage:
    slug: str
    title: str
    category: str
    visibility: str
    body: str


def parse_starter_page(path: Path) -> StarterPage:
    """One starter file: front matter between ``---`` lines, then the Markdown body."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path.name}: no front matter")
    header, separator, body = text[4:].partition("\n---\n")
    if not separator:
        raise ValueError(f"{path.name}: front matter is not closed with ---")
    meta = yaml.safe_load(header) or {}
    for field in ("title", "category", "visibility"):
        if not meta.get(field):
            raise ValueError(f"{path.name}: front matter has no {field}")
    return StarterPage(
        slug=slug_for(meta.get("slug") or path.stem),
        title=str(meta["title"]),
        category=str(meta["category"]),
        visibility=str(meta["visibility"]),
        body=body.lstrip("\n"),
    )


def starter_pages(directory: Path = STARTER_DIR) -> list[StarterPage]:
    return [parse_starter_page(path) for path in sorted(directory.glob("*.md"))]


class Command(BaseCommand):
    help = "Load the starter handbook pages (skips pages whose address already exists)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", help="Author of the pages (default: the first superuser)."
        )

    def handle(self, *args, **options):
        actor = self._actor(options.get("username"))
        created = skipped = 0
        for starter in starter_pages():
            if Page.objects.filter(slug=starter.slug).exists():
                skipped += 1
                continue
            services.page_create(
                actor=actor,
                title=starter.title,
                body=starter.body,
                summary="Starter handbook",
                category=starter.category,
                visibility=starter.visibility,
                slug=starter.slug,
            )
            created += 1
        self.stdout.write(
            _("Starter handbook: %(created)s created, %(skipped)s already there.")
            % {"created": created, "skipped": skipped}
        )

    def _actor(self, username):
        users = get_user_model().objects
        if username:
            actor = users.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No user called %(name)s.") % {"name": repr(username)})
            return actor
        actor = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError(
                _(
                    "No superuser to author the pages: create one (createsuperuser) or pass "
                    "--username."
                )
            )
        return actor
