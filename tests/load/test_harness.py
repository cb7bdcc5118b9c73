"""The load harness's own pieces, fast, in the normal suite (``make load`` runs the real thing).

The floors answer as the load run expects, the bodies the locust users send are valid, and the
locustfile imports with its user classes. The locustfile is imported in a child process: importing
locust patches the standard library for gevent, which must not happen inside the test process.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import resolve, reverse

from intake.serializers import RequestSubmitSerializer
from network.models import Language
from tests.load import floors
from tests.load.bodies import floor_body, submission_body

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.urls("tests.load.urls")


def test_framework_floor_answers_json(client):
    response = client.get("/_floor/json/")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "path": "/_floor/json/"}


@pytest.mark.django_db
def test_write_floor_validates_and_inserts_one_row(client):
    floors.floor_table_ensure()
    floors.floor_table_ensure()  # idempotent: run.py calls it on every start

    created = client.post("/_floor/write/", floor_body(3, 7), content_type="application/json")
    refused = client.post(
        "/_floor/write/",
        {**floor_body(3, 8), "email": "not-an-address", "hours": 0},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert refused.status_code == 400
    assert set(refused.json()) == {"email", "hours"}
    assert floors.floor_rows_count() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title, budget, pro_bono FROM {floors.FLOOR_TABLE}")  # noqa: S608
        title, budget, pro_bono = cursor.fetchone()
    assert title == "Floor row 3-7"
    assert str(budget) in {"2500", "2500.00"}
    assert not pro_bono


def test_the_write_floor_validates_ten_fields():
    assert len(floors.FloorRowSerializer().fields) == 10
    assert floors.FIELDS == tuple(floors.FloorRowSerializer().fields)


def test_product_urls_are_still_served():
    # The harness adds the floors next to the product's URLs, not instead of them.
    assert reverse("load-floor-json") == "/_floor/json/"
    assert resolve("/api/v1/requests/").url_name == "api-request-list"
    assert resolve("/api/v1/requests/status/abc/").url_name == "api-request-status"


@pytest.mark.django_db
def test_the_submissions_are_valid_and_distinct():
    Language.objects.get_or_create(code="en", defaults={"name": "English"})
    bodies = [submission_body("run1", user, number) for user in (1, 2) for number in range(8)]

    for body in bodies:
        serializer = RequestSubmitSerializer(data=body)
        assert serializer.is_valid(), serializer.errors
    assert len({body["title"] for body in bodies}) == len(bodies)
    # Organisations repeat (four requests each) so duplicate detection has work to do.
    assert len({body["organization_name"] for body in bodies}) == 4


@pytest.mark.skipif(
    importlib.util.find_spec("locust") is None,
    reason="locust is in the optional 'load' extra (make load installs it)",
)
def test_locustfile_imports_with_a_user_per_scenario():
    from tests.load.run import SCENARIOS

    classes = [user_class for _name, user_class, _endpoint in SCENARIOS]
    script = (
        "import json, tests.load.locustfile as f; "
        f"print(json.dumps([getattr(f, name).__name__ for name in {classes!r}])); "
        "print(json.dumps(f.Record().summary()))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    names, summary = (json.loads(line) for line in completed.stdout.strip().splitlines()[-2:])
    assert names == classes
    assert summary["requests"] == 0


# --- The open loop (tests/load/openloop.py): the schedule does not wait for answers ----------


def test_the_constant_schedule_keeps_each_rate_and_the_poisson_one_its_seed():
    from tests.load.openloop import schedule

    sends = schedule({"submit": 20, "status": 25, "queue": 0}, 2.0)
    poisson = schedule({"submit": 20, "status": 25}, 20.0, arrivals="poisson", seed=7)

    assert [send.due for send in sends] == sorted(send.due for send in sends)
    submits = [send.due for send in sends if send.kind == "submit"]
    assert len(submits) == 40
    assert {round(b - a, 6) for a, b in zip(submits, submits[1:], strict=False)} == {0.05}
    assert sum(send.kind == "status" for send in sends) == 50
    assert not any(send.kind == "queue" for send in sends)
    assert poisson == schedule({"submit": 20, "status": 25}, 20.0, arrivals="poisson", seed=7)
    assert poisson != schedule({"submit": 20, "status": 25}, 20.0, arrivals="poisson", seed=8)
    assert 350 < sum(send.kind == "submit" for send in poisson) < 450  # 400 expected
    with pytest.raises(ValueError):
        schedule({"submit": 1}, 1.0, arrivals="closed")


def test_slow_answers_do_not_delay_later_sends():
    import time

    from tests.load.openloop import open_loop, schedule, summarize

    sends = schedule({"submit": 50}, 0.4)  # 20 sends, one every 20 ms

    def slow(send):
        time.sleep(1.0)  # fifty times the interval: a closed loop would take 20 s
        return 201, True, "", send.number

    outcomes = open_loop(sends, slow, pool_size=64)

    assert len(outcomes) == 20
    for outcome in outcomes:
        # Sent on time: far less late than one answer takes, whatever else runs on the machine.
        assert outcome.dispatched - outcome.send.due < 0.3
        assert outcome.latency_ms >= 1000
    # Every send went out before the first answer came back.
    assert all(outcome.started < 1.0 for outcome in outcomes)
    figures = summarize(outcomes)["submit"]
    assert (figures["sent"], figures["ok"], figures["errors"]) == (20, 20, 0)
    assert figures["p50_ms"] >= 1000


def test_latency_counts_the_wait_from_the_scheduled_time_and_errors_count():
    import time

    from tests.load.openloop import open_loop, schedule, summarize

    sends = schedule({"queue": 100}, 0.05)  # 5 sends 10 ms apart, one thread: they queue

    def handler(send):
        time.sleep(0.05)
        if send.number == 4:
            raise ConnectionResetError("gone")
        return 200, True, "", None

    outcomes = open_loop(sends, handler, pool_size=1)

    # The fifth waited for the four before it (about 4 x 50 ms) and that wait is its latency,
    # although it took 50 ms once a thread sent it.
    assert outcomes[-1].latency_ms >= 0.25 * 1000 - 40 - 15
    assert outcomes[-1].started - outcomes[-1].send.due >= 0.15
    figures = summarize(outcomes)["queue"]
    assert (figures["sent"], figures["ok"], figures["errors"]) == (5, 4, 1)
    # Each waited 40 ms longer than the one before: 50, 90, 130, 170, 210 ms.
    assert figures["max_ms"] >= figures["p50_ms"] + 60
    assert "ConnectionResetError" in figures["first_errors"][0]


def test_the_slowest_seconds_show_a_stall():
    from tests.load.openloop import Outcome, Send, slowest_seconds

    def outcome(due: float, latency_ms: float) -> Outcome:
        return Outcome(Send(due, "status", 0), due, due, latency_ms, 200, True)

    # Ten seconds of 10 ms answers, with a 400 ms stall in second 6.
    outcomes = [outcome(second + tenth / 10, 10.0) for second in range(10) for tenth in range(10)]
    outcomes += [outcome(6.5, 400.0), outcome(6.6, 350.0)]

    slowest = slowest_seconds(outcomes, count=2)

    assert [row["second"] for row in slowest] == [0, 6]  # in time order; all others tie at 10
    assert slowest[1] == {"second": 6, "sent": 12, "p50_ms": 10.0, "max_ms": 400.0}


def test_the_run_waits_until_every_worker_has_started():
    from tests.load.openloop import wait_until_idle

    # CPU seconds of the service's processes at each look, half a second apart: busy loading
    # (0.8 s of CPU in each half second) three times, then idle.
    readings = iter([0.0, 0.8, 1.6, 2.4, 2.42, 9.0])
    naps = []

    waited = wait_until_idle(lambda: next(readings), sleep=naps.append)

    assert waited == 2.0
    assert naps == [0.5] * 4


def test_waiting_for_idle_gives_up_at_its_timeout():
    from tests.load.openloop import wait_until_idle

    busy = iter(range(100))

    assert wait_until_idle(lambda: next(busy), timeout=3.0, sleep=lambda _: None) == 3.0
