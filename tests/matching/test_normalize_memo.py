"""The normalizer remembers the learned stage's answers by term: the same request's skills and
text are looked up on every view of its matches, and each call of the model costs the same
whatever it is asked."""

import pickle

import pytest

from matching import normalize
from matching.normalize import Normalizer
from tests.matching.test_extract import TAXONOMY

# Typos and near-names the learned stage answers, one it refuses, one too short to ask.
TERMS = ["Wordpres", "Pyhton", "google analytic", "volunter scheduling", "quantum knitting", "x"]
TEXT = "We need help with our Wordpres site and a Pyhton script for the volunter scheduling."


@pytest.fixture(scope="module")
def built():
    return pickle.dumps(Normalizer.from_taxonomy(TAXONOMY))


@pytest.fixture
def normalizer(built):
    """A normalizer fresh from the index's files (nothing remembered yet)."""
    return pickle.loads(built)  # noqa: S301 - built by this test


def _counting(monkeypatch, normalizer) -> list[list[str]]:
    asked: list[list[str]] = []
    best = normalizer._learned.best

    def counted(terms):
        asked.append(list(terms))
        return best(terms)

    monkeypatch.setattr(normalizer._learned, "best", counted)
    return asked


def test_a_second_look_up_answers_the_same_without_the_model(monkeypatch, normalizer, built):
    asked = _counting(monkeypatch, normalizer)
    first = normalizer.normalize_many(TERMS)
    # The exact stage answers "google analytic"; "x" is too short for the model.
    assert asked == [["Wordpres", "Pyhton", "volunter scheduling", "quantum knitting"]]
    assert first[0].match is not None and first[0].match.skill == "WordPress"
    assert first[4].match is None and first[5].match is None

    assert normalizer.normalize_many(TERMS) == first
    assert normalizer.fuzzy("Pyhton") == first[1].match
    assert len(asked) == 1
    # And the answers are what a normalizer that remembers nothing gives.
    fresh = pickle.loads(built)  # noqa: S301 - built by this test
    assert fresh.normalize_many(TERMS) == first


def test_the_text_s_phrases_are_asked_once(monkeypatch, normalizer, built):
    asked = _counting(monkeypatch, normalizer)
    found = normalizer.extract(TEXT)
    calls = len(asked)
    assert calls >= 1 and {m.skill for m in found} >= {"WordPress", "Python"}
    assert normalizer.extract(TEXT) == found
    assert len(asked) == calls
    assert pickle.loads(built).extract(TEXT) == found  # noqa: S301 - built by this test


def test_what_is_remembered_is_not_pickled_into_the_index(normalizer):
    normalizer.normalize_many(TERMS)
    assert normalizer._fuzzy_memo
    copy = pickle.loads(pickle.dumps(normalizer))  # noqa: S301 - our own object
    assert not hasattr(copy, "_fuzzy_memo")
    assert copy.normalize_many(TERMS) == normalizer.normalize_many(TERMS)


def test_the_memory_is_bounded(monkeypatch, normalizer):
    monkeypatch.setattr(normalize, "FUZZY_MEMO_SIZE", 3)
    for term in TERMS[:-1]:
        normalizer.normalize_many([term])
        assert len(normalizer._fuzzy_memo) <= 3
    unremembered = pickle.loads(pickle.dumps(normalizer))  # noqa: S301 - our own object
    assert normalizer.normalize_many(TERMS) == unremembered.normalize_many(TERMS)
