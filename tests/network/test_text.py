"""``network.text.fold``: the one rule by which skill names and aliases are compared."""

import pytest

from network.text import fold


@pytest.mark.parametrize(
    "written", ["Node.js", "node-js", "NodeJS", "node js", "NODE_JS", "node/js"]
)
def test_spellings_of_node_js_fold_equal(written):
    assert fold(written) == "nodejs"


def test_plus_and_sharp_keep_c_plus_plus_c_sharp_and_c_apart():
    assert len({fold("C++"), fold("C#"), fold("C")}) == 3
    assert fold("C ++") == fold("c++")
    assert fold("F#") != fold("F")


def test_accents_and_case_are_ignored():
    assert fold("Café Données") == fold("cafe donnees") == "cafedonnees"
    assert fold("STRASSE") == fold("Straße")


def test_apostrophes_and_other_punctuation_are_dropped():
    assert fold("Blackbaud Raiser's Edge") == fold("Blackbaud Raisers Edge")
    assert fold("UI/UX design!") == "uiuxdesign"
    assert fold("Bill.com") == "billcom"


def test_compatibility_characters_fold_to_their_plain_letters():
    assert fold("ＰＨＰ") == "php"  # full-width letters, as some keyboards type them


def test_text_with_no_letters_or_digits_folds_to_nothing():
    assert fold(" - . / ") == ""
    assert fold("") == ""
