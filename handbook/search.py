"""Search over handbook pages: ranked hits with a highlighted snippet (docs/architecture.md,
"Handbook").

On PostgreSQL the pages carry a generated, weighted ``tsvector`` column ``search_vector`` (title
weight A, body weight B, 'english'; migration 0002) with a GIN index. The query is parsed with
``websearch_to_tsquery`` (quotes, ``or`` and ``-word`` work as on a web search engine, and no
input is a syntax error), matching rows are found through the index, ranked with
``ts_rank_cd`` (a title match weighs twenty times a body match), and only the top ``limit`` rows
are fetched; the snippet is cut from their bodies in Python, around the words that stem to the
query's lexemes. On SQLite a plain fallback: every word must appear in the title or the body,
title matches weigh more.

The caller passes the pages the reader may see (``access.visible_pages``); search only narrows
that queryset, so visibility filters apply to every hit.

Snippets are safe HTML: the page body is escaped and only ``<mark>`` tags are added around
matches.
"""

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from handbook.models import Page

# Longer queries are cut: nobody types more, and every word costs an index lookup.
MAX_QUERY_CHARACTERS = 200
MAX_FALLBACK_WORDS = 8
SNIPPET_CHARACTERS = 200

# The rank: ts_rank_cd with weights for D, C, B (body) and A (title). A title match outweighs
# twenty mentions in the body, so a page named after the query comes first; normalization 32
# maps the rank into [0, 1).
_QUERY = "websearch_to_tsquery('english', %s)"
_MATCHES = f'"handbook_page"."search_vector" @@ {_QUERY}'
_RANK = f'ts_rank_cd(\'{{0.01, 0.02, 0.05, 1.0}}\', "handbook_page"."search_vector", {_QUERY}, 32)'
# The query's lexemes (stemmed words, stop words dropped), to mark them in the snippet. A
# constant: PostgreSQL folds it once when planning.
_LEXEMES = "array_to_string(tsvector_to_array(to_tsvector('english', %s)), ' ')"


@dataclass(frozen=True)
class SearchHit:
    page: Page
    rank: float
    snippet: str  # safe HTML: escaped text with <mark> around the matches


def search_pages(pages: QuerySet[Page], query: str, *, limit: int = 20) -> list[SearchHit]:
    """The pages among ``pages`` that match ``query``, best first, at most ``limit``.

    A blank query, or one with nothing searchable in it, finds nothing. No input raises: the
    query is only ever passed as a parameter, and PostgreSQL's web-search syntax accepts any
    text.
    """
    query = _clean(query)
    if not query or limit < 1:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(pages, query, limit)
    return _search_fallback(pages, query, limit)


def _clean(query) -> str:
    if not isinstance(query, str):
        return ""
    # NUL is refused by PostgreSQL in any string; other control characters mean nothing here.
    query = re.sub(r"[\x00-\x1f\x7f]", " ", query)
    return query.strip()[:MAX_QUERY_CHARACTERS]


def _search_postgresql(pages: QuerySet[Page], query: str, limit: int) -> list[SearchHit]:
    # One query: the GIN index finds the matching rows, only those are ranked, and only the top
    # ``limit`` come back. The snippet is cut in Python from the body already fetched: measured
    # at 5,000 pages, ts_headline re-parses each body (about 0.5 ms for 2 kB of text), so
    # twenty headlines alone cost more than the whole 10 ms budget.
    # The SQL is constant text; the query only ever travels as a parameter (hence noqa S611).
    found = (
        pages.filter(RawSQL(_MATCHES, [query], output_field=BooleanField()))  # noqa: S611
        .annotate(
            search_rank=RawSQL(_RANK, [query], output_field=FloatField()),  # noqa: S611
            search_lexemes=RawSQL(_LEXEMES, [query], output_field=TextField()),  # noqa: S611
        )
        .order_by("-search_rank", "title", "pk")[:limit]
    )
    hits = []
    for page in found:
        pattern = _lexeme_pattern(page.search_lexemes.split())
        hits.append(
            SearchHit(page=page, rank=float(page.search_rank), snippet=_snippet(page.body, pattern))
        )
    return hits


def _lexeme_pattern(lexemes: list[str]) -> re.Pattern | None:
    """Words of the text that PostgreSQL's English stemmer maps to one of ``lexemes``.

    Snowball stems are prefixes of the words they come from (routed, routing → rout), except
    that a final y becomes i (policy → polici): a word starting with the stem, or with the stem
    ending in y instead of i, is marked. It marks a few words too many (route for rout, as
    router), never too few, for plain words.
    """
    if not lexemes:
        return None
    stems = set()
    for lexeme in lexemes:
        stems.add(re.escape(lexeme))
        if lexeme.endswith("i"):
            stems.add(re.escape(lexeme[:-1] + "y"))
    alternatives = "|".join(sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def _search_fallback(pages: QuerySet[Page], query: str, limit: int) -> list[SearchHit]:
    words = list(dict.fromkeys(word.lower() for word in re.findall(r"\w+", query)))
    words = words[:MAX_FALLBACK_WORDS]
    if not words:
        return []
    found = pages
    score = Value(0.0)
    for word in words:
        found = found.filter(Q(title__icontains=word) | Q(body__icontains=word))
        score = (
            score
            + Case(When(title__icontains=word, then=Value(2.0)), default=Value(0.0))
            + Case(When(body__icontains=word, then=Value(1.0)), default=Value(0.0))
        )
    best = 3.0 * len(words)  # every word in both the title and the body
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    found = found.annotate(search_rank=score).order_by(F("search_rank").desc(), "title", "pk")
    found = found[:limit]
    return [
        SearchHit(page=page, rank=page.search_rank / best, snippet=_snippet(page.body, pattern))
        for page in found
    ]


def _snippet(body: str, pattern: re.Pattern | None) -> str:
    """About ``SNIPPET_CHARACTERS`` of ``body`` from just before the first match of
    ``pattern``, HTML-escaped, with every match in it inside ``<mark>``."""
    body = body or ""
    first = pattern.search(body) if pattern else None
    start = 0
    if first is not None and first.start() > SNIPPET_CHARACTERS // 3:
        start = first.start() - SNIPPET_CHARACTERS // 3
        # Begin at a word rather than in the middle of one.
        space = body.find(" ", start, first.start())
        if space != -1:
            start = space + 1
    end = min(len(body), start + SNIPPET_CHARACTERS)
    if end < len(body):
        # End after a whole word too, unless a word runs on for ever.
        space = body.rfind(" ", start + SNIPPET_CHARACTERS // 2, end)
        if space != -1:
            end = space
    window = body[start:end]
    parts = []
    position = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(html.escape(window[position : match.start()], quote=False))
        parts.append(f"<mark>{html.escape(match.group(), quote=False)}</mark>")
        position = match.end()
    parts.append(html.escape(window[position:], quote=False))
    text = " ".join("".join(parts).split())  # Markdown line breaks and indents as spaces
    return ("… " if start > 0 else "") + text + (" …" if end < len(body) else "")
