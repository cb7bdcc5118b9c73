"""``make load``: what users feel, measured open loop.

Requests are *scheduled* at fixed arrival times (a constant rate per kind, or Poisson arrivals
from a seed) and sent at those times whatever the service is doing: a scheduler thread hands
each one, when it is due, to a pool of threads large enough that a slow answer never delays a
later send. Latency is measured from the scheduled send time, so time spent waiting (in the
pool, in the kernel's accept queue, behind a busy worker) counts: no coordinated omission.
The closed-loop runs (``tests/load/run.py``, ``make load MODE=closed``) remain the capacity
figures.

1. A fresh database, migrated and seeded with the demo alliance: SQLite in the run's folder,
   or, when ``DATABASE_URL`` is set, a fresh PostgreSQL database ``switchboard_load_<pid>`` on
   that server (dropped after). Redis (broker and cache, database ``LOAD_REDIS_DB``, flushed
   before and after) only when ``REDIS_URL`` is set; otherwise the django-q2 ORM broker.
2. gunicorn (sync workers) serving ``tests.load.settings`` and a ``qcluster``, in a production
   environment (DEBUG=0), as ``tests/load/run.py`` starts them; the matching index built first.
3. The mix, open loop, for ``LOAD_DURATION`` seconds: submissions at ``LOAD_SUBMIT_RATE`` a
   second, and ``LOAD_READ_RATE`` reads a second split evenly across the status page, the
   coordinator's queue, match calls and the member directory.
4. CPU per request: submissions alone, then the write floor alone, each open loop at the
   submission rate for ``LOAD_CPU_SECONDS``, then each read kind alone at its rate in the mix;
   the CPU time (utime + stime from /proc) of the web server's and the cluster's processes
   divided by the requests sent. The mix's own figure (all kinds together) and the harness's
   CPU (it shares the cores) are printed too.
5. Every 201 answered to a submission (mix and CPU run) is a new row, and no new row lacks one.
6. Per kind: sent, ok, errors, p50, p99, max; the slowest seconds of the mix; PASS/FAIL
   against the targets (p99 <= 100 ms for every kind, no error, rows one for one with the
   201s); one ``LOAD_OPEN_RESULT {...}`` JSON line. Exit 0 when every target passes, 1 when
   one fails, 2 when the harness failed.

Knobs: LOAD_SUBMIT_RATE (20), LOAD_READ_RATE (100), LOAD_DURATION (60), LOAD_ARRIVALS
(``constant`` or ``poisson``), LOAD_SEED (1), LOAD_CPU_SECONDS (20), LOAD_WORKERS (gunicorn
workers, 4), LOAD_POOL (client threads, 256), LOAD_REDIS_DB (11).
"""

import contextlib
import io
import json
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from tests.load import run as closed

ROOT = closed.ROOT
BIN = closed.BIN

READ_KINDS = ("status", "queue", "matches", "directory")
KINDS = ("submit", *READ_KINDS)
ENDPOINTS = {
    "submit": "POST /api/v1/requests/ (anonymous, the public form's API)",
    "status": "GET /status/<token>/ (the client's private status link)",
    "queue": "GET /api/v1/requests/?status=submitted (intake coordinator)",
    "matches": "GET /api/v1/requests/<id>/matches/ (intake coordinator)",
    "directory": "GET /api/v1/consultants/?skill=…&status=active (a member)",
    "write_floor": "POST /_floor/write/ (bare DRF view, one row)",
}
DIRECTORY_FILTERS = (
    "skill=salesforce&status=active",
    "skill=wordpress&status=active",
    "language=es&status=active",
    "search=Oakland&status=active",
)
P99_TARGET_MS = 100.0


# --- The open loop: a schedule, and a sender that keeps to it -------------------------------


@dataclass(frozen=True)
class Send:
    due: float  # seconds after the start
    kind: str
    number: int  # the n-th send of its kind


@dataclass
class Outcome:
    send: Send
    dispatched: float  # seconds after the start the scheduler handed it to the pool
    started: float  # seconds after the start a thread began sending it
    latency_ms: float  # from the scheduled time (not the actual send) to the answer
    status: int  # HTTP status; 0 when no answer came
    ok: bool
    detail: str = ""
    created_id: int | None = None


