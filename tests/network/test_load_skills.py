"""The skills taxonomy loader (``network.taxonomy``) and the ``load_skills`` command."""

import io
import json
import textwrap

import pytest
from django.core.management import call_command

from network.models import Skill, SkillAlias
from network.services import skill_create
from network.taxonomy import TaxonomyError, load_taxonomy, skill_slug
from network.text import fold
from tests.factories import ConsultantSkillFactory

pytestmark = pytest.mark.django_db

# The names another part of the project (the demo alliance) relies on.
REQUIRED_CURATED = [
    "Salesforce Nonprofit Success Pack",
    "Salesforce",
    "CiviCRM",
    "Bloomerang",
    "Blackbaud Raiser's Edge",
    "Neon CRM",
    "Little Green Light",
    "DonorPerfect",
    "Mailchimp",
    "QuickBooks",
    "WordPress",
    "Drupal",
    "Squarespace",
    "Google Workspace",
    "Microsoft 365",
    "SharePoint",
    "Network administration",
    "Wi-Fi networks",
    "Firewalls",
    "Backups and disaster recovery",
    "Information security",
    "Web accessibility",
    "Data migration",
    "Staff training",
    "IT strategy and planning",
    "Help desk support",
    "Website design",
    "Donor database management",
    "Grant reporting",
    "Zoom",
    "Slack",
    "Airtable",
    "Tableau",
    "Power BI",
]


def skill_named_by(text: str) -> str:
    """The skill ``text`` names: a skill whose name folds equal, else the alias table's."""
    folded = fold(text)
    for name in Skill.objects.values_list("name", flat=True):
        if fold(name) == folded:
            return name
    return SkillAlias.objects.select_related("skill").get(folded=folded).skill.name


def write_curated(directory, skills: list[dict]) -> None:
    """A one-source taxonomy folder for tests (the loader reads YAML; JSON is valid YAML)."""
    (directory / "curated.yaml").write_text(json.dumps({"skills": skills}), encoding="utf-8")


def curated_skill(name, aliases=(), category="software", description=""):
    return {"name": name, "category": category, "description": description, "aliases": aliases}


# --- The committed taxonomy -------------------------------------------------------------------


def test_load_creates_every_required_curated_skill():
    load_taxonomy()
    found = set(Skill.objects.filter(name__in=REQUIRED_CURATED).values_list("name", flat=True))
    assert sorted(set(REQUIRED_CURATED) - found) == []
    assert Skill.objects.get(name="Salesforce").source == "curated"


# Other ways people write skills, from every source: curated, ESCO, Linguist, Stack Overflow.
WRITTEN_AS = {
    "NPSP": "Salesforce Nonprofit Success Pack",
    "Salesforce NPSP": "Salesforce Nonprofit Success Pack",
    "raisers edge": "Blackbaud Raiser's Edge",
    "RE NXT": "Blackbaud Raiser's Edge",
    "G Suite": "Google Workspace",
    "GSuite": "Google Workspace",
    "Google Apps": "Google Workspace",
    "o365": "Microsoft 365",
    "Office 365": "Microsoft 365",
    "M365": "Microsoft 365",
    "a11y": "Web accessibility",
    "WCAG": "Web accessibility",
    "Section 508": "Web accessibility",
    "LGL": "Little Green Light",
    "NeonCRM": "Neon CRM",
    "Neon": "Neon CRM",
    "QBO": "QuickBooks",
    "QuickBooks Online": "QuickBooks",
    "Postgres": "PostgreSQL",
    "js": "JavaScript",
    "golang": "Go",
    "c-sharp": "C#",
    "pgsql": "PostgreSQL",
    "Python (computer programming)": "Python",
    "MS SQL Server": "Microsoft SQL Server",
}


def test_aliases_from_every_source_point_at_their_skill():
    load_taxonomy()
    assert {written: skill_named_by(written) for written in WRITTEN_AS} == WRITTEN_AS


def test_languages_and_databases_come_from_linguist_and_esco():
    load_taxonomy()
    skills = {skill.name: skill for skill in Skill.objects.all()}
    for name in ["Python", "PHP", "JavaScript", "TypeScript", "Ruby", "Java", "HTML", "CSS"]:
        assert skills[name].source == "linguist", name
    assert skills["HTML"].category == skills["CSS"].category == Skill.Category.WEB
    assert skills["Python"].category == Skill.Category.PROGRAMMING
    for name in ["PostgreSQL", "MySQL", "SQL"]:
        assert (skills[name].source, skills[name].category) == ("esco", Skill.Category.DATA)


