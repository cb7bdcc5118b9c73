"""network.progress: what a long command shows on standard error, and when it shows nothing."""

import io
from types import SimpleNamespace

import pytest
from django.core.management.base import OutputWrapper

from network.progress import CommandProgress, Progress, duration, progress_wanted


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def command_with(stream) -> SimpleNamespace:
    """What CommandProgress reads of a command: its standard error, as Django wraps it."""
    errors = OutputWrapper(stream)
    errors.style_func = lambda text: f"<red>{text}</red>"  # what Django sets on a terminal
    return SimpleNamespace(stderr=errors)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0 s"), (12.34, "12.3 s"), (125, "2 min 05 s"), (3720, "1 h 02 min")],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


def test_progress_is_shown_on_a_terminal_or_when_asked_and_never_at_verbosity_0():
    assert progress_wanted(Terminal(), requested=False, verbosity=1)
    assert progress_wanted(io.StringIO(), requested=True, verbosity=1)
    assert not progress_wanted(io.StringIO(), requested=False, verbosity=1)
    assert not progress_wanted(Terminal(), requested=True, verbosity=0)


def test_on_a_log_a_line_every_interval_then_the_count_and_time():
    clock, log = Clock(), io.StringIO()
    progress = Progress("Importing consultants", 5000, stream=log, interval=2, clock=clock)
    progress.update(1200)  # less than two seconds after the first line: not written
    clock.now += 2
    progress.update(1200)
    clock.now += 1
    progress.update(4000)  # one second after the last line: not written
    clock.now += 9.3
    progress.update(5000)
    progress.finish()

    assert log.getvalue().splitlines() == [
        "Importing consultants: 0/5,000 (0 %)",
        "Importing consultants: 1,200/5,000 (24 %)",
        "Importing consultants: 5,000/5,000 (100 %)",
        "Importing consultants: 5,000/5,000, done in 12.3 s.",
    ]


def test_on_a_terminal_one_line_is_rewritten_in_place_and_ended_once():
    clock, terminal = Clock(), Terminal()
    progress = Progress("Exporting rows", 20, stream=terminal, in_place=True, clock=clock)
    clock.now += 0.5
    progress.update(20)
    clock.now += 0.5
    progress.finish("Exported 20 rows")

    assert terminal.getvalue() == (
        "\rExporting rows: 0/20 (0 %)"
        "\rExporting rows: 20/20 (100 %)"
        "\rExported 20 rows in 1.0 s.   \n"  # padded over the longer line before it
    )


def test_a_stage_without_a_total_counts_or_says_what_it_does():
    clock, log = Clock(), io.StringIO()
    with Progress("Building the index", stream=log, clock=clock):
        clock.now += 0.25
    counting = Progress("Exporting rows", stream=log, interval=0, clock=clock)
    counting.advance(3)
    counting.finish()

    assert log.getvalue().splitlines() == [
        "Building the index …",
        "Building the index: done in 0.2 s.",
        "Exporting rows …",
        "Exporting rows: 3",
        "Exporting rows: 3, done in 0.0 s.",
    ]


def test_an_error_says_where_the_stage_stopped_on_a_line_of_its_own():
    clock, terminal = Clock(), Terminal()
    with pytest.raises(RuntimeError):
        with Progress("Searching", 300, stream=terminal, in_place=True, clock=clock) as stage:
            clock.now += 1
            stage.update(30)
            raise RuntimeError("the database went away")

    assert terminal.getvalue().endswith("\rSearching: 30/300 (10 %): stopped after 1.0 s.\n")


def test_a_stage_without_a_stream_counts_and_writes_nothing():
    progress = Progress("Ranking", 3)
    progress.advance(3)
    progress.finish()

    assert progress.done == 3 and progress.closed


def test_a_commands_stages_follow_one_another_then_a_summary_unstyled():
    clock, terminal = Clock(), Terminal()
    progress = CommandProgress(command_with(terminal), requested=False, verbosity=1, clock=clock)
    progress.report("Checking rows", 1, 2)
    clock.now += 1
    progress.report("Checking rows", 2, 2)
    progress.report("Importing consultants", 2, 2)
    clock.now += 1
    progress.finish("Imported 2 rows")

    lines = terminal.getvalue().replace("\r", "\n").split("\n")
    assert "Checking rows: 2/2, done in 1.0 s." in lines
    assert "Importing consultants: 2/2, done in 1.0 s." in lines
    assert "Imported 2 rows in 2.0 s." in lines
    assert "<red>" not in terminal.getvalue()


def test_a_command_on_a_pipe_without_the_option_shows_nothing():
    pipe = io.StringIO()
    with CommandProgress(command_with(pipe), requested=False, verbosity=1) as progress:
        progress.report("Checking rows", 2, 2)
        progress.finish("Imported 2 rows")

    assert not progress.enabled
    assert pipe.getvalue() == ""
