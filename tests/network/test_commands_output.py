"""What commands print: no library banners, and progress on standard error only when wanted.

Every ``manage.py`` command used to start with django-axes' "AXES: BEGIN version …" line, and
every task queued added django-q2's "Enqueued [switchboard] N". The long commands (seed_demo
--scale, import_consultants, export_data, the benchmarks) show how far they have got on standard
error, on a terminal or with --progress, never at --verbosity 0 or on a pipe without it.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from matching import synthetic
from matching.management.commands import benchmark_matching
from network import demo
from network.models import Consultant
from network.services import skill_create

ROOT = Path(__file__).resolve().parents[2]
BANNERS = ("AXES: BEGIN", "Enqueued [")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process, with the environment a developer has by default."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"LOG_LEVEL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL"}
    }
    base.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# A task queued on a broker that keeps nothing: what django-q2 logs when a task is queued.
ENQUEUE = """
import logging
from django_q.tasks import async_task

class Broker:
    list_key = "switchboard"

    def enqueue(self, package):
        return 7

async_task("math.floor", 1.5, broker=Broker(), sync=False)
print(logging.getLevelName(logging.getLogger("django-q").getEffectiveLevel()))
"""


# --- Banners --------------------------------------------------------------------------------


def test_a_command_prints_its_own_output_and_no_library_banner(tmp_path):
    finished = manage("check", tmp_path=tmp_path)

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "System check identified no issues (0 silenced).\n"
    assert not [banner for banner in BANNERS if banner in finished.stdout + finished.stderr]


def test_queuing_a_task_logs_nothing_by_default(tmp_path):
    finished = manage("shell", "--no-imports", "-c", ENQUEUE, tmp_path=tmp_path)

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "WARNING\n"
    assert "Enqueued" not in finished.stderr


def test_log_level_info_brings_the_task_queues_lines_back(tmp_path):
    """An operator who sets LOG_LEVEL=INFO gets every django-q2 line, the cluster's too."""
    finished = manage("shell", "--no-imports", "-c", ENQUEUE, tmp_path=tmp_path, LOG_LEVEL="INFO")

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "INFO\n"
    assert "Enqueued [switchboard] 7" in finished.stderr


# --- import_consultants ---------------------------------------------------------------------

CSV = "email,display_name\n" + "".join(
    f"member{number}@members.test,Imported member {number}\n" for number in range(1, 4)
)


def import_file(tmp_path, text: str, *args, stderr=None) -> tuple[str, str]:
    path = tmp_path / "members.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("import_consultants", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_with_progress_shows_rows_checked_and_imported_on_standard_error(tmp_path):
    out, err = import_file(tmp_path, CSV, "--progress")

    lines = err.splitlines()
    assert lines[0] == "Checking rows: 0/3 (0 %)"
    assert any(line.startswith("Checking rows: 3/3, done in ") for line in lines)
    assert any(line.startswith("Importing consultants: 3/3, done in ") for line in lines)
    assert "3 rows, 3 created, 0 updated, 0 unchanged." in out
    assert "Checking" not in out and "Importing consultants" not in out
    assert Consultant.objects.count() == 3


@pytest.mark.django_db
def test_import_on_a_pipe_without_the_option_shows_no_progress(tmp_path):
    out, err = import_file(tmp_path, CSV)

    assert err == ""
    assert "3 rows, 3 created" in out


@pytest.mark.django_db
def test_import_at_verbosity_0_shows_no_progress_even_when_asked(tmp_path):
    _out, err = import_file(tmp_path, CSV, "--progress", "--verbosity", "0", stderr=Terminal())

    assert err == ""
    assert Consultant.objects.count() == 3


@pytest.mark.django_db
def test_import_on_a_terminal_shows_progress_in_place(tmp_path):
    _out, err = import_file(tmp_path, CSV, stderr=Terminal())

    assert err.startswith("\rChecking rows: ")
    assert err.endswith("\n") and "\rImporting consultants: 3/3, done in " in err


@pytest.mark.django_db
def test_a_bad_file_ends_the_check_then_lists_the_problems(tmp_path):
    err = io.StringIO()
    bad = CSV + "not-an-email,Someone\n"

    with pytest.raises(CommandError, match="1 error"):
        import_file(tmp_path, bad, "--progress", stderr=err)

    assert any(
        line.startswith("Checking rows: 4/4, done in ") for line in err.getvalue().split("\n")
    )
    assert "Importing consultants" not in err.getvalue()
    assert Consultant.objects.count() == 0


