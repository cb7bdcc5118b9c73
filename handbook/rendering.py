"""Markdown to safe HTML for handbook pages, with ``[[Page title]]`` links and a table of contents.

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

# A table of contents is shown for pages with at least this many headings.
TOC_MIN_HEADINGS = 3

WIKILINK = re.compile(r"\[\[([^\[\]|\n]{1,200}?)(?:\|([^\[\]\n]{1,200}?))?\]\]")
# Code shows the syntax literally (a help page explaining [[links]]): fenced blocks, indented
# blocks and inline code spans in Markdown; <pre> and <code> elements in the HTML.
MARKDOWN_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|^(?: {4}|\t).*?$|`[^`\n]+`", re.M | re.S)
HTML_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S | re.I)

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
    return (
        f'<a href="{page_url(slug)}" class="wikilink missing" '
        f'title="{html.escape(title)} (no such page yet)">{html.escape(label)}</a>'
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
    body_html = converter.convert(body or "")
    body_html = _outside_code(
        body_html, lambda text: WIKILINK.sub(lambda match: _link(match, existing_slugs), text)
    )
    headings = _count_headings(getattr(converter, "toc_tokens", []))
    toc = clean(converter.toc) if headings >= TOC_MIN_HEADINGS else ""
    return Rendered(html=clean(body_html), toc_html=toc, links_to=wikilink_targets(body))


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
