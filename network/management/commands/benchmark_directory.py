"""``manage.py benchmark_directory [--tries N] [--seed S]``: time the member directory's API.

Runs ``GET /api/v1/consultants/`` through the URL resolver and the DRF view (``APIRequestFactory``,
authenticated as a real working member who is not a coordinator, so the visibility rule of most
members applies) on the current database, N times for each kind of filter, after two warm-up
requests each:

- no filter (the first page, in the directory's order);
- a substring search (``search``: a word of a member's location, name or bio);
- a skill with a minimum level (``skill`` and ``min_level``, drawn from members' own skills);
- a language and an available date (``language`` and ``available_on``).

The values are drawn from the database (members picked at random with ``--seed``), so every try
asks something that matches. Prints the member count, then one line per filter with p50, p95 and
the slowest answer in milliseconds, the time spent in the database (every statement's round
trip, added up per request), and what the answers held (count, over the cap or not). Seed a
large directory first with ``seed_demo --scale 100000``. Reads only; writes nothing.
"""

import datetime
import math
import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.test import APIRequestFactory, force_authenticate

from network import access
from network.models import Consultant, ConsultantSkill
from network.progress import CommandProgress, add_progress_argument

FILTERS = ("no filter", "substring search", "skill with minimum level", "language and date")
WARM_UP = 2
SAMPLE = 50  # members whose details the tries' filters are drawn from


class SqlClock:
    """A database execute wrapper adding up the time spent in the database (round trips
    included) and the statements run, per request."""

    def __init__(self):
        self.spent = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent += time.perf_counter() - started
            self.queries += 1


def percentile(timings: list[float], share: float) -> float:
    """The nearest-rank percentile of ``timings`` (share between 0 and 1)."""
    ordered = sorted(timings)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


class Command(BaseCommand):
    help = "Time the member directory API's filters on the current database; prints p50/p95."

    def add_arguments(self, parser):
        parser.add_argument("--tries", type=int, default=30, metavar="N")
        parser.add_argument("--seed", type=int, default=0)
        add_progress_argument(parser)

    def handle(self, *args, tries: int, seed: int, **options):
        if tries < 1:
            raise CommandError(_("--tries must be at least 1."))
        viewer = self._viewer()
        rng = random.Random(seed)  # noqa: S311 -- picking sample rows, not security
        queries = self._queries(rng, tries + WARM_UP)
        members = Consultant.objects.count()
        visible = access.visible_consultants(viewer.user).count()
        shown = CommandProgress(self, requested=options["progress"], verbosity=options["verbosity"])
        results = {}
        with shown:
            for name in FILTERS:
                stage = shown.stage(name, total=tries)
                results[name] = self._measure(viewer, queries[name], tries, stage)
            shown.finish(f"Benchmarked the directory API, {tries:,} tries per filter")
        self.stdout.write(
            f"Directory API on {connection.vendor}: {members:,} members "
            f"({visible:,} visible to a member), {tries:,} tries per filter"
        )
        width = max(map(len, FILTERS))
        for name in FILTERS:
            timings, answers = results[name]
            capped = sum(1 for answer in answers if answer["count_capped"])
            counts = sorted(answer["count"] for answer in answers)
            sql = [answer["sql_ms"] for answer in answers]
            self.stdout.write(
                f"{name:<{width}}  p50 {statistics.median(timings):6.1f} ms  "
                f"p95 {percentile(timings, 0.95):6.1f} ms  max {max(timings):6.1f} ms  "
                f"(in the database: p50 {statistics.median(sql):5.1f} ms, "
                f"p95 {percentile(sql, 0.95):5.1f} ms; "
                f"count {counts[0]:,}–{counts[-1]:,}, over the cap in {capped}/{len(answers)})"
            )

    def _viewer(self) -> Consultant:
        """A working member without a coordinator's role: the directory most members see."""
        for consultant in (
            Consultant.objects.filter(status=Consultant.Status.ACTIVE)
            .select_related("user")
            .order_by("pk")[:50]
        ):
            if access.is_member(consultant.user) and not access.is_coordinator(consultant.user):
                return consultant
        raise CommandError(
            _("No active member to look through the directory as: run seed_demo first.")
        )

    def _queries(self, rng: random.Random, count: int) -> dict[str, list[dict]]:
        """``count`` query strings for each filter, drawn from members picked at random."""
        top = Consultant.objects.order_by("-pk").values_list("pk", flat=True).first()
        if top is None:
            raise CommandError(_("The directory is empty: run seed_demo first."))
        picks = {rng.randint(1, top) for _ in range(SAMPLE * 4)}
        sample = list(
            Consultant.objects.filter(pk__in=picks)
            .exclude(status=Consultant.Status.APPLICANT)
            .prefetch_related("languages")[:SAMPLE]
        ) or list(Consultant.objects.exclude(status=Consultant.Status.APPLICANT)[:SAMPLE])
        entries = list(
            ConsultantSkill.objects.filter(consultant__in=sample)
            .select_related("skill")
            .values_list("skill__slug", "level")
        ) or [("wordpress", 3)]
        today = timezone.localdate()
        queries = {name: [] for name in FILTERS}
        for number in range(count):
            member = rng.choice(sample)
            words = [
                word
                for word in (member.location + " " + member.display_name + " " + member.bio)
                .replace(",", " ")
                .replace(".", " ")
                .split()
                if len(word) >= 3
            ] or ["member"]
            slug, level = rng.choice(entries)
            languages = [language.code for language in member.languages.all()] or ["en"]
            queries["no filter"].append({})
            queries["substring search"].append({"search": rng.choice(words)})
            queries["skill with minimum level"].append(
                {"skill": slug, "min_level": str(rng.randint(1, level))}
            )
            queries["language and date"].append(
                {
                    "language": rng.choice(languages),
                    "available_on": (today + datetime.timedelta(days=number % 60)).isoformat(),
                }
            )
        return queries

    def _measure(self, viewer: Consultant, queries: list[dict], tries: int, stage):
        # Next links are absolute: the request must come to a host the settings allow.
        hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"]
        factory = APIRequestFactory(HTTP_HOST=(hosts or ["localhost"])[0])
        address = reverse("api-consultant-list")
        view = resolve(address).func
        timings, answers = [], []
        database = SqlClock()
        for number, query in enumerate(queries):
            database.spent = 0.0
            started = time.perf_counter()
            request = factory.get(address, query)
            force_authenticate(request, user=viewer.user)
            with connection.execute_wrapper(database):
                response = view(request)
                response.render()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(
                    f"GET {address} {query} answered {response.status_code}: "
                    f"{response.content[:200]!r}"
                )
            if number < WARM_UP:
                continue
            timings.append(elapsed)
            body = response.data
            answers.append(
                {
                    "count": body["count"],
                    "count_capped": bool(body.get("count_capped", False)),
                    "sql_ms": database.spent * 1000,
                    "queries": database.queries,
                }
            )
            stage.advance()
        return timings, answers