# --- seed_demo --scale ----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_scale_with_progress_counts_the_synthetic_members(tmp_path):
    for name, category in list(demo.DEMO_SKILLS.items())[:20]:
        skill_create(name=name, category=category, source="test")
    out, err = io.StringIO(), io.StringIO()

    call_command("seed_demo", "--scale", "3", "--progress", stdout=out, stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0] == "Adding synthetic consultants: 0/3 (0 %)"
    assert lines[-1].startswith("Adding synthetic consultants: 3/3, done in ")
    assert "Added 3 synthetic consultants" in out.getvalue()


# --- export_data ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_with_progress_counts_every_row_written(tmp_path):
    skill_create(name="WordPress", category="web", source="test")
    target = tmp_path / "export.json"
    out, err = io.StringIO(), io.StringIO()

    call_command("export_data", "--output", str(target), "--progress", stdout=out, stderr=err)

    rows = len(json.loads(target.read_text(encoding="utf-8")))
    lines = err.getvalue().splitlines()
    assert lines[0] == f"Exporting rows: 0/{rows:,} (0 %)"
    assert lines[-1].startswith(f"Exporting rows: {rows:,}/{rows:,}, done in ")
    assert out.getvalue() == f"Exported to {target}.\n"


@pytest.mark.django_db
def test_export_to_standard_output_keeps_it_pure_json_and_standard_error_empty():
    skill_create(name="WordPress", category="web", source="test")
    out, err = io.StringIO(), io.StringIO()

    call_command("export_data", stdout=out, stderr=err)

    assert json.loads(out.getvalue())
    assert err.getvalue() == ""


# --- The benchmarks -------------------------------------------------------------------------


@pytest.mark.django_db
def test_benchmark_handbook_with_progress_shows_each_stage_and_the_total():
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "benchmark_handbook", "--pages", "4", "--queries", "3", "--progress", stdout=out, stderr=err
    )

    lines = err.getvalue().splitlines()
    assert any(line.startswith("Writing pages: 4/4, done in ") for line in lines)
    assert any(line.startswith("Searching: 3/3, done in ") for line in lines)
    assert any(line.startswith("Removing the pages: done in ") for line in lines)
    assert lines[-1].startswith("Benchmarked 3 searches over 4 pages in ")
    assert json.loads(out.getvalue())["pages"] == 4


@pytest.mark.django_db
def test_benchmark_handbook_without_progress_prints_only_its_json_line():
    out, err = io.StringIO(), io.StringIO()

    call_command("benchmark_handbook", "--pages", "2", "--queries", "1", stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert json.loads(out.getvalue())["queries"] == 1


@pytest.fixture
def small_network(monkeypatch):
    """The benchmark's synthetic network over twelve skills: the engine learns them in moments."""
    skills = [name for name, _ in synthetic.default_skill_pool()[:12]]
    monkeypatch.setattr(
        benchmark_matching,
        "synthetic_network",
        lambda n, seed: synthetic.synthetic_network(n, seed=seed, skills=skills),
    )


def test_benchmark_matching_with_progress_shows_each_stage_and_the_total(small_network):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "benchmark_matching", "--consultants", "30", "--queries", "5", "--progress",
        "--workers", "0", stdout=out, stderr=err,
    )  # fmt: skip

    lines = err.getvalue().splitlines()
    assert any(line.startswith("Ranking: 5/5, done in ") for line in lines)
    assert any(line.startswith("Ranking the naive way: 5/5, done in ") for line in lines)
    assert lines[-1].startswith("Benchmarked 30 consultants with 5 requests in ")
    figures = json.loads(out.getvalue())
    assert (figures["consultants"], figures["queries"]) == (30, 5)


def test_benchmark_matching_on_a_pipe_prints_only_its_json_line(small_network):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "benchmark_matching", "--consultants", "10", "--queries", "2", "--workers", "0",
        stdout=out, stderr=err,
    )  # fmt: skip

    assert err.getvalue() == ""
    assert json.loads(out.getvalue())["queries"] == 2
