"""Skill extraction from prose: the skills a request description or a job ad names.

:class:`Extractor` works on one :class:`~matching.normalize.Normalizer` (``Normalizer.extract``
delegates here, building it on first use) and reads only what the normalizer knows: its folded
alias tables and its ``normalize_many`` scores (:class:`AliasTables`). The words and sentences
of a text come from :mod:`matching.prose`, the alias keys from :mod:`matching.aliases`. Results
are suggestions a coordinator confirms.

Stages, each on the words no earlier stage claimed:

1. **Exact** (score 1.0): word n-grams within a sentence, longest first, looked up in the folded
   alias dictionary (plural ``s`` and, for two words or more, word order ignored); a match
   claims its words. Initialisms count only when written in capitals ("ETL"); a name cut short
   counts when only one skill has it ("MS SQL" of "MS SQL Server", score
   :data:`INFLECTED_SCORE`); so does a name without its bracketed qualifier ("Java" of "Java
   (computer programming)"), always with evidence (below).
2. **Lists and coordination**: "Performance, Unit and Integration Testing" is read as
   "Performance Testing", "Unit Testing" and "Integration Testing"; "build and maintain
   websites" as "build websites" and "maintain websites". Each expansion is looked up exactly,
   or by inflection in the taxonomy's word order.
3. **Inflections** (score :data:`INFLECTED_SCORE`): runs of two words or more whose content
   words, cut by :func:`stem`, are an alias's in either order ("managing our volunteers" =
   "Volunteer management", "leading a team" = "lead a team"). Lower-case names led by a verb
   (a first word that starts at least :data:`MIN_VERB_NAMES` names and seldom stands anywhere
   else in them: "manage", "offer") are also named by their object alone when one skill has it
   ("financial services" = "offer financial services").
4. **Near phrases** (score :data:`GAPPED_SCORE`): a verb-led name whose words stand in order in
   one phrase with at most :data:`MAX_GAP` other words among them ("solving business
   problems" = "solve problems").
5. **The model**: capitalised names nothing claimed ("Wordpres", "Google Analitics") are
   scored by ``normalize_many`` and kept at :data:`PROSE_MIN_SCORE` or above, stricter than for
   a typed term: prose offers many more spans to be wrong about.

Ordinary words need evidence. The normalizer marks an alias *ambiguous* when it folds to at
most two characters, is an English stop word, a ``common_words`` entry or a bare head word
("Access" beside "Microsoft Access"). On top of that, a single-word alias that the taxonomy
writes only as a capitalised word, and never in lower case inside a longer name, is a *name
word* ("Zoom", "Slack", "Excel"; not "Backups", which "Data backup" shows to be a common word):
it may be an ordinary word too ("zoom in on", "some slack time"). Both kinds fire only when

- the word is written as in the taxonomy with its capital letter, not first in a sentence ("our
  old Excel spreadsheets", "we use Go"); a name word first in a sentence counts unless a
  particle follows it ("Zoom in on ..." does not); an ambiguous alias in capitals of two
  letters or more counts anywhere ("IT", "UI");
- a context word (:data:`CONTEXT_WORDS`: "language", "developer", "spreadsheets", "channel"...)
  is within two words of it ("the go language", "a zoom meeting"); or
- for a name word, the text is a line of bare terms with no function word (a tag line such as
  "javascript reactjs java"), where case says nothing; or a word that introduces a tool
  (:data:`TOOL_CUES`: "use", "on", "our"...) comes just before it and no particle after it
  ("we meet on zoom", not "we need to zoom in on it").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

from matching.aliases import INITIALISM_SCORE, Alias, folded_words, order_key, singular
from matching.prose import FUNCTION_WORDS, Text, Token, coordinated_items, stem
from matching.types import NormalizedTerm, SkillMatch
from network.text_rules import fold

INFLECTED_SCORE = 0.95
GAPPED_SCORE = 0.85
# The lowest normalize_many score a span found in prose may have. A typed term is accepted at
# the normalizer's own cut-off; a description offers dozens of spans, most of them not skills.
PROSE_MIN_SCORE = 0.92
# Other content words allowed among the words of a near phrase.
MAX_GAP = 1
# A first word shared by at least this many lower-case names is taken for a verb.
MIN_VERB_NAMES = 5
# Spans longer than this (in words) are not offered to the model.
MAX_MODEL_WORDS = 4
# Spans offered to the model per text at most (the longest texts keep the first ones).
MAX_MODEL_SPANS = 24
# A single word shorter than this (folded) is not offered to the model: too many near misses.
MIN_MODEL_LENGTH = 5
# Words that, next to an ambiguous alias or a name word, say a skill or a tool is meant.
CONTEXT_WORDS = frozenset(
    {
        "language",
        "languages",
        "programming",
        "framework",
        "frameworks",
        "library",
        "libraries",
        "developer",
        "developers",
        "development",
        "engineer",
        "engineers",
        "code",
        "coding",
        "scripting",
        "software",
        "platform",
        "experience",
        "skills",
        "proficiency",
        "proficient",
        # Tools: "Excel spreadsheets", "a zoom meeting", "our slack workspace".
        "spreadsheet",
        "spreadsheets",
        "workbook",
        "workbooks",
        "account",
        "accounts",
        "workspace",
        "channel",
        "channels",
        "meeting",
        "meetings",
        "webinar",
        "webinars",
        "integration",
        "plugin",
        "plugins",
        "app",
        "apps",
        "admin",
        "administrator",
        "license",
        "licenses",
        "subscription",
        "instance",
        "database",
        "databases",
    }
)
# A particle after a name word makes it a phrasal verb: "Zoom in on ...", "slack off".
PARTICLES = frozenset(
    {"in", "on", "out", "up", "down", "off", "ahead", "through", "over", "back", "around", "away"}
    | {"into", "onto", "at", "about", "along", "across", "forward"}
)
# Words that introduce a tool: a name word in lower case right after one is the tool ("we use
# mailchimp", "moved to salesforce", "our canva account"), unless a particle follows it.
TOOL_CUES = frozenset(
    {"use", "uses", "using", "used", "via", "with", "in", "on", "into", "from", "to", "our"}
    | {"their", "your", "my", "its", "and", "or", "like", "including", "migrate", "switch"}
)


class AliasTables(Protocol):
    """What an :class:`Extractor` reads of a :class:`~matching.normalize.Normalizer`: its folded
    alias tables and its batched ``normalize_many`` (the model stage)."""

    _phrases: dict[str, Alias]
    _exact: dict[str, str]
    _order: dict[str, str]
    _initialisms: dict[str, str]
    _max_words: int

    def normalize_many(self, terms: Iterable[str]) -> list[NormalizedTerm]: ...


@dataclass(frozen=True)
class _Hit:
    position: int  # index of the first word, for the order of first appearance
    match: SkillMatch


class Extractor:
    """Finds one normalizer's skills in free text."""

    def __init__(self, normalizer: AliasTables) -> None:
        self._normalizer = normalizer
        # The alias tables belong to the normalizer; extraction reads them, never writes.
        self._phrases = normalizer._phrases
        self._exact = normalizer._exact
        self._order = normalizer._order
        self._initialisms = normalizer._initialisms
        self._max_words = normalizer._max_words
        self._build()

    def _build(self) -> None:
        """Prose-only tables: name words, inflection-blind keys, near phrases, prefixes, heads."""
        entries: list[tuple[str, str, list[str], tuple[str, ...]]] = []
        # Words the taxonomy writes in lower case inside longer names are common words
        # ("backup" in "Data backup"); a capitalised word it never writes so is a name.
        common = {
            singular(fold(word))
            for alias in self._phrases.values()
            for form in alias.forms
            if len(form.split()) >= 2
            for word in form.split()
            if word.islower()
        }
        name_words: set[str] = set()
        for key, alias in self._phrases.items():
            forms = sorted(f for f in alias.forms if f)
            if forms and all(_is_name_word(f) for f in forms) and singular(key) not in common:
                name_words.add(key)
                name_words.add(singular(key))
            if alias.ambiguous or key in name_words:
                continue
            for form in forms:
                words = folded_words(form.split("(")[0]) or folded_words(form)
                content = tuple(stem(w) for w in words if w not in FUNCTION_WORDS)
                if content and (len(content) >= 2 or len(content[0]) >= 5):
                    entries.append((form, alias.skill, words, content))
        verbs = _leading_verbs((form, words) for form, _skill, words, _content in entries)

        # Content-word stems of each unambiguous alias, in order and sorted.
        inflected: dict[tuple[str, ...], str] = {}
        unordered: dict[tuple[str, ...], str] = {}
        near: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        objects: dict[tuple[str, ...], set[str]] = defaultdict(set)
        # Name-like prefixes ("MS SQL" of "MS SQL Server"): prefix -> skills.
        prefixes: dict[str, set[str]] = defaultdict(set)
        for form, skill, words, content in entries:
            inflected.setdefault(content, skill)
            if len(content) >= 2:
                unordered.setdefault(tuple(sorted(content)), skill)
            lead = _lead(form, words)
            if lead in verbs:
                # "offer financial services" is named by "financial services" too, and its
                # verb and object may have a word between them: "solving business problems".
                rest = words[len(lead.split()) :]
                obj = tuple(stem(w) for w in rest if w not in FUNCTION_WORDS)
                if len(obj) >= 2:
                    objects[obj].add(skill)
                if " " not in lead and 2 <= len(content) <= 4:
                    near[content[0]].append((content, skill))
            written = form.split()
            if len(written) >= 3 and written[0][:1].isupper():
                for cut in range(2, len(written)):
                    if fold(written[cut - 1]) not in FUNCTION_WORDS:
                        prefixes["".join(fold(w) for w in written[:cut])].add(skill)
        self._objects: frozenset[tuple[str, ...]] = frozenset(
            obj for obj, skills in objects.items() if len(skills) == 1 and obj not in inflected
        )
        for obj in self._objects:
            inflected[obj] = next(iter(objects[obj]))
        # Every word of a multi-word alias, plural or not: other word sets need no sorting.
        self._order_words = frozenset(
            form for key in self._order for word in key.split() for form in (word, word + "s")
        )
        self._name_words = frozenset(name_words)
        self._inflected = inflected
        self._unordered = unordered
        self._near = dict(near)
        self._prefixes = {
            key: next(iter(skills))
            for key, skills in prefixes.items()
            if len(skills) == 1 and key not in self._exact
        }
        # A name without its bracketed qualifier ("Java" of "Java (computer programming)"),
        # when it is no other alias and only one skill has it. It always needs evidence: a
        # name word like "Java", or an ambiguous alias when the taxonomy also uses the word in
        # lower case ("Scratch", "Source", "Assembly").
        heads: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for alias in self._phrases.values():
            for form in alias.forms:
                head = form.split("(")[0].strip()
                if head != form.strip() and fold(head) and fold(head) not in self._exact:
                    heads[fold(head)].append((head, alias.skill))
        self._heads: dict[str, Alias] = {}
        for key, found in heads.items():
            if len({skill for _head, skill in found}) != 1:
                continue
            written = frozenset(head for head, _skill in found)
            if all(_is_name_word(w) for w in written) and singular(key) not in common:
                self._name_words = self._name_words | {key}
                ambiguous = False
            else:
                ambiguous = True
            self._heads[key] = Alias(skill=found[0][1], ambiguous=ambiguous, forms=written)
        # Every key the exact pass may find, plurals too, for a quick "nothing here".
        self._keys = frozenset(
            [*self._phrases, *self._heads, *self._exact, *self._initialisms, *self._prefixes]
            + [key + "s" for key in self._exact]
        )

    def _content_skill(self, words: list[Token]) -> str | None:
        """The skill whose alias has these words' content stems, in this order or any order."""
        content = tuple(t.stem for t in words if t.folded not in FUNCTION_WORDS)
        if not content:
            return None
        skill = self._inflected.get(content)
        if skill is None and len(content) >= 2:
            skill = self._unordered.get(tuple(sorted(content)))
        return skill

    # --- The pass over a text ----------------------------------------------------------------

    def extract(self, text: str) -> list[SkillMatch]:
        """Skills named in ``text``, de-duplicated, in order of first appearance."""
        words = Text(text)
        if not words.tokens:
            return []
        claimed = [False] * len(words.tokens)
        hits: list[_Hit] = []
        hits += self._exact_pass(words, claimed)
        hits += self._coordination(words)
        hits += self._inflected_pass(words, claimed)
        hits += self._near_pass(words, claimed)
        hits += self._model_pass(words, claimed)
        found: list[SkillMatch] = []
        seen: set[str] = set()
        for hit in sorted(hits, key=lambda h: h.position):
            if hit.match.skill not in seen:
                seen.add(hit.match.skill)
                found.append(hit.match)
        return found

    def _exact_pass(self, words: Text, claimed: list[bool]) -> list[_Hit]:
        """Longest n-grams first, within a sentence; a match claims its words."""
        hits: list[_Hit] = []
        i = 0
        while i < len(words.tokens):
            longest = min(self._max_words, words.sentence_end[i] - i)
            keys = list(accumulate(t.folded for t in words.tokens[i : i + longest]))
            for n in range(longest, 0, -1):
                key = keys[n - 1]
                reordered = n > 1 and all(
                    t.folded in self._order_words for t in words.tokens[i : i + n]
                )
                if key not in self._keys and not reordered:
                    continue  # nothing to find: most n-grams end here
                match = self._phrase_at(words, i, n)
                if match is not None:
                    hits.append(_Hit(i, match))
                    claimed[i : i + n] = [True] * n
                    i += n
                    break
            else:
                i += 1
        return hits

    def _phrase_at(self, words: Text, i: int, n: int) -> SkillMatch | None:
        """The skill the n words from word i name in prose, or None."""
        tokens = words.tokens
        folded = [t.folded for t in tokens[i : i + n]]
        key = "".join(folded)
        alias = self._phrases.get(key) or self._heads.get(key)
        if alias is None:
            skill = self._exact.get(key) or self._exact.get(singular(key))
            if skill is None and n >= 2 and all(w in self._order_words for w in folded):
                skill = self._order.get(order_key(folded))
            if skill is not None:
                alias = self._phrases.get(fold(skill))
                if alias is None or alias.ambiguous:
                    # A plural or reordered form of an ambiguous alias needs the same evidence.
                    alias = Alias(
                        skill=skill, ambiguous=n == 1 and len(key) <= 3, forms=frozenset()
                    )
                else:
                    alias = Alias(skill=skill, ambiguous=False, forms=frozenset())
        if alias is None:
            if n == 1:
                written = tokens[i].text
                initial = self._initialisms.get(key)
                if initial is not None and written.isupper() and len(written) >= 2:
                    return SkillMatch(skill=initial, score=INITIALISM_SCORE)
            elif key in self._prefixes and any(t.text[:1].isupper() for t in tokens[i : i + n]):
                # A name cut short: "MS SQL" for "MS SQL Server", one skill only.
                return SkillMatch(skill=self._prefixes[key], score=INFLECTED_SCORE)
            return None
        name_word = n == 1 and (key in self._name_words or singular(key) in self._name_words)
        if not alias.ambiguous and not name_word:
            return SkillMatch(skill=alias.skill, score=1.0)
        common_head = alias.ambiguous and self._heads.get(key) is alias
        if not common_head and self._has_context(words, i, n):
            # ("source code" is no sign of a tool called Source)
            return SkillMatch(skill=alias.skill, score=1.0)
        if name_word and not alias.ambiguous:
            following = tokens[i + 1].folded if i + 1 < len(tokens) else ""
            cued = i > 0 and tokens[i - 1].folded in TOOL_CUES and following not in PARTICLES
            if words.bare_terms or (cued and i <= words.phrase_end[i - 1] - 1):
                return SkillMatch(skill=alias.skill, score=1.0)
        written = words.written(i, n)
        if written in alias.forms and any(ch.isupper() for ch in written):
            if written.isupper() and len(written) >= 2:
                return SkillMatch(skill=alias.skill, score=1.0)
            if not words.sentence_start[i]:
                return SkillMatch(skill=alias.skill, score=1.0)
            if name_word and not alias.ambiguous:
                following = tokens[i + 1].folded if i + 1 < len(tokens) else ""
                if following not in PARTICLES:
                    return SkillMatch(skill=alias.skill, score=1.0)
        return None

    @staticmethod
    def _has_context(words: Text, i: int, n: int) -> bool:
        """Whether a context word lies within two words before or after words i..i+n."""
        window = words.tokens[max(0, i - 2) : i] + words.tokens[i + n : i + n + 2]
        return any(t.folded in CONTEXT_WORDS for t in window)

    # --- Lists and coordination ----------------------------------------------------------------

    def _coordination(self, words: Text) -> list[_Hit]:
        """Phrases a list or a coordination implies, found exactly or by inflection."""
        hits: list[_Hit] = []
        tokens = words.tokens
        for items, end in coordinated_items(words):
            # Shared words after the list: "Unit and Integration Testing", "build and expand X".
            for length in range(1, min(3, words.phrase_end[items[-1]] - end) + 1):
                head = tokens[end : end + length]
                for position in items:
                    match = self._lookup([tokens[position], *head])
                    if match is not None:
                        hits.append(_Hit(position, match))
        return hits

    def _lookup(self, words: list[Token]) -> SkillMatch | None:
        """An implied phrase: exact after folding, or by inflection; ambiguous aliases refused."""
        folded = [t.folded for t in words]
        key = "".join(folded)
        skill = (
            self._exact.get(key)
            or self._exact.get(singular(key))
            or self._order.get(order_key(folded))
        )
        if skill is not None:
            alias = self._phrases.get(key)
            if alias is not None and alias.ambiguous:
                return None
            return SkillMatch(skill=skill, score=1.0)
        # By inflection only in the taxonomy's word order: an implied phrase is a guess already.
        content = tuple(t.stem for t in words if t.folded not in FUNCTION_WORDS)
        skill = self._inflected.get(content) if len(content) >= 2 else None
        if skill is None or content in self._objects:
            return None
        return SkillMatch(skill=skill, score=INFLECTED_SCORE)

    # --- Inflections and near phrases ----------------------------------------------------------

    def _inflected_pass(self, words: Text, claimed: list[bool]) -> list[_Hit]:
        """Unclaimed runs of two words or more whose content stems are an alias's."""
        hits: list[_Hit] = []
        tokens = words.tokens
        i = 0
        while i < len(tokens):
            if claimed[i] or tokens[i].folded in FUNCTION_WORDS:
                i += 1
                continue
            # Two words at least: one word alone is too often another sense ("motivated").
            for n in range(min(self._max_words, words.phrase_end[i] - i), 1, -1):
                if any(claimed[i : i + n]) or tokens[i + n - 1].folded in FUNCTION_WORDS:
                    continue
                skill = self._content_skill(tokens[i : i + n])
                if skill is not None:
                    hits.append(_Hit(i, SkillMatch(skill=skill, score=INFLECTED_SCORE)))
                    claimed[i : i + n] = [True] * n
                    i += n
                    break
            else:
                i += 1
        return hits

    def _near_pass(self, words: Text, claimed: list[bool]) -> list[_Hit]:
        """Verb-led aliases whose content words stand in order in one phrase, with at most
        :data:`MAX_GAP` other words among them ("solving business problems")."""
        hits: list[_Hit] = []
        tokens = words.tokens
        for first, last in words.phrases():
            # Content words of the phrase; claimed words stay as blanks that no alias matches.
            positions = [j for j in range(first, last) if tokens[j].folded not in FUNCTION_WORDS]
            stems = ["" if claimed[j] else tokens[j].stem for j in positions]
            for a, word in enumerate(stems):
                for content, skill in self._near.get(word, ()):
                    b = a
                    gaps = 0
                    for want in content[1:]:
                        b += 1
                        while b < len(stems) and stems[b] != want and gaps <= MAX_GAP:
                            gaps += 1
                            b += 1
                        if b >= len(stems) or stems[b] != want or gaps > MAX_GAP:
                            break
                    else:
                        if gaps:  # adjacent words were the inflected pass's to find
                            hits.append(_Hit(positions[a], SkillMatch(skill, GAPPED_SCORE)))
        return hits

    # --- The model ----------------------------------------------------------------------------

    def _model_pass(self, words: Text, claimed: list[bool]) -> list[_Hit]:
        """Left-over names in capitals, scored by the normalizer's model, kept when it is sure."""
        spans: list[tuple[int, str]] = []
        seen: set[str] = set()
        for first, last in words.phrases():
            for i in range(first, last):
                for n in range(min(MAX_MODEL_WORDS, last - i), 0, -1):
                    if any(claimed[i : i + n]) or not self._worth_scoring(words, i, n):
                        continue
                    phrase = words.written(i, n)
                    key = fold(phrase)
                    if key not in seen:
                        seen.add(key)
                        spans.append((i, phrase))
        spans = spans[:MAX_MODEL_SPANS]
        if not spans:
            return []
        hits: list[_Hit] = []
        results = self._normalizer.normalize_many([phrase for _, phrase in spans])
        for (position, _phrase), result in zip(spans, results, strict=True):
            match = result.match
            if match is None or match.score < PROSE_MIN_SCORE:
                continue
            alias = self._phrases.get(fold(match.skill))
            if alias is not None and alias.ambiguous:
                continue
            hits.append(_Hit(position, match))
        return hits

    def _worth_scoring(self, words: Text, i: int, n: int) -> bool:
        """A span the model may score: a name in capitals ("Google Analitics", "Wordpres")."""
        span = words.tokens[i : i + n]
        if any(t.folded in FUNCTION_WORDS or not t.text[:1].isupper() for t in span):
            return False
        if n > 1:
            return True
        word = span[0]
        if len(word.folded) < MIN_MODEL_LENGTH or word.folded in self._name_words:
            return False
        # A capital that only starts a sentence says nothing, unless the word is in capitals.
        return not words.sentence_start[i] or (word.text.isupper() and len(word.text) >= 3)


