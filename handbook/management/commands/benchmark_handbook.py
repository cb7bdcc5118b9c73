"""``manage.py benchmark_handbook [--pages N] [--queries Q] [--seed S] [--keep]``: time search.

Creates N pages of varied Markdown (headings, paragraphs, lists, wiki links; words drawn with a
Zipf-like spread from a vocabulary of the alliance's own words, so a few words are on almost
every page and most on a few) with one revision each, in one transaction, bypassing the
services for speed but keeping ``body`` and ``latest_revision`` consistent. Then runs Q
searches of one to three vocabulary words through ``handbook.search.search_pages`` (all pages
visible, limit 20) and prints one JSON line: database, pages, queries, p50_ms, p95_ms, max_ms,
build_s. The pages are deleted afterwards unless ``--keep``. Progress goes to standard error
(on a terminal, or with ``--progress``).

The issue's target: p95 ≤ 10 ms on PostgreSQL at 5,000 pages.
"""

import itertools
import json
import random
import statistics
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from handbook.models import Page, PageRevision
from handbook.search import search_pages
from network.progress import CommandProgress, Progress, add_progress_argument

VOCABULARY = """
agreement alliance alumni analytics application archive backup bid blended board budget
calendar capacity case categories client cloud coordinator consensus consultant contract
cover crm database deadline decision delivery design directory donor download email
emergency engagement estimate event evaluation expense facilitation feedback finance firewall
fundraising grant group handbook hardware helpdesk holiday hosting hours income insurance
intake integration inventory invoice laptop leave license login mailing maintenance majority
meeting member membership migration minutes mobile network newsletter nonprofit office
onboarding outreach overrun partner password payment payroll permissions phone planning
policy printer privacy probation procedure project proposal quorum quote rate recommendation
referral register reminder report request retainer review risk roadmap routing salesforce
schedule security server settlement share signature skills software spreadsheet staff
statement storage strategy survey sync team telephone template timeline training transfer
upgrade vendor version volunteer vote website wiki wireless workflow workshop accessibility
accounting advocacy audit authentication bandwidth benchmark caseworker charity compliance
configuration courtesy dashboard deployment documentation encryption escalation fiscal
governance inclusion interview licence literacy mentoring outage patch pipeline portal
printing procurement recovery relocation renewal rotation sabbatical scanning sliding
spam stipend subscription succession testing ticket translation travel tutorial virus
""".split()

CONNECTORS = """
the a an and or of to for with in on by when before after each every our their this that
which who must should may can will is are was be not only also then until within without
""".split()


def _zipf_weights(count: int) -> list[float]:
    return [1 / (rank + 1) ** 0.9 for rank in range(count)]


class Corpus:
    """Deterministic Markdown pages from the vocabulary.

    Like a real handbook, a page is about a couple of subjects: the vocabulary is split into a
    common layer (words every page uses, with a Zipf-like spread: a few on almost every page)
    and topics of ten words each; a page takes two topics, and half of its content words come
    from them. So a query word is either common (on a large share of the pages: the expensive
    case, thousands of rows to rank) or topical (on a tenth or less).
    """

    COMMON_WORDS = 60
    TOPIC_WORDS = 10
    TOPICS_PER_PAGE = 2

    def __init__(self, seed: int):
        self.random = random.Random(seed)  # noqa: S311 -- synthetic text, not security
        self.words = list(VOCABULARY)
        self.random.shuffle(self.words)
        self.common = self.words[: self.COMMON_WORDS]
        self.cumulative = list(itertools.accumulate(_zipf_weights(len(self.common))))
        rest = self.words[self.COMMON_WORDS :]
        self.topics = [
            rest[start : start + self.TOPIC_WORDS]
            for start in range(0, len(rest), self.TOPIC_WORDS)
        ]
        self.page_topics: list[str] = []

    def _sentence(self) -> str:
        length = self.random.randint(8, 20)
        common = self.random.choices(self.common, cum_weights=self.cumulative, k=length)
        topical = self.random.choices(self.page_topics, k=length)
        connectors = self.random.choices(CONNECTORS, k=length)
        # About four words in ten are connectors (the, and, of ...), as in running English; of
        # the rest, half are common words and half the page's own subjects.
        words = []
        for common_word, topic_word, connector in zip(common, topical, connectors, strict=True):
            draw = self.random.random()
            words.append(connector if draw < 0.4 else common_word if draw < 0.7 else topic_word)
        return " ".join(words).capitalize() + "."

    def _paragraph(self) -> str:
        return " ".join(self._sentence() for _ in range(self.random.randint(2, 6)))

    def page(self, number: int, titles: list[str]) -> tuple[str, str]:
        """A page's title and Markdown body; ``titles`` are the pages it may link to."""
        chosen = self.random.sample(self.topics, self.TOPICS_PER_PAGE)
        self.page_topics = [word for topic in chosen for word in topic]
        picked = self.random.sample(self.page_topics, self.random.randint(2, 3))
        title = f"{' '.join(picked).capitalize()} {number}"
        parts = []
        for _ in range(self.random.randint(2, 5)):
            parts.append(f"## {' '.join(self.random.sample(self.page_topics, 2)).capitalize()}")
            parts.append(self._paragraph())
            if self.random.random() < 0.4:
                items = self.random.randint(2, 5)
                parts.append("\n".join(f"- {self._sentence()}" for _ in range(items)))
            if titles and self.random.random() < 0.3:
                parts.append(f"See [[{self.random.choice(titles)}]] for more.")
        return title, "\n\n".join(parts) + "\n"

    def query(self) -> str:
        return " ".join(self.random.sample(self.words, self.random.randint(1, 3)))


