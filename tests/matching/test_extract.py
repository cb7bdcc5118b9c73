"""Skill extraction from prose (``matching.extract``) on small hand-made taxonomies."""

import pytest

from matching.extract import Extractor, stem
from matching.normalize import Normalizer

TAXONOMY = [
    ("Microsoft Excel", ["Excel", "MS Excel"]),
    ("Zoom", ["Zoom Meetings"]),
    ("Slack", []),
    ("Go", ["golang"]),
    ("R", []),
    ("Python", []),
    ("WordPress", []),
    ("Google Analytics", ["GA4"]),
    ("SQL", []),
    ("SQL Server", ["MS SQL Server", "Microsoft SQL Server"]),
    ("Extract, transform, load", []),
    ("Performance testing", []),
    ("Unit testing", []),
    ("Integration testing", []),
    ("Website development", ["build websites"]),
    ("Website maintenance", ["maintain websites"]),
    ("Volunteer management", ["Volunteer scheduling"]),
    ("Grant writing", []),
    ("Backups and disaster recovery", ["Backups", "Data backup"]),
    ("Assistive technology", ["Assistive tech"]),
    # Lower-case skills led by a verb, the way ESCO writes them.
    ("manage budgets", []),
    ("manage projects", []),
    ("manage risks", []),
    ("manage contracts", []),
    ("manage social media accounts", []),
]


@pytest.fixture(scope="module")
def normalizer():
    return Normalizer.from_taxonomy(TAXONOMY)


def skills_in(normalizer, text):
    return [m.skill for m in normalizer.extract(text)]


def test_lists_and_coordination_share_their_head(normalizer):
    assert skills_in(normalizer, "We need Performance, Unit and Integration Testing.") == [
        "Performance testing",
        "Unit testing",
        "Integration testing",
    ]
    assert skills_in(normalizer, "Someone to build and maintain websites for two chapters") == [
        "Website development",
        "Website maintenance",
    ]
    # No shared head, no expansion: "unit" and "performance" alone name nothing.
    assert skills_in(normalizer, "Unit and performance reviews are due.") == []


def test_multi_word_spans_in_another_form(normalizer):
    # Inflected and reordered: the coordinator still sees the taxonomy's skill.
    assert skills_in(normalizer, "help managing our volunteers and writing grants") == [
        "Volunteer management",
        "Grant writing",
    ]
    # A verb and its object with one word between them.
    assert skills_in(normalizer, "good at managing tight budgets") == ["manage budgets"]
    # The object of a verb-led skill alone, when only one skill has that object.
    assert skills_in(normalizer, "Our social media accounts are a mess") == [
        "manage social media accounts"
    ]
    # Two words between verb and object are too far.
    assert skills_in(normalizer, "managing very tight event budgets") == []


def test_acronyms_and_shortened_names(normalizer):
    assert skills_in(normalizer, "Nightly ETL jobs load GA4 data into MS SQL.") == [
        "Extract, transform, load",
        "Google Analytics",
        "SQL Server",
    ]
    # An initialism counts in prose only when written in capitals.
    assert skills_in(normalizer, "the etl jobs") == []


def test_a_name_without_its_bracketed_qualifier_needs_evidence():
    built = Normalizer.from_taxonomy(
        [
            ("Java (computer programming)", []),
            ("Scratch (computer programming)", []),
            ("Source (game engines)", []),
            ("find the source of a problem", []),
        ]
    )
    assert skills_in(built, "Java is a must, and Scratch for the kids' club.") == [
        "Java (computer programming)",
        "Scratch (computer programming)",
    ]
    assert skills_in(built, "javascript java") == ["Java (computer programming)"]
    assert skills_in(built, "we built it from scratch in java over the summer") == []
    # "source" is an ordinary word of the taxonomy: only its capital, inside a sentence, counts.
    assert skills_in(built, "Source code matters; open source code too.") == []
    assert skills_in(built, "We moved the game to Source last year.") == ["Source (game engines)"]


def test_capitalised_tool_names_with_a_typo_go_to_the_model(normalizer):
    found = normalizer.extract("Our Wordpres site reports to Google Analitics.")
    assert [m.skill for m in found] == ["WordPress", "Google Analytics"]
    assert all(m.score < 1.0 for m in found)
    # The same typo in lower case is not offered to the model: "wordpres" could be anything.
    assert skills_in(normalizer, "our wordpres site") == []