def test_skill_names_are_unique_after_folding():
    load_taxonomy()
    names = list(Skill.objects.values_list("name", flat=True))
    assert len(names) > 300
    assert len({fold(name) for name in names}) == len(names)


def test_no_alias_folds_to_a_skill_name_or_to_a_short_ambiguous_word():
    load_taxonomy()
    names = {fold(name) for name in Skill.objects.values_list("name", flat=True)}
    folded = set(SkillAlias.objects.values_list("folded", flat=True))
    assert folded & names == set()
    # Two-letter and everyday words that would mis-route free text are kept out.
    assert folded & {"wp", "ad", "re", "sh", "py", "ts", "rb", "inc", "access"} == set()
    # Short aliases are hand-picked in curated.yaml ("UX"); derived sources keep only "js".
    derived = SkillAlias.objects.exclude(source="curated").values_list("folded", flat=True)
    assert [alias for alias in derived if len(alias) <= 2] == ["js"]
    # Linguist calls JavaScript "node"; here it means the runtime, as curated says.
    assert skill_named_by("node") == "Node.js"


def test_every_stackoverflow_alias_names_a_loaded_skill():
    report = load_taxonomy()
    assert report.unknown_skill == 0
    assert report.per_source["stackoverflow"][1] > 0
    assert SkillAlias.objects.filter(source="stackoverflow").count() > 0


def test_second_load_changes_nothing():
    first = load_taxonomy()
    counts = (Skill.objects.count(), SkillAlias.objects.count())
    second = load_taxonomy()
    assert first.skills_created > 300 and first.aliases_created > 500
    assert (second.skills_created, second.skills_updated) == (0, 0)
    assert (second.aliases_created, second.aliases_updated, second.aliases_removed) == (0, 0, 0)
    assert second.skills_unchanged == first.skills_created
    assert (Skill.objects.count(), SkillAlias.objects.count()) == counts


def test_load_runs_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    # Savepoint and release; read skills; insert skills (3 batches on SQLite, whose statements
    # take at most 999 parameters); re-read their keys; read names; read aliases; insert
    # aliases (4 batches): 13 today, and never one query per row.
    with django_assert_max_num_queries(20):
        load_taxonomy()
    assert Skill.objects.count() > 300


def test_load_skills_command_reports_created_then_nothing():
    out = io.StringIO()
    call_command("load_skills", stdout=out)
    created = Skill.objects.count()
    assert f"Skills: {created:,} created, 0 updated" in out.getvalue()
    out = io.StringIO()
    call_command("load_skills", stdout=out)
    assert "Skills: 0 created, 0 updated" in out.getvalue()
    assert "Aliases: 0 created, 0 updated" in out.getvalue()


def test_load_skills_command_loads_only_the_sources_asked_for():
    call_command("load_skills", "--source", "curated", stdout=io.StringIO())
    assert set(Skill.objects.values_list("source", flat=True)) == {"curated"}


def test_loader_slug_is_the_slug_skill_create_gives():
    for name in ["C++", "C#", ".NET", "Blackbaud Raiser's Edge"]:
        assert skill_slug(name) == skill_create(name=name).slug


# --- Merge and reconciliation rules, on small taxonomies ----------------------------------------


def test_alias_claimed_by_two_skills_is_not_assigned(tmp_path):
    write_curated(
        tmp_path,
        [
            curated_skill("Raiser's Edge NXT", aliases=["RE", "Raisers Edge"]),
            curated_skill("Regular expressions", aliases=["RE", "Regex"]),
            curated_skill("Bloomerang", aliases=["Regular-Expressions"]),
        ],
    )
    report = load_taxonomy(sources=["curated"], directory=tmp_path)
    assert not SkillAlias.objects.filter(folded="re").exists()
    # An alias equal to another skill's name is just as ambiguous.
    assert not SkillAlias.objects.filter(folded="regularexpressions").exists()
    assert skill_named_by("Regex") == "Regular expressions"
    assert report.aliases_ambiguous == 2 and "RE" in report.ambiguous


