"""The matching index: shapes and contents of the arrays a ranking reads (no database)."""

import datetime

import numpy as np
import pytest

from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.types import ConsultantProfile, ExternalProfile

TAXONOMY = [("WordPress", ["WP"]), ("Drupal", []), ("Mailchimp", []), ("Python", [])]


def profile(consultant_id: int, **fields) -> ConsultantProfile:
    fields.setdefault("status", "active")
    fields.setdefault("skills", {})
    fields.setdefault("text", "")
    fields.setdefault("capacity_hours_per_week", 20)
    return ConsultantProfile(id=consultant_id, name=f"Member {consultant_id}", **fields)


@pytest.fixture
def index():
    consultants = [
        profile(
            3,
            skills={"Drupal": 4, "WordPress": 2},
            text="Drupal sites for arts groups",
            languages=frozenset({"en", "es"}),
            location="Berkeley, CA",
            hourly_rate=120,
            away=((datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)),),
        ),
        profile(
            1,
            skills={"WordPress": 5, "Mailchimp": 3},
            text="WordPress and newsletters",
            status="alumni",
            capacity_hours_per_week=10,
            committed_hours_per_week=12,
            clients_served=frozenset({7}),
        ),
    ]
    externals = [ExternalProfile(9, "Outside 9", "Firm", frozenset({"Python", "Drupal"}))]
    return MatchIndex.build(consultants, externals, Normalizer.from_taxonomy(TAXONOMY))


def test_consultants_are_sorted_by_id(index):
    """Array positions follow ids, so a tie on score is broken by position."""
    assert index.consultant_ids.tolist() == [1, 3]
    assert [p.id for p in index.consultants] == [1, 3]


def test_skill_vocabulary_covers_consultants_and_externals(index):
    assert index.skill_names == ["Drupal", "Mailchimp", "Python", "WordPress"]
    assert index.skill_column == {"Drupal": 0, "Mailchimp": 1, "Python": 2, "WordPress": 3}


def test_levels_matrix_holds_levels_and_weights(index):
    assert index.levels.shape == (2, 4)
    assert index.levels.dtype == np.float32
    assert index.levels.toarray().tolist() == [[0, 3, 0, 5], [4, 0, 0, 2]]
    assert np.allclose(index.level_weight_csc.toarray(), index.levels.toarray() / 5)
    positions, weights = index.skill_weight_column("WordPress")
    assert positions.tolist() == [0, 1]
    assert np.allclose(weights, [1.0, 0.4])
    assert index.skill_weight_column("Unheard of")[0].size == 0


def test_tfidf_rows_are_unit_length_and_vectorizer_is_kept(index):
    assert index.tfidf_csc.shape[0] == 2
    norms = np.sqrt(np.asarray(index.tfidf_csc.multiply(index.tfidf_csc).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)
    query = index.vectorizer.transform(["Drupal"])
    assert query.nnz == 1
    assert "and" not in index.vectorizer.vocabulary_  # English stop words dropped


def test_filter_and_factor_arrays(index):
    assert index.offerable.tolist() == [False, True]
    assert index.free_hours.tolist() == [0.0, 20.0]  # over-committed clips to zero
    assert np.isnan(index.hourly_rate[0]) and index.hourly_rate[1] == 120
    assert index.speaks[1, index.language_codes["es"]]
    assert not index.speaks[0].any()
    assert index.location_names[index.location_code[1]] == "berkeleyca"
    assert index.clients_of(7).tolist() == [0]
    assert index.clients_of(8) is None


def test_time_away_filters_only_when_it_covers_the_whole_window(index):
    inside = index.away_during(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5))
    assert inside.tolist() == [False, True]
    overlapping = index.away_during(datetime.date(2026, 2, 20), datetime.date(2026, 3, 1))
    assert overlapping.tolist() == [False, False]
    after = index.away_during(datetime.date(2026, 3, 11), datetime.date(2026, 4, 1))
    assert after.tolist() == [False, False]


def test_external_skill_matrix(index):
    assert index.external_skills.shape == (1, 4)
    assert index.external_skills.toarray().tolist() == [[1, 0, 1, 0]]


def test_version_is_set_by_the_caller(index):
    assert index.version is None
    index.version = ("skills", 4)
    assert index.version == ("skills", 4)


def test_empty_network_builds():
    empty = MatchIndex.build([], [], Normalizer.from_taxonomy(TAXONOMY))
    assert empty.size == 0
    assert empty.levels.shape == (0, 0)


def test_profiles_without_text_build():
    index = MatchIndex.build(
        [profile(1, skills={"Drupal": 3})], [], Normalizer.from_taxonomy(TAXONOMY)
    )
    assert index.tfidf_csc.shape[0] == 1


def test_query_terms_match_the_fitted_vectorizer(index):
    """The fast path for request text gives the same weights as ``vectorizer.transform``."""
    text = "Drupal and WordPress sites, Drupal for arts groups; unheard-of words too"
    columns, weights = index.query_terms(text)
    expected = index.vectorizer.transform([text])
    ours = dict(zip(columns, weights.tolist(), strict=True))
    theirs = dict(zip(expected.indices.tolist(), expected.data.tolist(), strict=True))
    assert ours.keys() == theirs.keys()
    assert [ours[column] for column in theirs] == pytest.approx(list(theirs.values()), rel=1e-5)
    assert index.query_terms("and the of")[0] == []
