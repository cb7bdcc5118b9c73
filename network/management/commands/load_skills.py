"""``manage.py load_skills``: load the skills taxonomy from the committed files; safe to rerun."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from network.taxonomy import SOURCES, TaxonomyError, load_taxonomy


class Command(BaseCommand):
    help = (
        "Create and update skills and aliases from network/data/taxonomy (curated list, "
        "GitHub Linguist, ESCO, Stack Overflow aliases). Rerunning changes nothing; aliases "
        "edited by hand are never reassigned."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            choices=SOURCES,
            dest="sources",
            help="Load only this source (repeat for several). Default: all of them.",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Also remove skills the files no longer name, when nothing uses them.",
        )

    def handle(self, *args, sources=None, prune=False, verbosity=1, **options):
        try:
            report = load_taxonomy(sources=sources or SOURCES, prune=prune)
        except TaxonomyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())
        if verbosity >= 1:
            self.stdout.write(
                "In the files: "
                + "; ".join(
                    f"{source} {skills:,} skills, {aliases:,} aliases"
                    for source, (skills, aliases) in report.per_source.items()
                )
                + "."
            )
        if verbosity >= 2 and report.ambiguous:
            self.stdout.write(
                _("Ambiguous aliases skipped: %(aliases)s")
                % {"aliases": ", ".join(report.ambiguous)}
            )
