"""The learned normalization stage on small hand-made taxonomies (no database, no public data)."""

import pytest

from matching import learned, learned_features, learned_text, learned_training
from matching.normalize import Normalizer
from matching.types import SkillMatch
from network.text_rules import fold

TAXONOMY = [
    ("Ruby", ["ruby lang"]),
    ("Objective-C", ["obj-c lang"]),
    ("PHP", ["php5"]),
    ("JWT", ["JSON Web Token"]),
    ("Python", ["python3", "py"]),
    ("JavaScript", ["js", "ECMAScript"]),
    ("TypeScript", ["ts"]),
    ("PostgreSQL", ["Postgres"]),
    ("MySQL", []),
    ("Kubernetes", ["k8s"]),
    ("WordPress", ["wp"]),
    ("Salesforce", ["SFDC"]),
    ("Microsoft Excel", ["Excel"]),
    ("Google Analytics", ["GA4"]),
    ("Search engine optimization", ["SEO"]),
    ("Grant writing", ["grant proposals"]),
    ("Bookkeeping", ["accounts keeping"]),
    ("Data visualization", ["dataviz", "charts"]),
    ("Rust", []),
    ("Scala", []),
]


@pytest.fixture(scope="module")
def normalizer():
    return Normalizer.from_taxonomy(TAXONOMY)


def skill(normalizer, term):
    match = normalizer.normalize(term)
    return match.skill if match else None


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Kubernets", "Kubernetes"),
        ("Pyhton", "Python"),
        ("Javscript", "JavaScript"),
        ("Salesforse", "Salesforce"),
        ("Bookkeping", "Bookkeeping"),
    ],
)
def test_typos(normalizer, term, expected):
    match = normalizer.normalize(term)
    assert match is not None and match.skill == expected
    assert normalizer.cutoff <= match.score < 1


@pytest.mark.parametrize(
    ("term", "expected"),
    [("php-include", "PHP"), ("jwt-auth", "JWT"), ("mysql-query", "MySQL")],
)
def test_a_skill_with_a_word_attached_is_its_head(normalizer, term, expected):
    assert skill(normalizer, term) == expected


@pytest.mark.parametrize(("term", "expected"), [("rb", "Ruby"), ("objc", "Objective-C")])
def test_letters_in_order(normalizer, term, expected):
    assert skill(normalizer, term) == expected


@pytest.mark.parametrize(
    "term", ["Docker", "Terraform", "quantum knitting", "underwater basket weaving", "jz"]
)
def test_abstains_on_tools_the_taxonomy_lacks(normalizer, term):
    assert normalizer.normalize(term) is None


def test_candidates_are_ranked_with_probabilities(normalizer):
    ranked = normalizer.candidates("Kubernets", k=3)
    assert ranked[0].skill == "Kubernetes"
    assert 1 <= len(ranked) <= 3
    assert len({m.skill for m in ranked}) == len(ranked)
    scores = [m.score for m in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    # An exact match comes first with score 1; unknown tools still get ranked guesses.
    assert normalizer.candidates("Postgres", k=2)[0] == SkillMatch("PostgreSQL", 1.0)
    assert len(normalizer.candidates("Docker", k=3)) <= 3
    assert normalizer.candidates("", k=3) == []


def test_batched_equals_one_at_a_time(normalizer):
    terms = ["Kubernets", "php-include", "Docker", "Postgres", "rb", "", "Pyhton"]
    batched = normalizer.normalize_many(terms)
    assert [t.match for t in batched] == [normalizer.normalize(t) for t in terms]
    assert normalizer.candidates_many(terms, 3) == [normalizer.candidates(t, 3) for t in terms]


def test_same_taxonomy_same_model_and_answers():
    learned.clear_cache()
    first = Normalizer.from_taxonomy(TAXONOMY)
    learned.clear_cache()
    second = Normalizer.from_taxonomy(TAXONOMY)
    assert first._learned is not second._learned
    assert first.cutoff == second.cutoff
    terms = ["Kubernets", "rb", "jwt-auth", "Docker", "grant writng", "data vis", "scla"]
    assert first.candidates_many(terms, 5) == second.candidates_many(terms, 5)


def test_trained_model_is_cached_by_taxonomy():
    learned.clear_cache()
    first = Normalizer.from_taxonomy(TAXONOMY)
    assert Normalizer.from_taxonomy(list(TAXONOMY))._learned is first._learned
    changed = Normalizer.from_taxonomy([*TAXONOMY, ("Docker", [])])
    assert changed._learned is not first._learned
    assert changed.normalize("Dockr") == changed.candidates("Dockr", 1)[0]
    for i in range(learned.CACHE_SIZE + 2):
        Normalizer.from_taxonomy([("Skill", [f"alias {i}"])])
    assert len(learned._cache) == learned.CACHE_SIZE
    assert Normalizer.from_taxonomy(TAXONOMY)._learned is not first._learned  # evicted


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [("Python", [])],
        [("Python", []), ("Rust", [])],
        [("Python", ["py"]), ("R", [])],
        [("...", []), ("C++", ["cpp"]), ("Perl", []), ("Python", [])],  # a name folding to ""
    ],
)
def test_tiny_taxonomies_work(entries):
    built = Normalizer.from_taxonomy(entries)
    assert built.normalize("quantum knitting") is None
    assert built.normalize_many([]) == []
    for name, _aliases in entries:
        if name.strip("."):
            assert built.normalize(name) == SkillMatch(name, 1.0)
    if entries:
        assert all(0 <= m.score <= 1 for m in built.candidates("Pythn", 3))


