"""Differences between two revisions of a page, line by line (difflib; no database).

``diff_rows`` gives side-by-side rows for the history pages and the edit-conflict screen,
``unified`` the familiar ``diff -u`` text for the API, and ``stats`` the lines added and removed
for a revision list.
"""

import difflib
from dataclasses import dataclass

from django.utils.translation import ngettext

EQUAL, INSERT, DELETE, REPLACE, SKIP = "equal", "insert", "delete", "replace", "skip"


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff.

    ``kind`` is ``equal``, ``insert`` (only a new line), ``delete`` (only an old line),
    ``replace`` (an old line and the new line that took its place) or ``skip``: unchanged lines
    left out by ``context``; a skip row's numbers are those of its first hidden line on each
    side, and both texts say how many lines it hides ("12 unchanged lines").
    Line numbers count from 1; a side without a line has number ``None`` and text "".
    """

    kind: str
    old_number: int | None
    old_text: str
    new_number: int | None
    new_text: str


def _lines(text: str) -> list[str]:
    return (text or "").splitlines()


def _matcher(old_lines: list[str], new_lines: list[str]) -> difflib.SequenceMatcher:
    # autojunk off: a page is short, and with it on, lines repeated in over 1 % of a long page
    # (blank lines, "---") are treated as junk and the diff jumps around them.
    return difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)


def diff_rows(old: str, new: str, *, context: int | None = None) -> list[DiffRow]:
    """Side-by-side rows turning ``old`` into ``new``.

    With ``context=N``, unchanged runs keep only N lines next to each change and the rest is
    one ``skip`` row (two identical texts give a single skip row, or nothing when empty).
    """
    if context is not None and context < 0:
        raise ValueError("context must not be negative")
    old_lines, new_lines = _lines(old), _lines(new)
    rows: list[DiffRow] = []
    opcodes = _matcher(old_lines, new_lines).get_opcodes()
    for position, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            run = [
                DiffRow(EQUAL, i1 + k + 1, old_lines[i1 + k], j1 + k + 1, new_lines[j1 + k])
                for k in range(i2 - i1)
            ]
            if context is not None:
                run = _collapse(
                    run,
                    context,
                    keep_head=position > 0,
                    keep_tail=position < len(opcodes) - 1,
                )
            rows.extend(run)
            continue
        old_count, new_count = i2 - i1, j2 - j1
        for k in range(max(old_count, new_count)):
            has_old, has_new = k < old_count, k < new_count
            kind = REPLACE if has_old and has_new else DELETE if has_old else INSERT
            rows.append(
                DiffRow(
                    kind,
                    i1 + k + 1 if has_old else None,
                    old_lines[i1 + k] if has_old else "",
                    j1 + k + 1 if has_new else None,
                    new_lines[j1 + k] if has_new else "",
                )
            )
    return rows


def _collapse(run: list[DiffRow], context: int, *, keep_head: bool, keep_tail: bool):
    """``run`` (equal rows) with the lines further than ``context`` from a change hidden."""
    head = context if keep_head else 0
    tail = context if keep_tail else 0
    if len(run) <= head + tail:
        return run
    hidden = run[head : len(run) - tail]
    label = ngettext("%(count)s unchanged line", "%(count)s unchanged lines", len(hidden)) % {
        "count": len(hidden)
    }
    skip = DiffRow(SKIP, hidden[0].old_number, label, hidden[0].new_number, label)
    return run[:head] + [skip] + run[len(run) - tail :]


def unified(old: str, new: str, *, old_label: str, new_label: str) -> str:
    """The ``diff -u`` text turning ``old`` into ``new`` ("" when they are the same)."""
    lines = difflib.unified_diff(
        _lines(old), _lines(new), fromfile=old_label, tofile=new_label, lineterm=""
    )
    text = "\n".join(lines)
    return text + "\n" if text else ""


def stats(old: str, new: str) -> tuple[int, int]:
    """How many lines ``new`` adds to ``old``, and how many it removes."""
    added = removed = 0
    for tag, i1, i2, j1, j2 in _matcher(_lines(old), _lines(new)).get_opcodes():
        if tag != "equal":
            added += j2 - j1
            removed += i2 - i1
    return added, removed