@pytest.mark.parametrize(
    "text",
    [
        "Could you zoom in on the details?",
        "Zoom in on the details first.",
        "We left some slack time in the plan.",
        "Let's go to the board with it.",
        "She works in R&D.",
        "Excel at fundraising, and the rest follows.",
        "The project ran over because of poor planning.",
    ],
)
def test_ordinary_words_are_refused(normalizer, text):
    assert skills_in(normalizer, text) == []


def test_tools_named_with_evidence(normalizer):
    assert skills_in(normalizer, "Our old Excel spreadsheets need cleaning") == ["Microsoft Excel"]
    assert skills_in(normalizer, "We moved from Slack to email.") == ["Slack"]
    assert skills_in(normalizer, "Slack is where the volunteers talk.") == ["Slack"]
    assert skills_in(normalizer, "set up a zoom meeting and a slack channel") == ["Zoom", "Slack"]
    assert skills_in(normalizer, "Analysis in R and Python.") == ["R", "Python"]
    # In lower case, right after a word that introduces a tool, unless a particle follows.
    assert skills_in(normalizer, "we meet on zoom and talk in slack") == ["Zoom", "Slack"]
    assert skills_in(normalizer, "we need to zoom in on it") == []
    # A line of bare terms: case says nothing there.
    assert skills_in(normalizer, "python wordpress slack") == ["Python", "WordPress", "Slack"]
    # Common words the taxonomy itself writes in lower case need no capital.
    assert skills_in(normalizer, "we have no backups at all") == ["Backups and disaster recovery"]


def test_screen_reader_needs_the_taxonomy_to_say_so():
    text = "A volunteer uses a screen reader."
    without = Normalizer.from_taxonomy([("Assistive technology", ["Assistive tech"])])
    assert skills_in(without, text) == []
    named = Normalizer.from_taxonomy([("Assistive technology", ["Screen readers", "NVDA"])])
    assert skills_in(named, text) == ["Assistive technology"]


def test_order_of_first_appearance_and_no_duplicates(normalizer):
    text = "GA4 and Python; then python again, Google Analytics and MS Excel, and Python."
    assert skills_in(normalizer, text) == ["Google Analytics", "Python", "Microsoft Excel"]
    assert normalizer.extract("") == []
    assert normalizer.extract("  , . ; ") == []


def test_deterministic(normalizer):
    text = (
        "We need Performance, Unit and Integration Testing, help managing our volunteers, "
        "our old Excel spreadsheets moved to MS SQL, and a Wordpres site. " * 5
    )
    first = normalizer.extract(text)
    assert normalizer.extract(text) == first
    rebuilt = Normalizer.from_taxonomy(TAXONOMY)
    assert rebuilt.extract(text) == first
    assert Extractor(normalizer).extract(text) == first


def test_the_extractor_is_built_once_per_normalizer(normalizer):
    normalizer.extract("Python")
    extractor = normalizer._extractor
    normalizer.extract("Slack")
    assert normalizer._extractor is extractor


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("teams", "team"),
        ("leading", "lead"),
        ("lead", "lead"),
        ("automated", "automat"),
        ("automation", "automat"),
        ("managing", "manag"),
        ("management", "manag"),
        ("running", "run"),
        ("class", "class"),
        ("go", "go"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


# --- The product taxonomy ------------------------------------------------------------------


@pytest.fixture(scope="module")
def product():
    from network.taxonomy import read_taxonomy

    taxonomy = read_taxonomy()
    aliases: dict[str, list[str]] = {key: [] for key in taxonomy.skills}
    for alias in taxonomy.aliases.values():
        aliases[alias.skill_key].append(alias.alias)
    return Normalizer.from_taxonomy(
        (skill.name, aliases[key]) for key, skill in taxonomy.skills.items()
    )


def test_product_taxonomy_in_a_request(product):
    text = (
        "Our old Excel spreadsheets track donors. We'd like to zoom in on the details, leave "
        "some slack time before the gala, and go to the board in May. One volunteer uses a "
        "screen reader. We need help managing our volunteers, writing grants, and moving the "
        "Wordpres site off GoDaddy; our Zoom account and Slack workspace stay."
    )
    found = skills_in(product, text)
    assert found[:2] == ["Microsoft Excel", "Assistive technology"]
    for expected in ("Volunteer management", "Grant writing", "WordPress", "GoDaddy"):
        assert expected in found
    # Zoom and Slack come from "our Zoom account and Slack workspace", after the rest.
    assert found[-2:] == ["Zoom", "Slack"]
    assert "Go" not in found
