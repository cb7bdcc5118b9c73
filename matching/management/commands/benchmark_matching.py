"""``manage.py benchmark_matching --consultants N --queries Q [--seed S] [--workers K]``: time
the ranking, and measure the memory of worker processes mapping one index.

Builds an in-memory synthetic network (``matching.synthetic``; no database), times the index
build, runs Q rankings (limit 10, normalization and explanations included), and on the same
requests a naive pure-Python baseline that scores every consultant by skill-set overlap in a
loop, then times team formation (``propose_teams``, top 5 teams of at most 5) on the requests
that need 4 to 6 skills, with a synthetic collaboration history of one pair per ten members
(turned into index positions once, on the warm-up call, as it is once per network version).
Prints one JSON line. Run it with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for the
single-thread figures. Progress goes to standard error (on a terminal, or with ``--progress``).

The rankings run on the index as production serves it: written as files
(``matching.index_files``) and mapped read-only (``write_s``, ``map_s``). Then:

- ``first_match_after_change_ms``: a second process builds and writes the next version (as the
  task cluster does after a change) while this one answers from the mapped version; the first
  ranking after the build starts, and the p95 of those made during it, with ``next_build_s``;
- ``--workers K`` (default 4; 0 skips this and the item above): memory of one worker process,
  then of K at once, each mapping the same files and ranking (Django loaded, as a gunicorn
  worker): resident (RSS), proportional (PSS: shared pages divided among the processes that map
  them) and private memory, and what mapping the index and ranking added to each
  (``*_added_mb``), from ``/proc/self/smaps_rollup``.
"""

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching import index_files
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
        parser.add_argument("--workers", type=int, default=4, metavar="K")
        # Internal: the worker processes and the second build (see the module's docstring).
        parser.add_argument("--map-worker", default=None, help=argparse.SUPPRESS)
        parser.add_argument("--build-into", default=None, help=argparse.SUPPRESS)
        add_progress_argument(parser)

    def handle(self, *args, consultants: int, queries: int, seed: int, **options):
        if consultants < 1 or queries < 1 or options["workers"] < 0:
            raise CommandError(_("--consultants and --queries must be positive."))
        if options["map_worker"]:
            return self._map_worker(Path(options["map_worker"]), queries)
        if options["build_into"]:
            return self._build_into(Path(options["build_into"]), consultants, seed)
        shown = CommandProgress(self, requested=options["progress"], verbosity=options["verbosity"])
        with shown, tempfile.TemporaryDirectory(prefix="benchmark-index-") as directory:
            figures = self._measure(
                shown, consultants, queries, seed, Path(directory), options["workers"]
            )
            shown.finish(f"Benchmarked {consultants:,} consultants with {queries:,} requests")
        self.stdout.write(json.dumps(figures))

    def _measure(
        self,
        shown: CommandProgress,
        consultants: int,
        queries: int,
        seed: int,
        directory: Path,
        workers: int,
    ) -> dict:
        shown.stage(f"Building a synthetic network of {consultants:,} consultants")
        profiles, externals, taxonomy = synthetic_network(consultants, seed=seed)
        requests = synthetic_requests(queries, taxonomy, seed)
        normalizer = Normalizer.from_taxonomy(taxonomy)

        shown.stage("Building the index")
        started = time.perf_counter()
        index = MatchIndex.build(profiles, externals, normalizer)
        build_s = time.perf_counter() - started
        naive_profiles = [_NaiveMember(p.id, p.status, frozenset(p.skills)) for p in profiles]
        del profiles

        shown.stage("Writing and mapping the index")
        started = time.perf_counter()
        path = index_files.save(index, directory, "a", {"version": 1, "built_at": time.time()})
        write_s = time.perf_counter() - started
        del index
        started = time.perf_counter()
        index = index_files.load(path)
        map_s = time.perf_counter() - started
        (directory / "requests.pickle").write_bytes(pickle.dumps(requests))

        # One warm-up each, so first-call costs (imports, caches) are not counted as a request.
        rank(index, requests[0], limit=LIMIT)
        naive_rank(naive_profiles, normalizer, requests[0])
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
            naive_rank(naive_profiles, normalizer, request)
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

        during, one, many = {}, [], []
        if workers:  # 0: no other process (the command's tests)
            shown.stage("Ranking while the next version builds in another process")
            during = self._rank_during_next_build(directory, index, requests, consultants, seed)
            shown.stage(f"Memory of one worker, then {workers} mapping the same index")
            one = _run_workers(path, 1, queries)
            many = _run_workers(path, workers, queries)

        p50, p95 = (float(np.percentile(timings, q)) * 1000 for q in (50, 95))
        naive_p50, naive_p95 = (float(np.percentile(naive_timings, q)) * 1000 for q in (50, 95))
        return {
            "consultants": consultants,
            "queries": queries,
            "build_s": round(build_s, 3),
            "write_s": round(write_s, 3),
            "map_s": round(map_s, 3),
            "index_files_mb": round(sum(f.stat().st_size for f in path.iterdir()) / 2**20, 1),
            "p50_ms": round(p50, 3),
            "p95_ms": round(p95, 3),
            **during,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_mb": _memory()["rss_mb"],
            "one_worker": one[0] if one else None,
            "workers": len(many),
            "each_of_the_workers": many,
            "naive_p50_ms": round(naive_p50, 3),
            "naive_p95_ms": round(naive_p95, 3),
            "speedup_p95": round(naive_p95 / p95, 2) if p95 else None,
            "teams_queries": len(team_timings),
            "teams_p50_ms": _percentile_ms(team_timings, 50),
            "teams_p95_ms": _percentile_ms(team_timings, 95),
        }

    def _rank_during_next_build(self, directory, index, requests, consultants, seed) -> dict:
        """Start the next version's build in another process, answer from the mapped one."""
        child = subprocess.Popen(  # noqa: S603 - this program, with numbers and a path
            [
                sys.executable,
                "manage.py",
                "benchmark_matching",
                "--consultants",
                str(consultants),
                "--seed",
                str(seed + 1),
                "--build-into",
                str(directory),
            ],
            cwd=Path(__file__).resolve().parents[3],
            stdout=subprocess.PIPE,
            text=True,
        )
        # The child imports Django and builds a synthetic network before the index: wait for
        # it to say the build has started, so the rankings below run beside the build itself.
        if child.stdout.readline().strip() != "building":
            raise CommandError("The second build did not start.")
        timings = []
        started = time.perf_counter()
        rank(index, requests[0], limit=LIMIT)
        first = time.perf_counter() - started
        while child.poll() is None:
            for request in requests:
                started = time.perf_counter()
                rank(index, request, limit=LIMIT)
                timings.append(time.perf_counter() - started)
                if child.poll() is not None:
                    break
        built = json.loads(child.stdout.read().strip().splitlines()[-1])
        return {
            "first_match_after_change_ms": round(first * 1000, 3),
            "during_build_p95_ms": _percentile_ms(timings, 95),
            "during_build_queries": len(timings),
            "next_build_s": built["build_s"],
        }

    def _build_into(self, directory: Path, consultants: int, seed: int) -> None:
        """The second process: build a network's index and write it as version "b"."""
        profiles, externals, taxonomy = synthetic_network(consultants, seed=seed)
        normalizer = Normalizer.from_taxonomy(taxonomy)
        self.stdout.write("building")
        self.stdout.flush()
        started = time.perf_counter()
        index = MatchIndex.build(profiles, externals, normalizer)
        index_files.save(index, directory, "b", {"version": 2, "built_at": time.time()})
        self.stdout.write(json.dumps({"build_s": round(time.perf_counter() - started, 3)}))

    def _map_worker(self, path: Path, queries: int) -> None:
        """A worker process: map the index, rank, say so, wait, then report its memory."""
        before = _memory()
        index = index_files.load(path)
        requests = pickle.loads((path.parent / "requests.pickle").read_bytes())  # noqa: S301
        for request in requests[:queries]:
            rank(index, request, limit=LIMIT)
        self.stdout.write("ready")
        self.stdout.flush()
        sys.stdin.readline()  # every worker has mapped and ranked: measure together
        after = _memory()
        figures = {f"{name}": value for name, value in after.items()}
        for name in ("rss_mb", "pss_mb", "private_mb"):
            figures[name.replace("_mb", "_added_mb")] = round(after[name] - before[name], 1)
        self.stdout.write(json.dumps(figures))


