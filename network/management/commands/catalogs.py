"""Keep the translation catalogs in step with the sources, and check that they are.

    python manage.py catalogs                 # every app's catalogs from its sources
    python manage.py catalogs --app handbook  # one app's
    python manage.py catalogs --check         # exit 1, listing what is wrong

Each app has its own catalogs in ``<app>/locale/<language>/LC_MESSAGES/django.po`` (the bids
app its own, inside intake). English is the source language: its catalog lists every string
with an empty translation. ``--check`` runs ``makemessages`` on a copy of the sources and fails
when it would add or remove a string, or when a Spanish or French entry is untranslated, fuzzy,
obsolete or has placeholders that do not match the English (``msgfmt --check-format``).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The apps with catalogs, in the order their catalogs are made. ``intake`` leaves out its bids
# app, which has catalogs of its own.
APPS = ["network", "matching", "intake", "intake/bids", "handbook"]
IGNORED = {"intake": ["bids"]}
SOURCE_LANGUAGE = "en"
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def catalog_path(root: Path, app: str, language: str) -> Path:
    return root / app / "locale" / language / "LC_MESSAGES" / "django.po"


def make_messages(root: Path, app: str) -> None:
    """``makemessages`` for one app, run from inside it so its strings land in its catalogs."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "makemessages"]
    for language in languages():
        command += ["--locale", language]
    command += ["--no-obsolete", "--add-location", "file", "--verbosity", "0"]
    for ignored in IGNORED.get(app, []):
        command += ["--ignore", ignored]
    for language in languages():
        catalog_path(root, app, language).parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(command, cwd=root / app, capture_output=True, text=True, check=False)
    if result.returncode:
        raise CommandError(f"makemessages failed for {app}:\n{result.stderr.strip()}")
    for language in languages():
        fill_header(catalog_path(root, app, language), language)


def fill_header(path: Path, language: str) -> None:
    """The header makemessages leaves as a template, filled in (and no longer fuzzy)."""
    if not path.exists():
        return
    catalog = polib.pofile(str(path), wrapwidth=100)
    catalog.header = "Switchboard's catalog; `python manage.py catalogs` keeps it current."
    catalog.metadata_is_fuzzy = False
    catalog.metadata.update(
        {
            "Project-Id-Version": "Switchboard",
            "Language": language,
            "Language-Team": language,
            "Last-Translator": "Switchboard",
        }
    )
    catalog.metadata.pop("POT-Creation-Date", None)
    catalog.metadata.pop("PO-Revision-Date", None)
    catalog.save()


def entry_keys(path: Path) -> set[tuple[str, str]]:
    if not path.exists():
        return set()
    return {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(path))}


def copy_sources(root: Path, into: Path) -> None:
    """The sources and catalogs of every app (what makemessages reads and writes), nothing else."""
    for path in (root / app for app in APPS if "/" not in app):
        for source in path.rglob("*"):
            if source.suffix not in COPIED_SUFFIXES or "__pycache__" in source.parts:
                continue
            target = into / source.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def catalog_problems(root: Path, apps: list[str] = APPS) -> list[str]:
    """What is wrong with the catalogs under ``root``, one line each; empty when all is well."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="catalogs-") as scratch:
        copy = Path(scratch)
        copy_sources(root, copy)
        for app in apps:
            make_messages(copy, app)
            for language in languages():
                current = catalog_path(root, app, language)
                name = current.relative_to(root)
                fresh = entry_keys(catalog_path(copy, app, language))
                if not current.exists():
                    if fresh:
                        problems.append(f"{name}: missing; run `python manage.py catalogs`")
                    continue
                kept = entry_keys(current)
                for _context, msgid in sorted(fresh - kept):
                    problems.append(f"{name}: lacks {msgid!r}")
                for _context, msgid in sorted(kept - fresh):
                    problems.append(f"{name}: no source uses {msgid!r} any more")
                if language != SOURCE_LANGUAGE:
                    problems += entry_problems(current, name)
    return problems


def entry_problems(path: Path, name: Path) -> list[str]:
    problems = []
    catalog = polib.pofile(str(path))
    for entry in catalog.untranslated_entries():
        problems.append(f"{name}: untranslated {entry.msgid!r}")
    for entry in catalog.fuzzy_entries():
        problems.append(f"{name}: fuzzy {entry.msgid!r}")
    for entry in catalog.obsolete_entries():
        problems.append(f"{name}: obsolete {entry.msgid!r}")
    result = subprocess.run(
        [shutil.which("msgfmt") or "msgfmt", "--check-format", "--output-file", "/dev/null", path],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        problems += [f"{name}: {line}" for line in result.stderr.strip().splitlines()]
    return problems


class Command(BaseCommand):
    help = (
        "Update each app's translation catalogs from its sources (makemessages), or check "
        "with --check that they are complete and current."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app", choices=APPS, action="append", help="Only this app (repeatable)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit 1 listing stale, missing, untranslated or fuzzy entries.",
        )

    def handle(self, *args, app=None, check=False, **options):
        if shutil.which("xgettext") is None or shutil.which("msgfmt") is None:
            raise CommandError(
                _(
                    "GNU gettext is not installed (xgettext, msgfmt); on Debian: apt-get install "
                    "gettext. `make run` and `make test` install it when they can."
                )
            )
        root = Path(settings.BASE_DIR)
        if check:
            problems = catalog_problems(root, app or APPS)
            if problems:
                for line in problems:
                    self.stderr.write(line)
                raise CommandError(
                    ngettext(
                        "%(count)s problem in the translation catalogs.",
                        "%(count)s problems in the translation catalogs.",
                        len(problems),
                    )
                    % {"count": len(problems)}
                )
            self.stdout.write(_("The translation catalogs are complete and current."))
            return
        for name in app or APPS:
            make_messages(root, name)
            if options["verbosity"]:
                self.stdout.write(_("Updated the catalogs of %(app)s.") % {"app": name})
