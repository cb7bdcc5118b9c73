"""Search over handbook pages: ranked hits with a highlighted snippet (docs/architecture.md,
"Handbook").

Both databases rank with their own full-text index and agree on the simple cases: a page whose
title matches comes before pages that only mention the words in their text (a title match
weighs twenty times a body match), and more mentions come before fewer. Words are stemmed on
both (routing finds routed), and the query reads as on a web search engine: every word must
appear, "quoted words" are a phrase, ``or`` offers alternatives and ``-word`` excludes.

- **PostgreSQL**: the pages carry a generated, weighted ``tsvector`` column ``search_vector``
  (title weight A, body weight B, 'english'; migration 0002) with a GIN index. The query is
  parsed with ``websearch_to_tsquery`` (no input is a syntax error), matching rows are found
  through the index, ranked with ``ts_rank_cd`` and only the top ``limit`` rows are fetched.
- **SQLite**: an FTS5 table ``handbook_page_fts`` (title, body; Porter stemming) that triggers
  keep in step with every write of a page (migration 0006; ``manage.py handbook_search_index``
  rebuilds it). The query is turned into FTS5's syntax here, every word quoted, so no input is
  a syntax error either; hits are ranked with ``bm25()``, the title weighing twenty times the
  body.

The caller passes the pages the reader may see (``access.visible_pages``); search only narrows
that queryset, so visibility filters apply to every hit.

Snippets are plain text cut from the body (``rendering.plain_text``: no Markdown syntax),
escaped, with the matched words inside ``<mark>``: built with ``format_html`` from escaped
parts, so nothing a writer typed reaches the reader as markup.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from handbook.models import Page
from handbook.rendering import plain_text

# Longer queries are cut: nobody types more, and every word costs an index lookup.
MAX_QUERY_CHARACTERS = 200
MAX_QUERY_TERMS = 16
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
    snippet: SafeString  # escaped plain text with <mark> around the matches


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
    return _search_sqlite(pages, query, limit)


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


# --- SQLite: FTS5 ----------------------------------------------------------------------------

FTS_TABLE = "handbook_page_fts"
# bm25() is lower for better matches; its weights follow the table's columns: the title weighs
# twenty times the body, as on PostgreSQL (weights A 1.0 and B 0.05 above). highlight() gives
# the body with its matched words between two control characters, for the snippet's marks:
# exactly the words FTS5 matched (after stemming), whatever their form. The visible pages' own
# query goes in {visible}.
_FTS_SEARCH = (
    'SELECT "handbook_page".*, '
    "-bm25(handbook_page_fts, 20.0, 1.0) AS search_score, "
    "highlight(handbook_page_fts, 1, char(2), char(3)) AS search_marked "
    'FROM handbook_page_fts JOIN "handbook_page" ON "handbook_page"."id" = handbook_page_fts.rowid '
    'WHERE handbook_page_fts MATCH %s AND "handbook_page"."id" IN ({visible}) '
    'ORDER BY bm25(handbook_page_fts, 20.0, 1.0), "handbook_page"."title", "handbook_page"."id" '
    "LIMIT %s"
)
_MARKED = re.compile("\x02([^\x02\x03]*)\x03")
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fts_query(query: str) -> str | None:
    """``query`` in FTS5's syntax, read as ``websearch_to_tsquery`` reads it on PostgreSQL:
    words must all appear, ``"quoted words"`` are a phrase, ``or`` between terms offers
    alternatives, ``-word`` excludes. Every term is written as a quoted string of plain words,
    so nothing the reader types is FTS5 syntax. None when nothing is left to look for."""
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    alternative = False
    terms = 0
    for match in _TERM.finditer(query):
        negated, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            alternative = bool(groups[-1])
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = re.findall(r"\w+", quoted if quoted is not None else bare)
        if not words or terms >= MAX_QUERY_TERMS:
            continue
        terms += 1
        phrase = '"' + " ".join(words) + '"'
        if negated:
            excluded.append(phrase)
            continue
        if alternative:
            groups.append([])
            alternative = False
        groups[-1].append(phrase)
    wanted = [" AND ".join(group) for group in groups if group]
    if not wanted:
        return None
    expression = wanted[0] if len(wanted) == 1 else " OR ".join(f"({group})" for group in wanted)
    return f"({expression})" + "".join(f" NOT {phrase}" for phrase in excluded)


def _search_sqlite(pages: QuerySet[Page], query: str, limit: int) -> list[SearchHit]:
    # One query: FTS5 finds and ranks the matches, joined to the pages the reader may see.
    match = fts_query(query)
    if match is None:
        return []
    visible_sql, visible_params = pages.order_by().values("pk").query.sql_with_params()
    # The SQL is constant text and the visible pages' own compiled query; the reader's words
    # only ever travel as a parameter (hence noqa S608 and S611).
    sql = _FTS_SEARCH.format(visible=visible_sql)
    found = Page.objects.raw(sql, [match, *visible_params, limit])  # noqa: S611
    hits = []
    for page in found:
        score = max(float(page.search_score), 0.0)
        hits.append(
            SearchHit(
                page=page,
                rank=score / (1.0 + score),  # into [0, 1), as on PostgreSQL
                snippet=_snippet(page.body, _marked_words(page.search_marked)),
            )
        )
    return hits


def _marked_words(highlighted: str | None) -> re.Pattern | None:
    """The words FTS5 marked in the body (``_HIGHLIGHT``), as a pattern for the snippet."""
    words = {
        word.lower()
        for span in _MARKED.findall(highlighted or "")
        for word in re.findall(r"\w+", span)
    }
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# --- Snippets -------------------------------------------------------------------------------


def _snippet(body: str, pattern: re.Pattern | None) -> SafeString:
    """About ``SNIPPET_CHARACTERS`` of the body's plain text from just before the first match
    of ``pattern``, escaped, with every match in it inside ``<mark>``."""
    text = plain_text(body)
    first = pattern.search(text) if pattern else None
    start = 0
    if first is not None and first.start() > SNIPPET_CHARACTERS // 3:
        start = first.start() - SNIPPET_CHARACTERS // 3
        # Begin at a word rather than in the middle of one.
        space = text.find(" ", start, first.start())
        if space != -1:
            start = space + 1
    end = min(len(text), start + SNIPPET_CHARACTERS)
    if end < len(text):
        # End after a whole word too, unless a word runs on for ever.
        space = text.rfind(" ", start + SNIPPET_CHARACTERS // 2, end)
        if space != -1:
            end = space
    window = text[start:end]
    parts: list[SafeString] = []
    position = 0
    for found in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[position : found.start()]))
        parts.append(format_html("<mark>{}</mark>", found.group()))
        position = found.end()
    parts.append(escape(window[position:]))
    return format_html(
        "{}{}{}",
        "… " if start > 0 else "",
        format_html_join("", "{}", ((part,) for part in parts)),
        " …" if end < len(text) else "",
    )