def _lead(form: str, words: list[str]) -> str:
    """The word a lower-case name of two words or more starts with ("offer"), or its first two
    when the second is "of" ("principles of"); "" for any other name."""
    if not form.islower() or len(words) < 2:
        return ""
    return f"{words[0]} of" if words[1] == "of" else words[0]


def _leading_verbs(names: Iterable[tuple[str, list[str]]]) -> frozenset[str]:
    """Leads that start many lower-case names and seldom stand anywhere else in them.

    "manage", "perform" or "principles of" start hundreds of ESCO skills ("manage staff",
    "principles of artificial intelligence") and are their verb or head; "human" or "work" also
    stand inside many names ("manage human resources"), so they are not taken for one.
    """
    first: dict[str, int] = defaultdict(int)
    inside: dict[str, int] = defaultdict(int)
    for form, words in names:
        lead = _lead(form, words)
        if lead:
            first[lead] += 1
        if form.islower():
            for word in words[1:]:
                inside[word] += 1
    return frozenset(
        lead
        for lead, count in first.items()
        if count >= MIN_VERB_NAMES and inside[lead] * 3 < count
    )


def _is_name_word(form: str) -> bool:
    """A capitalised plain word: "Zoom", "Slack", "Excel" (not "JavaScript", "SQL", "node")."""
    return form.isalpha() and len(form) >= 3 and form[0].isupper() and form[1:].islower()