class _NaiveMember:
    """What the naive baseline reads of a member (kept apart from the mapped index)."""

    __slots__ = ("id", "skills", "status")

    def __init__(self, member_id: int, status: str, skills: frozenset[str]) -> None:
        self.id, self.status, self.skills = member_id, status, skills


def _memory() -> dict:
    """This process's resident, proportional and private memory in MB (Linux)."""
    values = {}
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            for line in rollup:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    except OSError:
        return {"rss_mb": None, "pss_mb": None, "private_mb": None}
    return {
        "rss_mb": round(values.get("Rss", 0), 1),
        "pss_mb": round(values.get("Pss", 0), 1),
        "private_mb": round(values.get("Private_Clean", 0) + values.get("Private_Dirty", 0), 1),
    }


def _run_workers(path: Path, count: int, queries: int) -> list[dict]:
    """``count`` worker processes mapping ``path`` at once; each one's memory figures."""
    workers = [
        subprocess.Popen(  # noqa: S603 - this program, with numbers and a path
            [
                sys.executable,
                "manage.py",
                "benchmark_matching",
                "--queries",
                str(queries),
                "--map-worker",
                str(path),
            ],
            cwd=Path(__file__).resolve().parents[3],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        if worker.stdout.readline().strip() != "ready":
            raise CommandError("A worker process failed to map the index.")
    answers = []
    for worker in workers:
        output, _error = worker.communicate("go\n", timeout=600)
        answers.append(json.loads(output.strip().splitlines()[-1]))
    return answers


def _percentile_ms(timings: list[float], q: float) -> float | None:
    """The ``q``-th percentile in milliseconds, or None when nothing was timed."""
    return round(float(np.percentile(timings, q)) * 1000, 3) if timings else None