def test_lower_source_entry_with_a_curated_alias_as_name_joins_that_skill(tmp_path):
    write_curated(tmp_path, [curated_skill("Microsoft SQL Server", aliases=["SQL Server"])])
    (tmp_path / "esco.json").write_text(
        json.dumps({"skills": [curated_skill("SQL Server", aliases=["MS SQL Server"])]}),
        encoding="utf-8",
    )
    report = load_taxonomy(sources=["curated", "esco"], directory=tmp_path)
    assert list(Skill.objects.values_list("name", flat=True)) == ["Microsoft SQL Server"]
    assert skill_named_by("MS SQL Server") == "Microsoft SQL Server"
    assert report.duplicates_merged == 1


def test_hand_edited_alias_survives_a_reload():
    load_taxonomy(sources=["curated"])
    # A coordinator decides "O365" should point somewhere else and says so in the admin.
    alias = SkillAlias.objects.get(folded="o365")
    alias.skill = Skill.objects.get(name="Microsoft Exchange")
    alias.source = "manual"
    alias.save()
    report = load_taxonomy(sources=["curated"])
    alias.refresh_from_db()
    assert (alias.skill.name, alias.source) == ("Microsoft Exchange", "manual")
    assert report.aliases_left_alone == 1 and report.aliases_updated == 0


def test_alias_added_by_hand_before_the_first_load_is_kept():
    own = skill_create(name="Our nonprofit starter kit", source="manual")
    SkillAlias.objects.create(skill=own, alias="NPSP", source="")
    load_taxonomy(sources=["curated"])
    assert skill_named_by("NPSP") == "Our nonprofit starter kit"


def test_taxonomy_alias_that_is_the_name_of_a_hand_made_skill_is_skipped():
    skill_create(name="Raisers Edge", description="Made by a coordinator.", source="manual")
    report = load_taxonomy(sources=["curated"])
    assert not SkillAlias.objects.filter(folded="raisersedge").exists()
    assert "Raiser's Edge" in report.ambiguous
    assert skill_named_by("RE NXT") == "Blackbaud Raiser's Edge"


def test_hand_made_skill_of_the_same_name_keeps_its_fields_and_gains_aliases():
    mine = skill_create(
        name="wordpress", category=Skill.Category.OTHER, description="Ours.", source="manual"
    )
    load_taxonomy(sources=["curated"])
    mine.refresh_from_db()
    assert (mine.name, mine.description, mine.source) == ("wordpress", "Ours.", "manual")
    assert Skill.objects.filter(name__iexact="wordpress").count() == 1
    assert skill_named_by("WordPress.org") == "wordpress"


def test_changed_file_updates_the_skill_and_replaces_its_aliases(tmp_path):
    write_curated(tmp_path, [curated_skill("Bloomerang", aliases=["Bloomerang CRM", "Bloom"])])
    load_taxonomy(sources=["curated"], directory=tmp_path)
    write_curated(
        tmp_path,
        [curated_skill("Bloomerang", aliases=["Bloomerang CRM", "Kindful"], description="New.")],
    )
    report = load_taxonomy(sources=["curated"], directory=tmp_path)
    assert (report.skills_updated, report.aliases_created, report.aliases_removed) == (1, 1, 1)
    assert Skill.objects.get().description == "New."
    assert sorted(SkillAlias.objects.values_list("alias", flat=True)) == [
        "Bloomerang CRM",
        "Kindful",
    ]


def test_prune_removes_unused_skills_but_keeps_skills_consultants_use(tmp_path):
    write_curated(tmp_path, [curated_skill(name) for name in ["Gone", "Used", "Kept"]])
    load_taxonomy(sources=["curated"], directory=tmp_path)
    ConsultantSkillFactory(skill=Skill.objects.get(name="Used"))
    write_curated(tmp_path, [curated_skill("Kept")])

    load_taxonomy(sources=["curated"], directory=tmp_path)
    assert Skill.objects.count() == 3  # without prune nothing is ever removed

    report = load_taxonomy(sources=["curated"], directory=tmp_path, prune=True)
    assert sorted(Skill.objects.values_list("name", flat=True)) == ["Kept", "Used"]
    assert (report.skills_removed, report.skills_kept_in_use) == (1, 1)


def test_file_with_an_unknown_category_is_refused_and_changes_nothing(tmp_path):
    (tmp_path / "curated.yaml").write_text(
        textwrap.dedent(
            """\
            skills:
              - name: Fine
                category: crm
              - name: Broken
                category: fundraising
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="Broken"):
        load_taxonomy(sources=["curated"], directory=tmp_path)
    assert not Skill.objects.exists()
