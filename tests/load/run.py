"""``make load MODE=closed``, the capacity runs: the service on PostgreSQL under gunicorn with a
django-q2 cluster on Redis, driven from another process on loopback by locust, one clean run per
scenario. (``make load`` alone runs the open-loop mix, ``tests/load/openloop.py``.)

1. A fresh PostgreSQL database (``switchboard_load_<pid>``), migrated and seeded with the demo
   alliance; a production-like environment (DEBUG=0, persistent connections, Redis for the
   broker and the cache).
2. gunicorn (sync workers) serving ``tests.load.settings`` (the product plus the two floors) and
   ``manage.py qcluster`` sending the notifications.
3. One headless locust run per scenario (``tests/load/locustfile.py``); after the submission run
   the rows created are checked against the 201 answers, one for one.
4. A table of requests per second, p50 and p99, the ratios against the floors, a PASS/FAIL line
   per target and one JSON line with every figure (``LOAD_RESULT {...}``).
5. gunicorn and the cluster stopped, the database dropped and the Redis database flushed, also
   on Ctrl-C or failure.

Exit status: 0 when every target passes, 1 when one fails (the figures are printed either
way), 2 when the harness itself could not run.

Environment knobs: LOAD_USERS (16), LOAD_RUN_TIME (30s), LOAD_WORKERS (gunicorn workers, 4),
LOAD_Q_WORKERS (cluster workers; the product's default), LOAD_REDIS_DB (11; flushed
before and after), LOAD_PG (postgres://postgres@127.0.0.1:5432), LOAD_SCENARIOS (a
comma-separated subset).
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "tests" / "load" / "locustfile.py"

USERS = int(os.environ.get("LOAD_USERS", "16"))
RUN_TIME = os.environ.get("LOAD_RUN_TIME", "30s")
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
Q_WORKERS = os.environ.get("LOAD_Q_WORKERS", "")  # empty: the product's default (Q_WORKERS)
REDIS_DB = int(os.environ.get("LOAD_REDIS_DB", "11"))
PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379").rstrip("/")

# The order runs the submissions last, so the notification backlog they leave behind does not
# share the CPU with the other scenarios' figures.
SCENARIOS = [
    ("framework_floor", "FrameworkFloorUser", "GET /_floor/json/"),
    ("write_floor", "WriteFloorUser", "POST /_floor/write/"),
    ("status", "StatusUser", "GET /api/v1/requests/status/<token>/"),
    ("queue", "QueueUser", "GET /api/v1/requests/?status=submitted"),
    ("matches", "MatchUser", "GET /api/v1/requests/<id>/matches/"),
    ("submit", "SubmitUser", "POST /api/v1/requests/"),
]

TARGETS = {
    "submit_vs_write_floor_pct": 60.0,  # at least
    "submit_vs_framework_floor_pct": 8.0,  # at least
    "submit_p99_ms": 100.0,  # at most
}


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_busy(seconds: float = 2.0) -> float | None:
    """Share of the machine's CPU in use over a moment (from /proc/stat), in percent: other
    work on the machine competes with the service and the load generator for the same cores."""

    def sample():
        with open("/proc/stat", encoding="ascii") as handle:
            values = [int(value) for value in handle.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total_0, idle_0 = sample()
        time.sleep(seconds)
        total_1, idle_1 = sample()
    except OSError:
        return None
    if total_1 == total_0:
        return 0.0
    return round(100 * (1 - (idle_1 - idle_0) / (total_1 - total_0)), 1)


def machine_cpu_seconds() -> float:
    """CPU time used by the whole machine since boot (all cores, busy only)."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """CPU time used so far by one process group (gunicorn, qcluster): its live processes and
    the children they have reaped. The cluster replaces a worker after a number of tasks
    (django-q2's ``recycle``); the time of a worker that exited counts in its parent's
    cumulative fields, and would otherwise be lost to "the rest"."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            # utime + stime, and cutime + cstime: the waited-for children's
            total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(service) -> dict:
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    snapshot = {name: group_cpu_seconds(process.pid) for name, process in service.processes}
    snapshot["locust"] = children.ru_utime + children.ru_stime
    snapshot["machine"] = machine_cpu_seconds()
    return snapshot


def cpu_per_request(before: dict, after: dict, requests: int) -> dict:
    """Milliseconds of CPU per request, by process: where each request's cost goes."""
    used = {name: after[name] - before[name] for name in after}
    used["postgres_redis_other"] = used["machine"] - sum(
        value for name, value in used.items() if name != "machine"
    )
    return {name: round(1000 * value / max(requests, 1), 2) for name, value in used.items()}


def service_env(database: str, port: int) -> dict:
    """Production settings, adjusted only where plain http on loopback needs it."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.load.settings",
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL=f"{REDIS}/{REDIS_DB}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",  # no TLS on loopback; the API is used without cookies
        CONN_MAX_AGE="600",  # persistent connections, one per gunicorn worker
        REQUEST_SUBMIT_RATE="1000000/hour",  # every submission comes from 127.0.0.1
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("EMAIL_URL", None)
    if Q_WORKERS:
        env["Q_WORKERS"] = Q_WORKERS
    return env


class Service:
    """Everything the run starts, stopped in reverse order by ``close`` (idempotent)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database = f"switchboard_load_{os.getpid()}"
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.database_made = False
        self.redis_url = f"{REDIS}/{REDIS_DB}"

    def createdb(self) -> None:
        subprocess.run(
            ["psql", f"{PG}/postgres", "-q", "-c", f'CREATE DATABASE "{self.database}"'],
            check=True,
        )
        self.database_made = True

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        out = open(self.workdir / f"{name}.log", "w", encoding="utf-8")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: Ctrl-C reaches us, we stop it in order
        )
        self.processes.append((name, process))
        return process

    def redis_flush(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def close(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log(f"stopping {name} (pid {process.pid})")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()
        if self.database_made:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            log(f"dropping database {self.database}")
            subprocess.run(
                [
                    "psql",
                    f"{PG}/postgres",
                    "-q",
                    "-c",
                    f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
                ],
                check=False,
            )
            self.database_made = False
        with contextlib.suppress(Exception):
            self.redis_flush()


# --- HTTP helpers (the preparation and warm-up; the measured load is locust's) --------------


def http(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:500]


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up; see gunicorn.log")
        with contextlib.suppress(OSError):
            if http("GET", f"{base}/_floor/json/")[0] == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time; see gunicorn.log")


def prepare(base: str, run: str) -> dict:
    """The coordinator's token, status tokens and request ids the scenarios read."""
    from intake.models import Request
    from network.demo import DEMO_PASSWORD
    from tests.load.bodies import submission_body

    status, answer = http(
        "POST", f"{base}/api/v1/auth/token/", {"username": "intake", "password": DEMO_PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"no token for the intake coordinator: HTTP {status} {answer!r}")
    coordinator = answer["token"]
    tokens = []
    for number in range(64):
        status, answer = http(
            "POST", f"{base}/api/v1/requests/", submission_body(f"prep{run}", 0, number)
        )
        if status != 201:
            raise RuntimeError(f"preparatory submission refused: HTTP {status} {answer!r}")
        tokens.append(answer["status_url"].rstrip("/").rsplit("/", 1)[-1])
    # The demo's requests (seed_demo_requests) have real skills and texts to match.
    request_ids = list(
        Request.objects.exclude(title__contains=f"prep{run}")
        .order_by("pk")
        .values_list("pk", flat=True)
    ) or list(Request.objects.values_list("pk", flat=True))
    return {
        "run": run,
        "coordinator_token": coordinator,
        "status_tokens": tokens,
        "match_request_ids": request_ids,
    }


def warm_up(base: str, scenario: str, data: dict) -> None:
    """Enough calls that every worker has loaded its code (and the matching index) first."""
    from tests.load.bodies import floor_body, submission_body

    token = data["coordinator_token"]

    def call(number: int):
        if scenario == "framework_floor":
            return http("GET", f"{base}/_floor/json/")
        if scenario == "write_floor":
            return http("POST", f"{base}/_floor/write/", floor_body(0, number))
        if scenario == "status":
            tokens = data["status_tokens"]
            return http("GET", f"{base}/api/v1/requests/status/{tokens[number % len(tokens)]}/")
        if scenario == "queue":
            return http("GET", f"{base}/api/v1/requests/?status=submitted", token=token)
        if scenario == "matches":
            ids = data["match_request_ids"]
            return http(
                "GET", f"{base}/api/v1/requests/{ids[number % len(ids)]}/matches/", None, token
            )
        return http(
            "POST", f"{base}/api/v1/requests/", submission_body(f"warm{data['run']}", 0, number)
        )

    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        answers = list(pool.map(call, range(WORKERS * 12)))
    bad = [status for status, _ in answers if status >= 400]
    if bad:
        raise RuntimeError(f"warm-up of {scenario} answered {bad[:5]}: {answers[0][1]!r}")


# --- Measuring ------------------------------------------------------------------------------


def locust(base: str, user_class: str, prefix: Path, env: dict) -> dict:
    """One headless run; its figures come from the locustfile's own record (exact percentiles,
    every answer counted, also those that arrive while the users stop)."""
    summary_file = Path(f"{prefix}_summary.json")
    env = {**env, "LOAD_SUMMARY": str(summary_file)}
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        user_class,
        "--headless",
        "-u",
        str(USERS),
        "-r",
        str(USERS),
        "--run-time",
        RUN_TIME,
        "--stop-timeout",
        "10",  # users finish the request in flight: every 201 sent is a 201 counted
        "--host",
        base,
        "--only-summary",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    (prefix.parent / f"{prefix.name}.locust.log").write_text(completed.stdout + completed.stderr)
    if not summary_file.exists():
        raise RuntimeError(f"locust wrote no figures for {user_class}:\n{completed.stderr[-2000:]}")
    return json.loads(summary_file.read_text())


def rows_check(created_file: Path, before_pk: int) -> dict:
    """Rows made during the submission run against the 201 answers locust counted."""
    from intake.models import Request

    answered = (
        [int(line) for line in created_file.read_text().split()] if created_file.exists() else []
    )
    rows = set(Request.objects.filter(pk__gt=before_pk).values_list("pk", flat=True))
    return {
        "answered_201": len(answered),
        "rows_created": len(rows),
        "answered_twice": len(answered) - len(set(answered)),
        "answered_without_row": len(set(answered) - rows),
        "rows_without_answer": len(rows - set(answered)),
    }


def notifications_drain(timeout: float) -> dict:
    from intake.models import Notification

    deadline = time.monotonic() + timeout
    while True:
        queued = Notification.objects.filter(status=Notification.Status.QUEUED).count()
        if queued == 0 or time.monotonic() >= deadline:
            break
        time.sleep(2)
    sent = Notification.objects.filter(status=Notification.Status.SENT).count()
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    return {"sent": sent, "queued": queued, "failed": failed}


def report(figures: dict, check: dict | None, notices: dict | None, busy: float | None) -> bool:
    print()
    print(f"{'scenario':<18}{'endpoint':<42}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'fail':>7}")
    for name, _cls, endpoint in SCENARIOS:
        if name in figures:
            row = figures[name]
            print(
                f"{name:<18}{endpoint:<42}{row['rps']:>9.1f}{row['p50_ms']:>9.0f}"
                f"{row['p99_ms']:>9.0f}{row['failures']:>7}"
            )
    print()
    print("CPU ms per request (all cores): " + "web = gunicorn, cluster = qcluster, load = locust")
    print(f"{'scenario':<18}{'web':>8}{'cluster':>9}{'load':>8}{'pg+other':>10}{'total':>8}")
    for name, _cls, _endpoint in SCENARIOS:
        if name in figures and "cpu_ms_per_request" in figures[name]:
            cpu = figures[name]["cpu_ms_per_request"]
            print(
                f"{name:<18}{cpu.get('gunicorn', 0):>8.2f}{cpu.get('qcluster', 0):>9.2f}"
                f"{cpu['locust']:>8.2f}{cpu['postgres_redis_other']:>10.2f}{cpu['machine']:>8.2f}"
            )
    results = {}
    if {"submit", "write_floor", "framework_floor"} <= figures.keys():
        submit = figures["submit"]
        vs_write = 100 * submit["rps"] / figures["write_floor"]["rps"]
        vs_framework = 100 * submit["rps"] / figures["framework_floor"]["rps"]
        errors = sum(row["failures"] for row in figures.values())
        lost = None
        if check is not None:
            lost = (
                check["answered_twice"]
                + check["answered_without_row"]
                + check["rows_without_answer"]
                + abs(check["answered_201"] - check["rows_created"])
            )
        results = {
            "submit_vs_write_floor_pct": round(vs_write, 1),
            "submit_vs_framework_floor_pct": round(vs_framework, 1),
            "submit_p99_ms": submit["p99_ms"],
            "errors": errors,
            "lost_or_duplicated": lost,
        }
        verdicts = [
            (f"submission rps = {vs_write:.1f} % of write floor (>= 60 %)", vs_write >= 60),
            (
                f"submission rps = {vs_framework:.1f} % of framework floor (>= 8 %)",
                vs_framework >= 8,
            ),
            (f"submission p99 = {submit['p99_ms']:.0f} ms (<= 100 ms)", submit["p99_ms"] <= 100),
            (f"errors = {errors} (= 0)", errors == 0),
            (
                f"lost or duplicated = {lost} ({check}) (= 0)",
                lost == 0,
            ),
        ]
        print()
        for text, passed in verdicts:
            print(f"{'PASS' if passed else 'FAIL'}  {text}")
        passed_all = all(passed for _text, passed in verdicts)
    else:
        passed_all = False
        print("FAIL  not every scenario ran; no ratios")
    summary = {
        "users": USERS,
        "run_time": RUN_TIME,
        "gunicorn_workers": WORKERS,
        "cpus": os.cpu_count(),
        "cpu_busy_before_pct": busy,
        "scenarios": figures,
        "targets": results,
        "rows_check": check,
        "notifications": notices,
        "passed": passed_all,
    }
    if busy is not None and busy > 10:
        print(f"NOTE  {busy} % of the CPU was busy with other work before the run: figures are low")
    print()
    print("LOAD_RESULT " + json.dumps(summary, sort_keys=True))
    return passed_all


def main() -> int:
    wanted = os.environ.get("LOAD_SCENARIOS")
    scenarios = [s for s in SCENARIOS if not wanted or s[0] in wanted.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-load-"))
    service = Service(workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = secrets.token_hex(3)

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        env = service_env(service.database, port)
        os.environ.update(env)
        busy = cpu_busy()
        log(f"CPU in use by other work before the run: {busy} % of {os.cpu_count()} cores")
        log(f"database {service.database}, redis db {REDIS_DB}, logs in {workdir}")
        service.createdb()
        service.redis_flush()

        import django
        from django.core.management import call_command

        django.setup()
        from tests.load.floors import floor_table_ensure

        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_skills", verbosity=0)
        call_command("seed_demo", verbosity=0)
        call_command("seed_demo_requests", verbosity=0)
        floor_table_ensure()
        log(f"database migrated and seeded in {time.monotonic() - started:.0f} s")

        gunicorn = service.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "network.wsgi:application",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env,
        )
        service.start("qcluster", [sys.executable, "manage.py", "qcluster"], env)
        wait_ready(base, gunicorn)
        log(
            f"gunicorn ({WORKERS} sync workers) at {base}; "
            f"qcluster ({Q_WORKERS or 'default'} workers) on Redis"
        )

        data = prepare(base, run)
        data_file = workdir / "data.json"
        data_file.write_text(json.dumps(data))
        created_file = workdir / "created.txt"
        locust_env = {**env, "LOAD_DATA": str(data_file), "LOAD_CREATED": str(created_file)}

        from intake.models import Request

        figures, check, notices = {}, None, None
        for name, user_class, endpoint in scenarios:
            warm_up(base, name, data)
            before_pk = Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            log(f"{name}: {USERS} users for {RUN_TIME} on {endpoint}")
            cpu_before = cpu_snapshot(service)
            figures[name] = locust(base, user_class, workdir / name, locust_env)
            figures[name]["cpu_ms_per_request"] = cpu_per_request(
                cpu_before, cpu_snapshot(service), figures[name]["requests"]
            )
            log(f"{name}: {json.dumps(figures[name])}")
            if name == "submit":
                check = rows_check(created_file, before_pk)
                notices = notifications_drain(timeout=float(os.environ.get("LOAD_DRAIN", "30")))
                log(f"notifications after the run: {notices}")
        passed = report(figures, check, notices, busy)
        return 0 if passed else 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as error:
        log(f"harness failed: {error}")
        return 2
    finally:
        service.close()


if __name__ == "__main__":
    sys.exit(main())
