import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.utils.translation import gettext as _

from network.csv_format import ConsultantImportError
from network.csv_import import consultants_import
from network.progress import CommandProgress, add_progress_argument


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the column table in the help text as written."""


class Command(BaseCommand):
    help = """Create or update members from a CSV file (UTF-8, with or without a byte-order mark).

Every row is checked first. If any row is bad, nothing is imported and every problem is listed
as "line N: column: reason" (the header is line 1). Otherwise all rows are applied in one
transaction. Rows are matched to members by email, ignoring case: an existing member is updated,
anyone else is created. Importing the same file again changes nothing.

Columns (header names, any order; only email and display_name are required):
  email                     required; the member's account email, the import's key
  display_name              required; the name shown in the directory
  status                    applicant | probation | active | on_leave | alumni | former
                            (new members default to active); a change is recorded in the
                            member's status history with the reason "CSV import"
  location                  city and region
  timezone                  IANA time zone, e.g. America/Los_Angeles
  remote_ok                 yes/no, true/false or 1/0
  languages                 ISO 639-1 codes separated by ";", e.g. en; es
  hourly_rate               standard hourly rate, a decimal number >= 0, e.g. 95.00
  currency                  three-letter ISO 4217 code (default USD)
  sliding_scale             yes/no, true/false or 1/0
  pro_bono_hours_per_month  whole number, 0-200
  capacity_hours_per_week   whole number, 0-80
  website                   full URL, e.g. https://example.org
  bio                       free text, up to 5000 characters
  skills                    skill:level or skill:level:years separated by ";", e.g.
                            WordPress:4:10; CiviCRM:3. A skill is found by slug, by name
                            (ignoring case) or by alias; the level is 1-5.
  groups                    consultant group slugs separated by ";"

The import only adds. An empty cell keeps the member's current value (a new member gets the
default). Languages, skills and groups not listed are kept: listed ones are added, and a
listed skill's level (and years, if given) is updated.

Progress (rows checked, then rows imported) goes to standard error when it is a terminal, or
with --progress; never with --verbosity 0.
"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _HelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="Path of the CSV file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )
        add_progress_argument(parser)

    def handle(self, *args, csv_file, dry_run, verbosity, progress, **options):
        try:
            content = Path(csv_file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s.")
                % {"file": csv_file, "reason": error.strerror}
            ) from error
        with CommandProgress(self, requested=progress, verbosity=verbosity) as shown:
            try:
                summary = consultants_import(
                    content=content, dry_run=dry_run, progress=shown.report
                )
            except ConsultantImportError as error:
                raise CommandError(
                    _("%(count)s error(s) in %(file)s; nothing was imported.")
                    % {"count": len(error.errors), "file": csv_file}
                    + "\n"
                    + "\n".join(error.errors)
                ) from error
        if verbosity >= 2:
            for plan in summary.plans:
                self.stdout.write(f"line {plan.line}: {plan.email}: {plan.action}")
        counts = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run of %(file)s: %(rows)s valid rows would give %(counts)s. Nothing was "
                    "written."
                )
                % {"file": csv_file, "rows": len(summary.plans), "counts": counts}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported %(file)s: %(rows)s rows, %(counts)s.")
                    % {"file": csv_file, "rows": len(summary.plans), "counts": counts}
                )
            )
