"""How far a long management command has got, on standard error.

"Importing consultants: 1,200/5,000 (24 %)": on a terminal, one line rewritten in place about
twice a second; with ``--progress`` when standard error is not a terminal (a log file, a pipe),
one line every few seconds instead. Each stage ends with a line saying how many and how long
("Importing consultants: 5,000/5,000, done in 12.3 s."). Nothing at all at ``--verbosity 0``,
and nothing on a pipe without ``--progress``, so scripts and tests read the command's own output
only. Standard output is never touched: a command that prints JSON keeps printing just JSON.

Plain Python (no Django), so every app's commands may use it, the matching engine's included::

    def add_arguments(self, parser):
        add_progress_argument(parser)

    def handle(self, *args, **options):
        progress = CommandProgress(self, requested=options["progress"], verbosity=verbosity)
        with progress.stage("Importing consultants", total=len(rows)) as stage:
            for row in rows:
                ...
                stage.advance()
"""

import time
from collections.abc import Callable
from typing import Protocol

# Seconds between two lines: in place on a terminal, one line each in a file.
TERMINAL_INTERVAL = 0.5
LOG_INTERVAL = 2.0


class _Stream(Protocol):
    def write(self, text: str, /) -> object: ...
    def flush(self) -> None: ...


def add_progress_argument(parser) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help=(
            "Show progress on standard error even when it is not a terminal (it is shown on a "
            "terminal anyway). Never shown with --verbosity 0."
        ),
    )


def progress_wanted(stream, *, requested: bool, verbosity: int) -> bool:
    """Progress is shown on a terminal, or anywhere when asked for; never at verbosity 0."""
    if verbosity < 1:
        return False
    return requested or bool(getattr(stream, "isatty", lambda: False)())


def duration(seconds: float) -> str:
    """'0.4 s', '12.3 s', '2 min 05 s', '1 h 02 min'."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, whole = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {whole:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """One stage of a command: a label, a count done and, when known, a total.

    ``stream`` None gives a stage that counts but writes nothing, so a command calls the same
    methods whether progress is shown or not.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: _Stream | None = None,
        in_place: bool = False,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream
        self.in_place = in_place
        self.interval = (
            interval if interval is not None else (TERMINAL_INTERVAL if in_place else LOG_INTERVAL)
        )
        self.clock = clock
        self.started = clock()
        self.closed = False
        self._drawn_at: float | None = None
        self._width = 0  # of the line now on the terminal, to clear what a shorter one leaves
        self._draw(self.text())

    # --- counting -----------------------------------------------------------------------------

    def advance(self, count: int = 1) -> None:
        self.update(self.done + count)

    def update(self, done: int) -> None:
        self.done = done
        if self.stream is None or self.closed:
            return
        if self.clock() - (self._drawn_at or 0.0) >= self.interval:
            self._draw(self.text())

    def text(self) -> str:
        if not self.total:
            return f"{self.label}: {self.done:,}" if self.done else f"{self.label} …"
        share = min(100, self.done * 100 // self.total)
        return f"{self.label}: {self.done:,}/{self.total:,} ({share} %)"

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    # --- ending -------------------------------------------------------------------------------

    def finish(self, summary: str | None = None) -> None:
        """End the stage with one line: ``summary`` (by default the count) and the time taken."""
        if self.closed:
            return
        self.closed = True
        if summary is None:
            if self.total:
                summary = f"{self.label}: {self.done:,}/{self.total:,}, done"
            elif self.done:
                summary = f"{self.label}: {self.done:,}, done"
            else:
                summary = f"{self.label}: done"
        self._draw(f"{summary} in {duration(self.elapsed)}.", last=True)

    def stop(self) -> None:
        """End the stage on an error: say where it stopped (or, when every item was done, that
        it was done), on a line of its own."""
        if self.closed:
            return
        if self.total and self.done >= self.total:
            self.finish()
            return
        self.closed = True
        self._draw(f"{self.text()}: stopped after {duration(self.elapsed)}.", last=True)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.finish()
        else:
            self.stop()

    # --- writing ------------------------------------------------------------------------------

    def _draw(self, text: str, *, last: bool = False) -> None:
        if self.stream is None:
            return
        self._drawn_at = self.clock()
        if self.in_place:
            padding = " " * max(0, self._width - len(text))
            self._width = 0 if last else len(text)
            self.stream.write(f"\r{text}{padding}" + ("\n" if last else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


class _PlainErrors:
    """A command's standard error without the red Django gives it on a terminal."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, style_func=_unstyled, ending="")

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return self.wrapper.isatty()


def _unstyled(text: str) -> str:
    return text


class CommandProgress:
    """The progress of one run of a management command, on its standard error.

    ``requested`` is the command's ``--progress`` option (from ``add_progress_argument``).
    Stages follow one another; starting one finishes the one before.
    """

    def __init__(
        self,
        command,
        *,
        requested: bool,
        verbosity: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        errors = _PlainErrors(command.stderr)
        self.enabled = progress_wanted(errors, requested=requested, verbosity=verbosity)
        self.stream = errors if self.enabled else None
        self.in_place = self.enabled and errors.isatty()
        self.clock = clock
        self.started = clock()
        self.current: Progress | None = None

    def stage(self, label: str, total: int | None = None) -> Progress:
        if self.current is not None:
            self.current.finish()
        self.current = Progress(
            label, total, stream=self.stream, in_place=self.in_place, clock=self.clock
        )
        return self.current

    def report(self, label: str, done: int, total: int | None = None) -> None:
        """The callback form, for code that only reports counts: ``report(label, done, total)``
        starts the stage named ``label`` if it is not the current one, then sets its count."""
        if self.current is None or self.current.closed or self.current.label != label:
            self.stage(label, total)
        self.current.update(done)

    def finish(self, summary: str | None = None) -> None:
        """Finish the current stage; with ``summary``, add one line for the whole command."""
        if self.current is not None:
            self.current.finish()
        if summary is not None and self.stream is not None:
            self.stream.write(f"{summary} in {duration(self.clock() - self.started)}.\n")
            self.stream.flush()

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()

    def __enter__(self) -> "CommandProgress":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.finish()
        else:
            self.stop()