def schedule(
    rates: dict[str, float], duration: float, *, arrivals: str = "constant", seed: int = 1
) -> list[Send]:
    """Every send of a run, in time order. ``constant``: each kind at exact intervals, the
    kinds offset from one another so they do not all start together; ``poisson``: independent
    exponential gaps per kind from a seeded generator (the same seed, the same schedule)."""
    if arrivals not in {"constant", "poisson"}:
        raise ValueError(f"arrivals must be 'constant' or 'poisson', not {arrivals!r}")
    sends = []
    active = [(kind, rate) for kind, rate in rates.items() if rate > 0]
    for index, (kind, rate) in enumerate(active):
        if arrivals == "constant":
            offset = index / (rate * len(active))
            count = int(duration * rate)
            sends += [Send(offset + number / rate, kind, number) for number in range(count)]
        else:
            generator = random.Random(f"{seed}:{kind}")
            due, number = generator.expovariate(rate), 0
            while due < duration:
                sends.append(Send(due, kind, number))
                due += generator.expovariate(rate)
                number += 1
    return sorted(sends, key=lambda send: (send.due, send.kind))


def open_loop(
    sends: list[Send],
    handler: Callable[[Send], tuple[int, bool, str, int | None]],
    *,
    pool_size: int = 256,
    clock: Callable[[], float] = time.monotonic,
) -> list[Outcome]:
    """Send each request at its due time on a pool of ``pool_size`` threads, whatever the
    answers before it are doing. ``handler(send)`` makes one request and returns
    ``(status, ok, detail, created_id)``; an exception counts as an error with status 0."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start = clock() + 0.05

    def one(send: Send, dispatched: float) -> None:
        started = clock() - start
        try:
            status, ok, detail, created_id = handler(send)
        except Exception as error:  # noqa: BLE001 -- any failure is an error of this request
            status, ok, detail, created_id = 0, False, f"{type(error).__name__}: {error}", None
        latency_ms = 1000 * (clock() - start - send.due)
        outcome = Outcome(send, dispatched, started, latency_ms, status, ok, detail, created_id)
        with lock:
            outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="open-loop") as pool:
        for send in sends:
            wait = start + send.due - clock()
            if wait > 0:
                time.sleep(wait)
            pool.submit(one, send, clock() - start)
    return sorted(outcomes, key=lambda outcome: outcome.send.due)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def summarize(outcomes: list[Outcome]) -> dict[str, dict]:
    """Per kind: sent, ok, errors, p50, p99, max (ms, from the scheduled time), and how late
    the scheduler handed requests over (p99 of dispatched - due)."""
    figures = {}
    for kind in dict.fromkeys(outcome.send.kind for outcome in outcomes):
        mine = [outcome for outcome in outcomes if outcome.send.kind == kind]
        latencies = [outcome.latency_ms for outcome in mine]
        errors = [outcome for outcome in mine if not outcome.ok]
        figures[kind] = {
            "sent": len(mine),
            "ok": len(mine) - len(errors),
            "errors": len(errors),
            "p50_ms": percentile(latencies, 0.50),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": round(max(latencies), 1) if latencies else 0.0,
            "dispatch_lag_p99_ms": percentile(
                [1000 * (outcome.dispatched - outcome.send.due) for outcome in mine], 0.99
            ),
            "first_errors": sorted({f"{o.status} {o.detail}"[:160] for o in errors})[:3],
        }
    return figures


def slowest_seconds(outcomes: list[Outcome], count: int = 5) -> list[dict]:
    """The ``count`` seconds of the run (by scheduled time) whose slowest answer took longest,
    each with its sends and its median: a stall shows as a few such seconds, a service that
    cannot keep up as every second late and later."""
    by_second: dict[int, list[float]] = {}
    for outcome in outcomes:
        by_second.setdefault(int(outcome.send.due), []).append(outcome.latency_ms)
    worst = sorted(by_second.items(), key=lambda item: -max(item[1]))[:count]
    return [
        {
            "second": second,
            "sent": len(latencies),
            "p50_ms": percentile(latencies, 0.5),
            "max_ms": round(max(latencies), 1),
        }
        for second, latencies in sorted(worst)
    ]


# --- HTTP against the service ---------------------------------------------------------------


class Client:
    """One connection per thread (gunicorn's sync workers close it after each answer; it is
    opened again on the next request)."""

    def __init__(self, port: int, data: dict, run: str):
        self.port = port
        self.data = data
        self.run = run
        self.local = threading.local()

    def request(self, method: str, path: str, body=None, token: str | None = None):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except Exception:
            connection.close()
            self.local.connection = None
            raise
        if response.will_close:
            connection.close()
        return response.status, content

    def handle(self, send: Send) -> tuple[int, bool, str, int | None]:
        data, number = self.data, send.number
        coordinator, member = data["coordinator_token"], data["member_token"]
        if send.kind == "submit":
            body = submission(self.run, number)
            status, content = self.request("POST", "/api/v1/requests/", body)
            if status == 201:
                return status, True, "", json.loads(content)["id"]
            return status, False, content[:200].decode(errors="replace"), None
        if send.kind == "write_floor":
            from tests.load.bodies import floor_body

            status, content = self.request("POST", "/_floor/write/", floor_body(1, number))
            expected = 201
        elif send.kind == "status":
            tokens = data["status_tokens"]
            status, content = self.request("GET", f"/status/{tokens[number % len(tokens)]}/")
            expected = 200
        elif send.kind == "queue":
            path = "/api/v1/requests/?status=submitted"
            status, content = self.request("GET", path, token=coordinator)
            expected = 200
        elif send.kind == "matches":
            ids = data["match_request_ids"]
            path = f"/api/v1/requests/{ids[number % len(ids)]}/matches/"
            status, content = self.request("GET", path, token=coordinator)
            expected = 200
        elif send.kind == "directory":
            query = DIRECTORY_FILTERS[number % len(DIRECTORY_FILTERS)]
            status, content = self.request("GET", f"/api/v1/consultants/?{query}", token=member)
            expected = 200
        else:
            raise ValueError(f"unknown kind {send.kind!r}")
        ok = status == expected
        return status, ok, "" if ok else content[:200].decode(errors="replace"), None


def submission(run: str, number: int) -> dict:
    from tests.load.bodies import submission_body

    return submission_body(run, 1, number)


# --- The service ----------------------------------------------------------------------------


class OpenService(closed.Service):
    """gunicorn and the cluster on SQLite (default) or a fresh PostgreSQL database."""

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        server = os.environ.get("DATABASE_URL", "")
        self.pg_server = None
        if server.startswith(("postgres://", "postgresql://")):
            parts = urllib.parse.urlsplit(server)
            self.pg_server = parts._replace(path="").geturl()
            self.database_url = parts._replace(path=f"/{self.database}").geturl()
        elif server:
            raise RuntimeError("DATABASE_URL must be PostgreSQL (or unset for SQLite)")
        else:
            self.database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
        redis = os.environ.get("REDIS_URL", "")
        self.redis_url = None
        if redis:
            parts = urllib.parse.urlsplit(redis)
            self.redis_url = parts._replace(path=f"/{closed.REDIS_DB}").geturl()

    @property
    def engine(self) -> str:
        return "PostgreSQL" if self.pg_server else "SQLite"

    def _psql(self, sql: str, check: bool) -> None:
        subprocess.run(["psql", f"{self.pg_server}/postgres", "-q", "-c", sql], check=check)

    def createdb(self) -> None:
        if self.pg_server:
            self._psql(f'CREATE DATABASE "{self.database}"', check=True)
            self.database_made = True
        if self.redis_url:
            self.redis_flush()

    def close(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                closed.log(f"stopping {name} (pid {process.pid})")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if self.database_made:
            closed.log(f"dropping database {self.database}")
            self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', check=False)
            self.database_made = False
        if self.redis_url:
            with contextlib.suppress(Exception):
                self.redis_flush()

    def env(self, port: int) -> dict:
        env = closed.service_env(self.database, port)
        env.update(
            DATABASE_URL=self.database_url,
            MATCHING_INDEX_DIR=str(self.workdir / "index"),
            LOAD_STATIC_ROOT=str(self.workdir / "static"),
        )
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env


def server_cpu(service: OpenService) -> dict[str, float]:
    """CPU seconds (utime + stime, reaped children included) of each process group started."""
    return {name: closed.group_cpu_seconds(process.pid) for name, process in service.processes}


def cpu_run(client: Client, service, kind: str, rate: float, seconds: float, pool: int):
    """One kind alone, open loop at ``rate``: its figures and the server's CPU per request.
    Its numbers start at 10,000,000 so its submissions' titles differ from the mix's."""
    sends = [Send(s.due, s.kind, s.number + 10_000_000) for s in schedule({kind: rate}, seconds)]
    before = server_cpu(service)
    outcomes = open_loop(sends, client.handle, pool_size=pool)
    time.sleep(1.0)  # the cluster's work for the last submissions (their emails)
    after = server_cpu(service)
    figures = {"rate": rate, **summarize(outcomes)[kind]}
    used = {name: after[name] - before[name] for name in after}
    figures["cpu_ms_per_request"] = {
        "web": round(1000 * used.get("gunicorn", 0) / max(len(sends), 1), 2),
        "cluster": round(1000 * used.get("qcluster", 0) / max(len(sends), 1), 2),
        "total": round(1000 * sum(used.values()) / max(len(sends), 1), 2),
    }
    return figures, outcomes


def wait_until_idle(
    used: Callable[[], float],
    *,
    interval: float = 0.5,
    idle_share: float = 0.1,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait until the service's processes use less than ``idle_share`` of a core over an
    ``interval`` (``used()``: their CPU seconds so far), at most ``timeout`` seconds; returns
    the seconds waited. gunicorn answers once its first worker is up, while the others are
    still loading the application: the run starts when every one has."""
    waited, before = 0.0, used()
    while waited < timeout:
        sleep(interval)
        waited += interval
        now = used()
        if now - before < idle_share * interval:
            break
        before = now
    return waited


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def report(mix: dict, cpu: dict, check: dict, meta: dict) -> bool:
    print()
    print(
        f"Open loop, {meta['arrivals']} arrivals, {meta['duration']:.0f} s: "
        f"{meta['submit_rate']:g} submissions/s + {meta['read_rate']:g} reads/s; "
        f"{meta['engine']}, gunicorn {meta['workers']} sync workers, {meta['cpus']} cores, "
        f"load average {meta['loadavg_before']} before, {meta['loadavg_after']} after"
    )
    print(f"Python {meta['python']}")
    print("latency from the scheduled send time (queueing included)")
    print(
        f"{'kind':<11}{'sent':>7}{'ok':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'lag p99':>9}  endpoint"
    )
    for kind in KINDS:
        if kind in mix:
            row = mix[kind]
            print(
                f"{kind:<11}{row['sent']:>7}{row['ok']:>7}{row['errors']:>8}{row['p50_ms']:>9.0f}"
                f"{row['p99_ms']:>9.0f}{row['max_ms']:>9.0f}{row['dispatch_lag_p99_ms']:>9.1f}"
                f"  {ENDPOINTS[kind]}"
            )
    print("(lag p99: how late the scheduler handed a request to the pool; it is in the latency)")
    slowest = ", ".join(
        f"{row['second']} s: {row['sent']} sent, p50 {row['p50_ms']:.0f}, max {row['max_ms']:.0f}"
        for row in meta.get("mix_slowest_seconds", [])
    )
    print(f"slowest seconds of the mix (ms): {slowest or 'none'}")
    offered = meta["submit_rate"] + meta["read_rate"]
    print(
        f"answered {meta['mix_answered_per_s']:g} a second of the {offered:g} offered "
        f"(the last answer {meta['mix_last_answer_s']:g} s after the start)"
    )
    print()
    print(f"CPU ms per request, each kind alone, open loop for {meta['cpu_seconds']:g} s")
    print(
        f"{'kind':<13}{'rate/s':>7}{'web':>8}{'cluster':>9}{'total':>8}{'p50 ms':>9}{'p99 ms':>9}"
    )
    for kind in ("submit", "write_floor", *READ_KINDS):
        if kind in cpu:
            row, used = cpu[kind], cpu[kind]["cpu_ms_per_request"]
            print(
                f"{kind:<13}{row['rate']:>7g}{used['web']:>8.2f}{used['cluster']:>9.2f}"
                f"{used['total']:>8.2f}{row['p50_ms']:>9.0f}{row['p99_ms']:>9.0f}"
            )
    if {"submit", "write_floor"} <= cpu.keys() and cpu["write_floor"]["cpu_ms_per_request"][
        "total"
    ]:
        submit, floor = (cpu[k]["cpu_ms_per_request"] for k in ("submit", "write_floor"))
        print(
            f"a submission costs {submit['total']:.2f} ms of server CPU, the write floor "
            f"{floor['total']:.2f} ms: {submit['total'] / floor['total']:.1f} ×"
        )
    print(
        f"the mix: {meta['mix_server_cpu_ms_per_request']:.2f} ms of server CPU per request, "
        f"the harness itself {meta['mix_harness_cpu_ms_per_request']:.2f} ms (same cores)"
    )
    print("(web = gunicorn, cluster = qcluster incl. its idle polling; on PostgreSQL and Redis")
    print(" their own processes are not counted; on SQLite the database work is in the web's)")
    print()
    verdicts = []
    for kind in KINDS:
        if kind in mix:
            p99 = mix[kind]["p99_ms"]
            verdicts.append((f"{kind} p99 = {p99:.0f} ms (<= {P99_TARGET_MS:.0f} ms)", p99 <= 100))
    errors = sum(row["errors"] for row in mix.values()) + sum(row["errors"] for row in cpu.values())
    verdicts.append((f"errors = {errors} (= 0)", errors == 0))
    lost = (
        check["answered_twice"]
        + check["answered_without_row"]
        + check["rows_without_answer"]
        + abs(check["answered_201"] - check["rows_created"])
    )
    verdicts.append(
        (
            f"every 201 a row, no row without one: {check['answered_201']} answers 201, "
            f"{check['rows_created']} new rows, {lost} unmatched",
            lost == 0,
        )
    )
    for text, passed in verdicts:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    for kind, row in mix.items():
        for error in row["first_errors"]:
            print(f"      {kind} error: {error}")
    passed_all = all(passed for _text, passed in verdicts)
    print()
    result = {**meta, "mix": mix, "cpu": cpu, "rows_check": check, "passed": passed_all}
    print("LOAD_OPEN_RESULT " + json.dumps(result, sort_keys=True))
    return passed_all


