"""``manage.py benchmark_matching --consultants N --queries Q [--seed S]``: time the ranking.

Builds an in-memory synthetic network (``matching.synthetic``; no database), times the index
build, runs Q rankings (limit 10, normalization and explanations included), and on the same
requests a naive pure-Python baseline that scores every consultant by skill-set overlap in a
loop, then times team formation (``propose_teams``, top 5 teams of at most 5) on the requests
that need 4 to 6 skills, with a synthetic collaboration history of one pair per ten members
(turned into index positions once, on the warm-up call, as it is once per network version).
Prints one JSON line. Run it with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for the
single-thread figures. Progress goes to standard error (on a terminal, or with ``--progress``).
"""

import json
import resource
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching.index import OFFERABLE_STATUSES, MatchIndex
from matching.normalize import Normalizer
from matching.rank import _required_skills, rank
from matching.synthetic import synthetic_network, synthetic_requests
from matching.teams import propose_teams
from matching.types import ConsultantProfile, RequestProfile
from network.progress import CommandProgress, add_progress_argument

LIMIT = 10
TEAMS = 5
TEAM_SKILLS = range(4, 7)  # the large requests team formation is for


def naive_rank(
    consultants: list[ConsultantProfile], normalizer: Normalizer, request: RequestProfile
) -> list[tuple[float, int]]:
    """The obvious way: normalize, then a Python loop scoring each member by skill overlap."""
    wanted = {term.match.skill for term in normalizer.normalize_many(request.skills) if term.match}
    wanted.update(match.skill for match in normalizer.extract(request.text))
    scored = []
    for consultant in consultants:
        if consultant.status not in OFFERABLE_STATUSES:
            continue
        overlap = len(wanted.intersection(consultant.skills))
        if overlap:
            scored.append((-overlap / len(wanted), consultant.id))
    scored.sort()
    return scored[:LIMIT]


class Command(BaseCommand):
    # No database, templates or URLs involved: system checks would only add start-up time.
    requires_system_checks = []
    help = (
        "Benchmark the matching engine on an in-memory synthetic network against a naive "
        "pure-Python baseline; prints one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultants", type=int, default=1000, metavar="N")
        parser.add_argument("--queries", type=int, default=200, metavar="Q")
        parser.add_argument("--seed", type=int, default=0)
        add_progress_argument(parser)

    def handle(self, *args, consultants: int, queries: int, seed: int, **options):
        if consultants < 1 or queries < 1:
            raise CommandError(_("--consultants and --queries must be positive."))
        shown = CommandProgress(self, requested=options["progress"], verbosity=options["verbosity"])
        with shown:
            figures = self._measure(shown, consultants, queries, seed)
            shown.finish(f"Benchmarked {consultants:,} consultants with {queries:,} requests")
        self.stdout.write(json.dumps(figures))

    def _measure(self, shown: CommandProgress, consultants: int, queries: int, seed: int) -> dict:
        shown.stage(f"Building a synthetic network of {consultants:,} consultants")
        profiles, externals, taxonomy = synthetic_network(consultants, seed=seed)
        requests = synthetic_requests(queries, taxonomy, seed)
        normalizer = Normalizer.from_taxonomy(taxonomy)

        shown.stage("Building the index")
        started = time.perf_counter()
        index = MatchIndex.build(profiles, externals, normalizer)
        build_s = time.perf_counter() - started

        # One warm-up each, so first-call costs (imports, caches) are not counted as a request.
        rank(index, requests[0], limit=LIMIT)
        naive_rank(index.consultants, normalizer, requests[0])
        timings, naive_timings = [], []
        stage = shown.stage("Ranking", total=len(requests))
        for request in requests:
            started = time.perf_counter()
            rank(index, request, limit=LIMIT)
            timings.append(time.perf_counter() - started)
            stage.advance()
        stage = shown.stage("Ranking the naive way", total=len(requests))
        for request in requests:
            started = time.perf_counter()
            naive_rank(index.consultants, normalizer, request)
            naive_timings.append(time.perf_counter() - started)
            stage.advance()

        team_requests = [
            request
            for request in requests
            if len(_required_skills(index, request)[0]) in TEAM_SKILLS
        ]
        pair_rng = np.random.default_rng([seed, 2])
        pair_ids = pair_rng.integers(1, consultants + 1, size=(max(1, consultants // 10), 2))
        collaborations = frozenset(map(tuple, pair_ids.tolist()))
        team_timings = []
        stage = shown.stage("Proposing teams", total=len(team_requests))
        if team_requests:
            propose_teams(index, team_requests[0], k=TEAMS, collaborations=collaborations)
        for request in team_requests:
            started = time.perf_counter()
            propose_teams(index, request, k=TEAMS, collaborations=collaborations)
            team_timings.append(time.perf_counter() - started)
            stage.advance()

        p50, p95 = (float(np.percentile(timings, q)) * 1000 for q in (50, 95))
        naive_p50, naive_p95 = (float(np.percentile(naive_timings, q)) * 1000 for q in (50, 95))
        return {
            "consultants": consultants,
            "queries": queries,
            "build_s": round(build_s, 3),
            "p50_ms": round(p50, 3),
            "p95_ms": round(p95, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "naive_p50_ms": round(naive_p50, 3),
            "naive_p95_ms": round(naive_p95, 3),
            "speedup_p95": round(naive_p95 / p95, 2) if p95 else None,
            "teams_queries": len(team_timings),
            "teams_p50_ms": _percentile_ms(team_timings, 50),
            "teams_p95_ms": _percentile_ms(team_timings, 95),
        }


def _percentile_ms(timings: list[float], q: float) -> float | None:
    """The ``q``-th percentile in milliseconds, or None when nothing was timed."""
    return round(float(np.percentile(timings, q)) * 1000, 3) if timings else None
