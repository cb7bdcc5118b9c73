"""Locust users for ``make load`` (``tests/load/run.py`` runs one class per scenario).

Each class is one scenario with no think time: 16 of them keep 16 requests in flight. What the
scenarios need from the running service (the coordinator's API token, status tokens, request
ids) is prepared by ``run.py`` and handed over in the JSON file named by ``LOAD_DATA``. When the
run stops (after every user has had its request in flight answered), the figures (exact p50 and
p99, requests per second, answers by status) go to the JSON file named by ``LOAD_SUMMARY`` and
the id of every request answered 201 to ``LOAD_CREATED``, one per line, so the run can count
rows against answers.

Run by hand against a server: ``LOAD_DATA=data.json locust -f tests/load/locustfile.py
SubmitUser --headless -u 16 -r 16 --run-time 30s --host http://127.0.0.1:8000``.
"""

import itertools
import json
import os
import random
import uuid

from locust import FastHttpUser, constant, events, task

from tests.load.bodies import floor_body, submission_body


def _data() -> dict:
    path = os.environ.get("LOAD_DATA")
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


DATA = _data()
RUN = DATA.get("run", uuid.uuid4().hex[:8])
_user_numbers = itertools.count(1)


class _Scenario(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self):
        self.number = next(_user_numbers)
        self.sent = itertools.count()

    def _expect(self, response, status: int):
        if response.status_code == status:
            response.success()
        else:
            response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
        return response.status_code == status

    def _coordinator(self) -> dict:
        return {"Authorization": f"Token {DATA['coordinator_token']}"}


class FrameworkFloorUser(_Scenario):
    @task
    def floor_json(self):
        with self.client.get("/_floor/json/", catch_response=True) as response:
            self._expect(response, 200)


class WriteFloorUser(_Scenario):
    @task
    def floor_write(self):
        body = floor_body(self.number, next(self.sent))
        with self.client.post("/_floor/write/", json=body, catch_response=True) as response:
            self._expect(response, 201)


class SubmitUser(_Scenario):
    @task
    def submit(self):
        body = submission_body(RUN, self.number, next(self.sent))
        with self.client.post("/api/v1/requests/", json=body, catch_response=True) as response:
            if self._expect(response, 201):
                RECORD.created_ids.append(response.json()["id"])


class StatusUser(_Scenario):
    @task
    def status(self):
        token = random.choice(DATA["status_tokens"])
        with self.client.get(
            f"/api/v1/requests/status/{token}/",
            name="/api/v1/requests/status/[token]/",
            catch_response=True,
        ) as response:
            self._expect(response, 200)


class QueueUser(_Scenario):
    @task
    def queue(self):
        with self.client.get(
            "/api/v1/requests/?status=submitted", headers=self._coordinator(), catch_response=True
        ) as response:
            self._expect(response, 200)


class MatchUser(_Scenario):
    @task
    def matches(self):
        request_id = random.choice(DATA["match_request_ids"])
        with self.client.get(
            f"/api/v1/requests/{request_id}/matches/",
            name="/api/v1/requests/[id]/matches/",
            headers=self._coordinator(),
            catch_response=True,
        ) as response:
            self._expect(response, 200)


class Record:
    """Every answer this process saw, exactly (locust's own percentiles are bucketed)."""

    def __init__(self):
        self.times_ms: list[float] = []
        self.statuses: dict[str, int] = {}
        self.failures = 0
        self.first_start: float | None = None
        self.last_end: float | None = None
        self.created_ids: list[int] = []

    def add(self, *, start: float, response_time_ms: float, status: int, failed: bool) -> None:
        self.times_ms.append(response_time_ms)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.failures += failed
        end = start + response_time_ms / 1000
        self.first_start = start if self.first_start is None else min(self.first_start, start)
        self.last_end = end if self.last_end is None else max(self.last_end, end)

    def summary(self) -> dict:
        """Requests per second over the span from the first request sent to the last answer."""
        times = sorted(self.times_ms)
        span = (self.last_end - self.first_start) if times else 0.0

        def percentile(share: float) -> float:
            if not times:
                return 0.0
            return round(times[min(len(times) - 1, int(share * len(times)))], 1)

        return {
            "requests": len(times),
            "failures": self.failures,
            "seconds": round(span, 2),
            "rps": round(len(times) / span, 1) if span else 0.0,
            "p50_ms": percentile(0.50),
            "p99_ms": percentile(0.99),
            "max_ms": round(times[-1], 1) if times else 0.0,
            "statuses": self.statuses,
        }


RECORD = Record()


@events.request.add_listener
def _record(response_time, response=None, exception=None, start_time=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    RECORD.add(
        start=start_time or 0.0,
        response_time_ms=response_time,
        status=status,
        failed=exception is not None,
    )


@events.test_stop.add_listener
def _write_record(environment, **_kwargs):
    """After every user has finished its request in flight (``--stop-timeout``)."""
    if path := os.environ.get("LOAD_SUMMARY"):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(RECORD.summary(), handle)
    if (path := os.environ.get("LOAD_CREATED")) and RECORD.created_ids:
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(f"{request_id}\n" for request_id in RECORD.created_ids)
        RECORD.created_ids.clear()