def member_token(port: int) -> str:
    from network.demo import DEMO_PASSWORD

    status, answer = closed.http(
        "POST",
        f"http://127.0.0.1:{port}/api/v1/auth/token/",
        {"username": "member01", "password": DEMO_PASSWORD},
    )
    if status != 200:
        raise RuntimeError(f"no token for member01: HTTP {status} {answer!r}")
    return answer["token"]


def main() -> int:
    submit_rate = float(os.environ.get("LOAD_SUBMIT_RATE", "20"))
    read_rate = float(os.environ.get("LOAD_READ_RATE", "100"))
    duration = float(os.environ.get("LOAD_DURATION", "60"))
    arrivals = os.environ.get("LOAD_ARRIVALS", "constant")
    seed = int(os.environ.get("LOAD_SEED", "1"))
    cpu_seconds = float(os.environ.get("LOAD_CPU_SECONDS", "20"))
    pool = int(os.environ.get("LOAD_POOL", "256"))
    workers = closed.WORKERS
    sys.setswitchinterval(0.001)  # the scheduler thread gets the GIL back promptly

    workdir = Path(tempfile.mkdtemp(prefix="switchboard-load-open-"))
    service = OpenService(workdir)
    port = closed.free_port()
    base = f"http://127.0.0.1:{port}"
    run = secrets.token_hex(3)

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        env = service.env(port)
        os.environ.update(env)
        if not service.redis_url:
            os.environ.pop("REDIS_URL", None)
        closed.log(
            f"{service.engine}{' and Redis' if service.redis_url else ''}, logs in {workdir}; "
            f"load average {loadavg()} on {os.cpu_count()} cores"
        )
        service.createdb()

        import django
        from django.core.management import call_command

        django.setup()
        from tests.load.floors import floor_table_ensure

        started = time.monotonic()
        quiet = {"verbosity": 0, "stdout": io.StringIO()}
        call_command("migrate", interactive=False, **quiet)
        call_command("load_skills", **quiet)
        call_command("seed_demo", **quiet)
        call_command("seed_demo_requests", **quiet)
        call_command("matching_index", **quiet)
        call_command("collectstatic", interactive=False, **quiet)
        floor_table_ensure()
        from django.db import connections

        connections.close_all()
        closed.log(
            f"migrated, seeded, indexed, static collected in {time.monotonic() - started:.0f} s"
        )

        gunicorn = service.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "network.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            env,
        )
        service.start("qcluster", [sys.executable, "manage.py", "qcluster"], env)
        closed.wait_ready(base, gunicorn)
        settled = wait_until_idle(lambda: sum(server_cpu(service).values()))
        closed.log(f"gunicorn ({workers} sync workers) at {base}, idle after {settled:g} s")

        data = closed.prepare(base, run)
        data["member_token"] = member_token(port)
        client = Client(port, data, run)
        # Warm-up: every worker loads its code, the index and its connection before measuring.
        warm = schedule({kind: 10.0 for kind in (*KINDS, "write_floor")}, 3.0)
        warm = [Send(s.due, s.kind, s.number + 1_000_000) for s in warm]
        bad = [o for o in open_loop(warm, client.handle, pool_size=pool) if not o.ok]
        if bad:
            raise RuntimeError(
                f"warm-up failed: {bad[0].send.kind} {bad[0].status} {bad[0].detail}"
            )

        from intake.models import Request

        connections.close_all()
        before_pk = Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rates = {
            "submit": submit_rate,
            **{kind: read_rate / len(READ_KINDS) for kind in READ_KINDS},
        }
        sends = schedule(rates, duration, arrivals=arrivals, seed=seed)
        meta = {
            "arrivals": arrivals,
            "seed": seed,
            "duration": duration,
            "submit_rate": submit_rate,
            "read_rate": read_rate,
            "engine": service.engine,
            "redis": bool(service.redis_url),
            "workers": workers,
            "cpus": os.cpu_count(),
            "python": f"{platform.python_version()} ({sys.executable})",
            "cpu_seconds": cpu_seconds,
            "loadavg_before": loadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        closed.log(f"mix: {len(sends)} requests over {duration:g} s ({arrivals})")
        mix_before, harness_before = server_cpu(service), time.process_time()
        outcomes = open_loop(sends, client.handle, pool_size=pool)
        mix_after, harness_after = server_cpu(service), time.process_time()
        meta["mix_harness_cpu_ms_per_request"] = round(
            1000 * (harness_after - harness_before) / max(len(sends), 1), 2
        )
        meta["loadavg_after"] = loadavg()
        meta["mix_server_cpu_ms_per_request"] = round(
            1000 * sum(mix_after[n] - mix_before[n] for n in mix_after) / max(len(sends), 1), 2
        )
        mix = summarize(outcomes)
        meta["mix_slowest_seconds"] = slowest_seconds(outcomes)
        last_answer = max((o.send.due + o.latency_ms / 1000 for o in outcomes), default=0.0)
        meta["mix_last_answer_s"] = round(last_answer, 1)
        meta["mix_answered_per_s"] = round(len(outcomes) / last_answer, 1) if last_answer else 0.0
        closed.log(f"mix: {json.dumps(mix)}")

        cpu, submit_outcomes = {}, []
        if cpu_seconds > 0:  # LOAD_CPU_SECONDS=0: the mix only
            cpu["submit"], submit_outcomes = cpu_run(
                client, service, "submit", submit_rate, cpu_seconds, pool
            )
            cpu["write_floor"], _ = cpu_run(
                client, service, "write_floor", submit_rate, cpu_seconds, pool
            )
            for kind in READ_KINDS:
                cpu[kind], _ = cpu_run(client, service, kind, rates[kind], cpu_seconds, pool)
        closed.log(f"cpu: {json.dumps(cpu)}")

        created = workdir / "created.txt"
        created.write_text(
            "".join(f"{o.created_id}\n" for o in [*outcomes, *submit_outcomes] if o.created_id)
        )
        connections.close_all()
        check = closed.rows_check(created, before_pk)
        passed = report(mix, cpu, check, meta)
        return 0 if passed else 1
    except KeyboardInterrupt:
        closed.log("interrupted")
        return 130
    except Exception as error:
        closed.log(f"harness failed: {type(error).__name__}: {error}")
        return 2
    finally:
        service.close()


if __name__ == "__main__":
    sys.exit(main())