class Command(BaseCommand):
    help = "Benchmark handbook search over N synthetic pages; prints one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, default=5000, metavar="N")
        parser.add_argument("--queries", type=int, default=300, metavar="Q")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--limit", type=int, default=20, help="Hits per search.")
        parser.add_argument("--keep", action="store_true", help="Leave the pages in place.")
        add_progress_argument(parser)

    def handle(self, *args, **options):
        if options["pages"] < 1 or options["queries"] < 1:
            raise CommandError(gettext("--pages and --queries must be at least 1."))
        shown = CommandProgress(self, requested=options["progress"], verbosity=options["verbosity"])
        with shown:
            result = self._benchmark(shown, options)
            shown.finish(
                gettext("Benchmarked %(queries)s searches over %(pages)s pages")
                % {"queries": f"{result['queries']:,}", "pages": f"{result['pages']:,}"}
            )
        self.stdout.write(json.dumps(result))

    def _benchmark(self, shown: CommandProgress, options: dict) -> dict:
        corpus = Corpus(options["seed"])
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        self._build(
            corpus,
            options["pages"],
            prefix,
            shown.stage(gettext("Writing pages"), options["pages"]),
        )
        build_seconds = time.perf_counter() - started
        try:
            shown.stage(gettext("Analysing the tables"))
            self._prepare()
            searching = shown.stage(gettext("Searching"), total=options["queries"])
            timings = self._measure(corpus, options["queries"], options["limit"], searching)
        except BaseException:
            shown.stop()
            raise
        finally:
            if not options["keep"]:
                with shown.stage(gettext("Removing the pages")):
                    self._remove(prefix)
        timings.sort()
        return {
            "database": connection.vendor,
            "pages": options["pages"],
            "queries": options["queries"],
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
            "max_ms": round(timings[-1], 2),
            "build_s": round(build_seconds, 2),
        }

    def _build(self, corpus: Corpus, count: int, prefix: str, progress: Progress) -> None:
        now = timezone.now()
        written = []
        for number in range(count):
            written.append(corpus.page(number, [title for title, _ in written[-50:]]))
            progress.advance()
        titles = [title for title, _ in written]
        bodies = [body for _, body in written]
        categories = [Page.Category.POLICY, Page.Category.PROCEDURE, Page.Category.GUIDE]
        with transaction.atomic():
            pages = Page.objects.bulk_create(
                [
                    Page(
                        title=title,
                        slug=f"{prefix}-{number}",
                        category=categories[number % len(categories)],
                        visibility=Page.Visibility.MEMBERS
                        if number % 4
                        else Page.Visibility.PUBLIC,
                        body=body,
                        last_reviewed=now.date(),
                        created_at=now,
                        updated_at=now,
                    )
                    for number, (title, body) in enumerate(zip(titles, bodies, strict=True))
                ],
                batch_size=500,
            )
            revisions = PageRevision.objects.bulk_create(
                [
                    PageRevision(
                        page=page,
                        number=1,
                        title=page.title,
                        body=page.body,
                        summary="Benchmark page",
                        created_at=now,
                    )
                    for page in pages
                ],
                batch_size=500,
            )
            for page, revision in zip(pages, revisions, strict=True):
                page.latest_revision = revision
            Page.objects.bulk_update(pages, ["latest_revision"], batch_size=500)

    def _prepare(self) -> None:
        # What autovacuum does to a live table soon after a bulk load: fresh statistics for the
        # planner, the GIN index's pending list merged (rows inserted in bulk wait there and
        # every search scans them one by one until then), and the dead row versions left by
        # the latest_revision update cleared.
        # VACUUM cannot run inside a transaction (a caller's, or a test's): ANALYZE alone then.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE handbook_page")
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE handbook_page")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _measure(self, corpus: Corpus, count: int, limit: int, progress: Progress) -> list[float]:
        visible = Page.objects.all()
        for _ in range(5):  # warm-up: connection, plan caches
            search_pages(visible, corpus.query(), limit=limit)
        timings = []
        for _ in range(count):
            query = corpus.query()
            started = time.perf_counter()
            search_pages(visible, query, limit=limit)
            timings.append((time.perf_counter() - started) * 1000)
            progress.advance()
        return timings

    def _remove(self, prefix: str) -> None:
        with transaction.atomic():
            benchmark = Page.objects.filter(slug__startswith=f"{prefix}-")
            # A page protects its latest revision; unhook it so the revisions (and links) go
            # with their pages in one cascade.
            benchmark.update(latest_revision=None)
            benchmark.delete()
