"""Scale-out: two qcluster processes on one Redis share the work, and each
task runs once (docs/operations.md, "Deploying on several processes")."""

from collections import Counter

import pytest

from tests.helpers import process_env, run_django, wait_for

TASKS = 40


_ENQUEUE = f"""
from django_q.tasks import async_task
print(json.dumps([
    async_task("tests.reliability.probes.record_run", number, task_name=f"probe-{{number}}")
    for number in range({TASKS})
]))
"""

_RESULTS = """
from django_q.models import Task
print(json.dumps(sorted(Task.objects.filter(name__startswith="probe-").values_list(
    "name", "success"))))
"""


@pytest.mark.django_db(transaction=True)
def test_two_clusters_on_one_redis_run_every_task_exactly_once(
    shared_database_url, redis_url, clusters, tmp_path
):
    run_log = tmp_path / "runs.log"
    run_log.touch()
    env = process_env(
        shared_database_url, REDIS_URL=redis_url, Q_WORKERS="2", RELIABILITY_RUN_LOG=str(run_log)
    )
    started = [
        clusters({**env, "RELIABILITY_CLUSTER": name}, tmp_path / f"{name}.log")
        for name in ("a", "b")
    ]
    for cluster in started:
        cluster.wait_running()

    run_django(_ENQUEUE, env)

    def runs() -> list[list[str]]:
        return [line.split() for line in run_log.read_text().splitlines()]

    def logs() -> str:
        return "\n".join(f"--- cluster {c.log_path.stem}:\n{c.tail()}" for c in started)

    wait_for(
        lambda: len(runs()) >= TASKS, 60, lambda: f"{len(runs())} of {TASKS} tasks ran\n{logs()}"
    )
    # Both monitors save results to the shared database; wait for the last of them (a busy
    # CI machine can take its time: each look is a new Django process).
    saved: list = []

    def all_saved() -> bool:
        saved[:] = run_django(_RESULTS, env)
        return len(saved) >= TASKS

    wait_for(
        all_saved, 60, lambda: f"{len(saved)} of {TASKS} results saved\n{logs()}", interval=0.5
    )
    for cluster in started:
        cluster.stop()

    numbers = Counter(int(number) for number, _cluster, _pid in runs())
    assert numbers == Counter(range(TASKS))  # every task once: none lost, none twice
    by_cluster = Counter(cluster for _number, cluster, _pid in runs())
    assert set(by_cluster) == {"a", "b"}, by_cluster  # both clusters did some of the work
    assert run_django(_RESULTS, env) == [
        [f"probe-{n}", True] for n in sorted(range(TASKS), key=str)
    ]
