"""Finding English left on a page rendered in Spanish or French.

The catalogs know every English string of the interface and its translation. A page rendered in
Spanish that still shows one of those English strings, where the Spanish differs, shows an
untranslated piece of interface: a string marked but rendered outside the active language, or
a template that repeats a marked string without marking it. Text in another language on purpose
(an element with its own ``lang``, such as the language switcher's options) and code are left
out.
"""

import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import polib
from django.conf import settings

from network.management.commands.catalogs import APPS, catalog_path

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")
# Placeholders that stand for a count, and what a count looks like in any of the languages.
NUMERIC_NAME = re.compile(r"%\((?:count|counter|number|total|hours|days|n)\)s")
NUMBER = r"[\d\u00a0\u202f.,]+"
WORD = re.compile(r"[^\W\d_]{2,}")
SKIPPED_ELEMENTS = {"script", "style", "pre", "code", "textarea", "svg"}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Strings this long (in words) are looked for inside longer texts too; shorter ones only as a
# whole text, where a lone word cannot be mistaken for part of a sentence.
CONTAINED_FROM_WORDS = 3


def collapse(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def fragments(message: str) -> list[str]:
    """The pieces of a message a reader sees as separate texts (HTML tags split them)."""
    return [piece for piece in map(collapse, TAG.split(message)) if piece]


def readable(fragment: str) -> bool:
    """Whether a fragment holds words of its own, beyond placeholders and punctuation."""
    return bool(WORD.search(PLACEHOLDER.sub(" ", fragment)))


@dataclass(frozen=True)
class EnglishStrings:
    whole: frozenset[str]  # compared with whole texts
    patterns: tuple[re.Pattern, ...]  # with placeholders, or looked for inside longer texts


def pattern_for(fragment: str) -> str:
    """A fragment as a pattern: a count's placeholder matches a number, any other some text."""
    pattern, end = "", 0
    for placeholder in PLACEHOLDER.finditer(fragment):
        pattern += re.escape(fragment[end : placeholder.start()])
        numeric = NUMERIC_NAME.fullmatch(placeholder.group()) or placeholder.group()[-1] in "di"
        pattern += NUMBER if numeric else r"(?:.+?)"
        end = placeholder.end()
    return pattern + re.escape(fragment[end:])


def specific(fragment: str) -> bool:
    """Whether a fragment with a placeholder for any text says enough around it to be told from
    other text (``%(names)s and %(last)s`` does not: any text with "and" in it would match)."""
    if all(
        NUMERIC_NAME.fullmatch(p.group()) or p.group()[-1] in "di"
        for p in PLACEHOLDER.finditer(fragment)
    ):
        return True
    return len(WORD.findall(PLACEHOLDER.sub(" ", fragment))) >= 2


@functools.cache
def english_strings(language: str) -> EnglishStrings:
    """Every English fragment of the catalogs whose ``language`` translation differs."""
    whole, patterns = set(), set()
    for app in APPS:
        path = catalog_path(settings.BASE_DIR, app, language)
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                pairs = [
                    (entry.msgid, entry.msgstr_plural.get(0, "")),
                    (entry.msgid_plural, entry.msgstr_plural.get(len(entry.msgstr_plural) - 1, "")),
                ]
            else:
                pairs = [(entry.msgid, entry.msgstr)]
            percent = "python-format" in entry.flags
            for english, translated in pairs:
                if not translated:
                    continue
                kept = set(fragments(translated))
                for fragment in fragments(english.replace("%%", "%") if percent else english):
                    if fragment in kept or not readable(fragment) or not specific(fragment):
                        continue
                    words = len(fragment.split())
                    if PLACEHOLDER.search(fragment) or words >= CONTAINED_FROM_WORDS:
                        patterns.add(fragment)
                    else:
                        whole.add(fragment)
    bodies = []
    for fragment in sorted(patterns):
        body = pattern_for(fragment)
        if len(fragment.split()) >= CONTAINED_FROM_WORDS:
            bodies.append(rf"(?<!\w){body}(?!\w)")
        else:
            bodies.append(rf"\A{body}\Z")
    # One pattern of them all: each of a page's few hundred texts is searched once.
    combined = re.compile("|".join(f"(?:{body})" for body in bodies) or r"(?!)")
    return EnglishStrings(frozenset(whole), (combined,))


class _Texts(HTMLParser):
    """The texts a reader sees: text nodes and the attributes read aloud or shown."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        other_language = (attributes.get("lang") or self.language)[:2] != self.language
        skipped = self.skipping() or tag in SKIPPED_ELEMENTS or other_language
        if not skipped:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(collapse(attributes[name]))
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.texts.append(collapse(attributes.get("value") or ""))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        text = collapse(data)
        if text and not self.skipping():
            self.texts.append(text)


def texts_of(html: str, language: str) -> list[str]:
    parser = _Texts(language)
    parser.feed(html)
    parser.close()
    return [text for text in parser.texts if text]


def english_left(html: str, language: str) -> list[str]:
    """The texts of ``html`` (rendered in ``language``) that are English interface strings."""
    strings = english_strings(language)
    found = []
    for text in texts_of(html, language):
        if text in strings.whole or any(pattern.search(text) for pattern in strings.patterns):
            found.append(text)
    return found
