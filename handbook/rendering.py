"""Markdown to safe HTML for handbook pages, with ``[[Page title]]`` links and a table of contents;
and Markdown to plain text, for search snippets.

The page's title is its heading: a body that opens with a level-1 heading of its own (the
starter pages open with ``# Their title``; so does anything pasted from another wiki) is shown
without that first heading, so the title appears once. Only what is shown changes: the stored
body, its history and the export keep it.

Order matters: Markdown first (it may emit any HTML a writer typed), then the wiki links are
turned into anchors, then nh3 cleans the whole result against an allow-list, so nothing the
writer typed (and nothing this module built) reaches a reader unsanitised: no scripts, no event
handlers, no ``javascript:`` URLs, no inline styles.
"""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

# A table of contents is shown for pages with at least this many headings.
TOC_MIN_HEADINGS = 3

WIKILINK = re.compile(r"\[\[([^\[\]|\n]{1,200}?)(?:\|([^\[\]\n]{1,200}?))?\]\]")
# Code shows the syntax literally (a help page explaining [[links]]): fenced blocks, indented
# blocks and inline code spans in Markdown; <pre> and <code> elements in the HTML.
MARKDOWN_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|^(?: {4}|\t).*?$|`[^`\n]+`", re.M | re.S)
HTML_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S | re.I)
# A level-1 heading at the very start of the rendered body (Markdown's output).
LEADING_H1 = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1>\s*", re.S | re.I)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str  # empty when the page has fewer than TOC_MIN_HEADINGS headings
    links_to: tuple[str, ...]  # the slugs the body links to, in order, once each


def slug_for(title: str) -> str:
    """The slug a title gets (and a ``[[title]]`` link points to)."""
    return slugify(title.strip())[:200] or "page"


def wikilink_targets(body: str) -> tuple[str, ...]:
    """The slugs of every ``[[Page title]]`` in ``body``, in order of first mention."""
    seen: dict[str, None] = {}
    for match in WIKILINK.finditer(MARKDOWN_CODE.sub("", body or "")):
        seen.setdefault(slug_for(match.group(1)), None)
    return tuple(seen)


def page_url(slug: str) -> str:
    return reverse("handbook-page", args=[slug])


def _link(match: re.Match, existing: set[str]) -> str:
    # The match is on Markdown's output, so its text is already HTML-escaped.
    title = html.unescape(match.group(1)).strip()
    label = html.unescape(match.group(2)).strip() if match.group(2) else title
    slug = slug_for(title)
    if slug in existing:
        return f'<a href="{page_url(slug)}" class="wikilink">{html.escape(label)}</a>'
    missing = _("%(title)s (no such page yet)") % {"title": title}
    return (
        f'<a href="{page_url(slug)}" class="wikilink missing" '
        f'title="{html.escape(missing)}">{html.escape(label)}</a>'
    )


def clean(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(body: str, existing_slugs: set[str]) -> Rendered:
    """``body`` (Markdown) as sanitised HTML; ``existing_slugs`` tells which links are red."""
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={"toc": {"toc_depth": "2-4", "permalink": False}},
        output_format="html",
    )
    body_html = _without_leading_title(converter.convert(body or ""))
    body_html = _outside_code(
        body_html, lambda text: WIKILINK.sub(lambda match: _link(match, existing_slugs), text)
    )
    headings = _count_headings(getattr(converter, "toc_tokens", []))
    toc = clean(converter.toc) if headings >= TOC_MIN_HEADINGS else ""
    return Rendered(html=clean(body_html), toc_html=toc, links_to=wikilink_targets(body))


def _without_leading_title(fragment: str) -> str:
    """``fragment`` without a level-1 heading that opens it: the page shows its title already.

    Markdown's output is read rather than its source, so every way of writing that heading
    (``# Title``, ``#Title``, a line underlined with ``===``, or a typed ``<h1>``) is found.
    """
    return LEADING_H1.sub("", fragment, count=1)


def _outside_code(fragment: str, change) -> str:
    """``change`` applied to the parts of ``fragment`` that are not code."""
    parts, last = [], 0
    for code in HTML_CODE.finditer(fragment):
        parts += [change(fragment[last : code.start()]), code.group(0)]
        last = code.end()
    parts.append(change(fragment[last:]))
    return "".join(parts)


def _count_headings(tokens) -> int:
    return sum(1 + _count_headings(token.get("children", [])) for token in tokens)


# --- Plain text, for search snippets --------------------------------------------------------
# Regular expressions rather than a Markdown parser: a snippet is cut from up to twenty bodies
# per search, and Markdown's parser costs a millisecond or more per page where these cost
# microseconds. They read the syntax the editor's help names (headings, emphasis, lists, quotes,
# code, links, images, tables, [[wiki links]]) and drop the rest of the markup; what they miss
# shows as the characters the writer typed, escaped, never as markup.

_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_LINE_RULES = [
    # Setext underlines, horizontal rules and table separator rows: markup only.
    (re.compile(r"^[ \t]*(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t]*$", re.M), ""),
    (re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$", re.M), ""),
    # Link reference definitions: "[id]: https://…".
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M), ""),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M), ""),
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", re.M), ""),
]
_INLINE_RULES = [
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), " "),
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),
    (WIKILINK, lambda match: (match.group(2) or match.group(1)).strip()),
    (re.compile(r"\[([^\[\]\n]*)\]\([^)\n]*\)"), r"\1"),
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^<>\s]+)>"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S), r"\2"),
    (re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*", re.S), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)", re.S), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.S), r"\1"),
    (re.compile(r"[ \t]*\|[ \t]*"), " "),
]
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")


def plain_text(body: str) -> str:
    """``body`` (Markdown) as the words a reader sees, on one line: no heading marks, emphasis,
    code ticks, list or quote markers, tables' pipes or HTML tags; ``[[Page]]`` as "Page",
    ``[[page|label]]`` and ``[text](url)`` as their words. Not HTML: escape it to show it."""
    kept: list[str] = []

    def keep(text: str) -> str:
        # Code and escaped characters are shown as typed: set aside before the rules run,
        # put back after.
        kept.append(text)
        return f"\ue000{len(kept) - 1}\ue001"

    text = (body or "").replace("\ue000", "").replace("\ue001", "")
    text = _FENCED.sub(lambda match: keep(match.group(2)), text)
    text = _CODE_SPAN.sub(lambda match: keep(match.group(2).strip()), text)
    text = _ESCAPED.sub(lambda match: keep(match.group(1)), text)
    for pattern, replacement in (*_LINE_RULES, *_INLINE_RULES):
        text = pattern.sub(replacement, text)
    text = _PLACEHOLDER.sub(lambda match: kept[int(match.group(1))], text)
    return " ".join(html.unescape(text).split())
