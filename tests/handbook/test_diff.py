"""Diffs between revisions: side-by-side rows, context collapsing, unified text, line counts."""

import difflib

from hypothesis import given
from hypothesis import strategies as st

from handbook.diff import DiffRow, diff_rows, stats, unified

OLD = "title\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nend\n"


def test_identical_texts_are_all_equal_rows():
    rows = diff_rows("a\nb", "a\nb")

    assert rows == [DiffRow("equal", 1, "a", 1, "a"), DiffRow("equal", 2, "b", 2, "b")]


def test_an_inserted_line_has_no_old_side():
    rows = diff_rows("a\nc", "a\nb\nc")

    assert rows[1] == DiffRow("insert", None, "", 2, "b")
    assert [row.kind for row in rows] == ["equal", "insert", "equal"]
    assert rows[2] == DiffRow("equal", 2, "c", 3, "c")


def test_a_deleted_line_has_no_new_side():
    rows = diff_rows("a\nb\nc", "a\nc")

    assert rows[1] == DiffRow("delete", 2, "b", None, "")


def test_a_changed_line_is_a_replace_row_and_extra_lines_are_inserts():
    rows = diff_rows("a\nold\nz", "a\nnew 1\nnew 2\nz")

    assert rows[1] == DiffRow("replace", 2, "old", 2, "new 1")
    assert rows[2] == DiffRow("insert", None, "", 3, "new 2")


def test_context_collapses_long_unchanged_runs_into_skip_rows():
    new = OLD.replace("five", "FIVE")

    rows = diff_rows(OLD, new, context=1)

    assert [row.kind for row in rows] == ["skip", "equal", "replace", "equal", "skip"]
    assert rows[0] == DiffRow("skip", 1, "4 unchanged lines", 1, "4 unchanged lines")
    assert rows[1].old_text == "four" and rows[3].old_text == "six"
    assert rows[4].old_number == 8 and rows[4].old_text == "4 unchanged lines"


def test_a_short_run_between_changes_is_kept_whole():
    new = OLD.replace("four", "FOUR").replace("six", "SIX")

    rows = diff_rows(OLD, new, context=1)

    kinds = ["skip", "equal", "replace", "equal", "replace", "equal", "skip"]
    assert [row.kind for row in rows] == kinds
    assert rows[3].old_text == "five"


def test_context_zero_keeps_only_the_changes():
    rows = diff_rows("a\nb\nc", "a\nB\nc", context=0)

    assert [row.kind for row in rows] == ["skip", "replace", "skip"]
    assert rows[0].old_text == "1 unchanged line"


def test_without_context_nothing_is_hidden():
    rows = diff_rows(OLD, OLD.replace("five", "FIVE"))

    assert "skip" not in {row.kind for row in rows}
    assert len(rows) == 11


def test_empty_texts():
    assert diff_rows("", "") == []
    assert diff_rows("", "", context=3) == []
    assert diff_rows("", "new") == [DiffRow("insert", None, "", 1, "new")]
    assert stats("", "a\nb") == (2, 0)


def test_windows_line_endings_are_lines_too():
    assert diff_rows("a\r\nb\r\n", "a\nb\n") == diff_rows("a\nb", "a\nb")


def test_unified_text_has_the_labels_and_the_changes():
    text = unified("a\nb\n", "a\nc\n", old_label="revision 1", new_label="revision 2")

    assert text.splitlines() == [
        "--- revision 1",
        "+++ revision 2",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
    ]
    assert unified("same", "same", old_label="a", new_label="b") == ""


def test_stats_counts_added_and_removed_lines():
    assert stats("a\nb\nc", "a\nB\nc\nd") == (2, 1)
    assert stats("a", "a") == (0, 0)


lines = st.lists(st.sampled_from(["alpha", "beta", "gamma", "", "delta", "# Heading"]), max_size=30)


@given(lines, lines)
def test_rows_rebuild_both_texts(old_lines, new_lines):
    old, new = "\n".join(old_lines), "\n".join(new_lines)

    rows = diff_rows(old, new)

    assert [row.old_text for row in rows if row.old_number] == old.splitlines()
    assert [row.new_text for row in rows if row.new_number] == new.splitlines()
    assert [row.old_number for row in rows if row.old_number] == list(
        range(1, len(old.splitlines()) + 1)
    )


@given(lines, lines, st.integers(min_value=0, max_value=4))
def test_context_only_hides_equal_lines(old_lines, new_lines, context):
    old, new = "\n".join(old_lines), "\n".join(new_lines)

    full = diff_rows(old, new)
    short = diff_rows(old, new, context=context)

    assert [row for row in full if row.kind != "equal"] == [
        row for row in short if row.kind not in ("equal", "skip")
    ]
    hidden = sum(int(row.old_text.split()[0]) for row in short if row.kind == "skip")
    shown = sum(1 for row in short if row.kind == "equal")
    assert hidden + shown == sum(1 for row in full if row.kind == "equal")


@given(lines, lines)
def test_stats_agree_with_the_unified_diff(old_lines, new_lines):
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    body = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm=""))[2:]

    added = sum(1 for line in body if line.startswith("+"))
    removed = sum(1 for line in body if line.startswith("-"))

    assert stats(old, new) == (added, removed)
