"""What ``kill -9`` on a ``qcluster`` process leaves behind, and what stops all of it.

django-q2's ``qcluster`` is a tree: the command's process starts a sentinel, which starts the
workers, a monitor and a pusher, and runs the scheduler. SIGKILL to the command's process
alone ends only that process: the sentinel does not watch its parent, so it and every process
under it carry on, re-parented, still taking tasks from the queue and running the schedules,
with the code they were started with. A signal to the whole process group (what a supervisor
does with systemd's ``KillMode=control-group`` or supervisord's ``stopasgroup``/``killasgroup``)
ends all of it. docs/operations.md, "Task clusters".
"""

import os
import signal
from pathlib import Path

import pytest

from tests.helpers import process_env, run_django, wait_for

_ENQUEUE = """
from django_q.tasks import async_task
print(json.dumps(async_task("tests.reliability.probes.record_run", 7, task_name="after-kill")))
"""


def processes_in_group(group: int) -> dict[int, str]:
    """Live processes (pid: state) whose process group is ``group``; zombies are dead."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == group and state != "Z":
            found[int(entry.name)] = state
    return found


@pytest.mark.django_db(transaction=True)
def test_sigkill_to_qcluster_leaves_its_cluster_running_until_its_group_is_killed(
    shared_database_url, clusters, tmp_path
):
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the process table from /proc (Linux)")
    run_log = tmp_path / "runs.log"
    run_log.touch()
    env = process_env(
        shared_database_url,
        Q_WORKERS="2",
        RELIABILITY_RUN_LOG=str(run_log),
        RELIABILITY_CLUSTER="orphans",
    )
    cluster = clusters(env, tmp_path / "qc.log")
    cluster.wait_running()
    group = cluster.process.pid  # started in a session of its own: the group is its pid
    # The command, the sentinel, two workers, the monitor and the pusher.
    wait_for(lambda: len(processes_in_group(group)) >= 6, 20, "the cluster's tree did not start")
    tree = set(processes_in_group(group))

    os.kill(cluster.process.pid, signal.SIGKILL)  # the parent only, as `kill -9 <pid>` does
    cluster.process.wait(10)

    survivors = set(processes_in_group(group))
    assert survivors == tree - {cluster.process.pid}, (tree, survivors)
    assert len(survivors) >= 5
    # Not idle leftovers: they still take tasks from the queue and run them.
    run_django(_ENQUEUE, env)
    wait_for(
        lambda: run_log.read_text().strip(),
        40,
        lambda: f"the orphaned cluster ran no task\n{cluster.tail()}",
    )
    number, name, _pid = run_log.read_text().split()
    assert (number, name) == ("7", "orphans")

    os.killpg(group, signal.SIGKILL)  # what a supervisor that stops the whole group does

    wait_for(
        lambda: not processes_in_group(group),
        10,
        lambda: f"still running after the group was killed: {processes_in_group(group)}",
    )
