"""The translation catalogs: complete, current, and the check that says when they are not."""

import os
import shutil
import textwrap
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from network.management.commands.catalogs import catalog_problems

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="GNU gettext is not installed here (make test installs it; CI always has it)",
)

SOURCE = textwrap.dedent(
    """\
    from django.utils.translation import gettext as _

    GREETING = _("Welcome, %(name)s.")
    """
)


def write_catalog(root: Path, language: str, entries: dict[str, str], fuzzy=()) -> Path:
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": language,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for msgid, msgstr in entries.items():
        flags = ["python-format"] + (["fuzzy"] if msgid in fuzzy else [])
        catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=flags))
    path = root / "network" / "locale" / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.save(str(path))
    return path


@pytest.fixture
def app(tmp_path):
    """A one-string app with English, Spanish and French catalogs that are right."""
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "greeting.py").write_text(SOURCE)
    write_catalog(tmp_path, "en", {"Welcome, %(name)s.": ""})
    write_catalog(tmp_path, "es", {"Welcome, %(name)s.": "Bienvenido, %(name)s."})
    write_catalog(tmp_path, "fr", {"Welcome, %(name)s.": "Bienvenue, %(name)s."})
    return tmp_path


def problems(root: Path) -> list[str]:
    return catalog_problems(root, ["network"])


def test_catalogs_in_step_with_their_source_have_no_problems(app):
    assert problems(app) == []


def test_an_untranslated_entry_is_a_problem(app):
    write_catalog(app, "fr", {"Welcome, %(name)s.": ""})

    assert problems(app) == [
        "network/locale/fr/LC_MESSAGES/django.po: untranslated 'Welcome, %(name)s.'"
    ]


def test_a_fuzzy_entry_is_a_problem(app):
    write_catalog(
        app, "es", {"Welcome, %(name)s.": "Bienvenido, %(name)s."}, fuzzy=["Welcome, %(name)s."]
    )

    assert problems(app) == ["network/locale/es/LC_MESSAGES/django.po: fuzzy 'Welcome, %(name)s.'"]


def test_a_string_the_sources_gained_is_a_problem_in_every_catalog(app):
    (app / "network" / "farewell.py").write_text(
        'from django.utils.translation import gettext as _\n\nBYE = _("Goodbye.")\n'
    )

    found = problems(app)

    assert {line.split(":")[0] for line in found if "lacks 'Goodbye.'" in line} == {
        f"network/locale/{language}/LC_MESSAGES/django.po" for language in ("en", "es", "fr")
    }


def test_a_string_no_source_uses_any_more_is_a_problem(app):
    write_catalog(app, "es", {"Welcome, %(name)s.": "Bienvenido, %(name)s.", "Old.": "Viejo."})

    assert problems(app) == [
        "network/locale/es/LC_MESSAGES/django.po: no source uses 'Old.' any more"
    ]


def test_a_translation_that_drops_a_placeholder_is_a_problem(app):
    write_catalog(app, "fr", {"Welcome, %(name)s.": "Bienvenue."})

    found = problems(app)

    assert found
    assert all(line.startswith("network/locale/fr/LC_MESSAGES/django.po: ") for line in found)


def test_the_check_changes_nothing_it_checks(app):
    before = {path: path.read_bytes() for path in app.rglob("*.po")}

    problems(app)

    assert {path: path.read_bytes() for path in app.rglob("*.po")} == before


def test_the_projects_catalogs_are_complete_and_current(capsys):
    """Every app's Spanish and French catalogs translate every string its sources mark."""
    try:
        call_command("catalogs", "--check")
    except CommandError as error:
        pytest.fail(f"{error}\n{capsys.readouterr().err}")

    assert "complete and current" in capsys.readouterr().out