def test_training_holds_each_alias_out_of_its_own_features():
    matcher = learned.LearnedMatcher(TAXONOMY)
    pid = matcher.key_id["k8s"]
    held = learned_features.Query("k8s", exclude_phrase=pid)
    features, owners = matcher.candidate_features([held])
    column = learned_features.FEATURES.index
    for row, (_, sid) in zip(features, owners, strict=True):
        assert row[column("cos")] < 0.999  # the alias itself is not found
        if matcher.skills[sid] == "Kubernetes":
            assert row[column("phrases")] == 1  # the name only: the held-out alias not counted
            assert row[column("agree")] <= 1


def test_a_normalizer_survives_pickling(normalizer):
    # The match index, normalizer included, is shared between processes through the cache.
    import pickle

    normalizer.normalize("Kubernets")
    copy = pickle.loads(pickle.dumps(normalizer))  # noqa: S301 - our own bytes
    terms = ["Kubernets", "rb", "Docker", "php-include"]
    assert copy.normalize_many(terms) == normalizer.normalize_many(terms)


# A small product-like taxonomy, as a referral desk might keep.
DESK = [
    ("Salesforce Nonprofit Success Pack", ["NPSP", "Salesforce NPSP"]),
    ("CiviCRM", ["Civi"]),
    ("Mail merges", ["mail merge"]),
    ("Microsoft Excel", ["Excel"]),
    ("WordPress", ["WP"]),
    ("Data migration", []),
    ("Web accessibility", ["a11y", "WCAG"]),
    ("Google Workspace", ["G Suite", "GSuite"]),
    ("Network administration", []),
    ("Wi-Fi networks", ["wifi"]),
    ("PostgreSQL", ["Postgres"]),
    ("Data visualisation", ["dataviz"]),
    ("Microsoft 365", ["Office 365", "O365"]),
    ("Staff training", []),
]


@pytest.fixture(scope="module")
def desk():
    return Normalizer.from_taxonomy(DESK)


@pytest.mark.parametrize("term", ["Slack", "SQL", "Redis", "MySQL", "Acess"])
def test_no_skill_for_a_different_tool_sharing_letters(desk, term):
    # Letters in order along a long name, a part of a one-word name, a few shared n-grams.
    assert desk.normalize(term) is None


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("wordpres", "WordPress"),
        ("postgress", "PostgreSQL"),
        ("data vis", "Data visualisation"),
        ("exel", "Microsoft Excel"),
    ],
)
def test_the_desk_keeps_its_good_answers(desk, term, expected):
    assert skill(desk, term) == expected


def test_salesforce_alone_is_the_pack_or_unknown(desk):
    assert skill(desk, "Salesforce") in ("Salesforce Nonprofit Success Pack", None)


def test_letters_in_order_only_short_against_short():
    assert learned_text.in_order("rb", "ruby")
    assert learned_text.in_order("objc", "objectivec")
    assert not learned_text.in_order("slack", "salesforcenonprofitsuccesspack")


def test_a_version_number_does_not_make_a_near_name_the_skill():
    matcher = learned.LearnedMatcher(
        [("PHP", ["PHTML", "Php5", "Php3"]), ("CSS", []), ("Python", []), ("Windows 7", [])]
    )
    assert not matcher._version_fits("HTML5", "PHP")  # "html" is one edit from "phtml"
    assert matcher._version_fits("CSS3", "CSS")
    assert matcher._version_fits("pyhton3", "Python")
    assert matcher._version_fits("win7", "Windows 7")
    assert matcher._version_fits("php7", "PHP")
    assert matcher._version_fits("Kubernets", "PHP")  # not a versioned term: no say


def test_a_taxonomy_too_small_to_learn_from_answers_by_spelling_alone():
    # Two skills without aliases give a handful of training rows: no model is fitted, and only
    # a near spelling of a phrase counts.
    small = Normalizer.from_taxonomy([("CiviCRM", []), ("WordPress", [])])

    assert skill(small, "wordpres") == "WordPress"
    assert skill(small, "civicrn") == "CiviCRM"
    for unknown in ("Quantum knitting", "Word", "CRM", "Docker"):
        assert skill(small, unknown) is None, unknown


def test_training_asks_held_out_aliases_again_misspelt():
    # An unseen alias misspelt is what a typed typo mostly is: each held-out alias is asked
    # again with one typo (still held out, its own skill right), up to the cap.
    taxonomy = [(f"Tool {i}", [f"toolkit {i}", f"tk {i} suite"]) for i in range(400)]
    matcher = learned.LearnedMatcher(taxonomy)
    queries, truth, _ = learned_training.training_queries(matcher)
    misspelt = [
        (query, right)
        for query, right in zip(queries, truth, strict=True)
        if query.exclude_phrase >= 0 and query.term != matcher.spaced[query.exclude_phrase]
    ]
    assert 1000 < len(misspelt) <= learned_training.MAX_HELD_TYPO_QUERIES
    for query, right in misspelt:
        assert right == matcher.phrase_skill[query.exclude_phrase]
        assert fold(query.term) not in matcher.key_id
