"""The web process freezes the survivors of a full collection when there are many of them
(``network.collector``); what a request makes, it leaves to the collector."""

import gc

import pytest

from network import collector


@pytest.fixture
def fake_collector(monkeypatch):
    """gc.freeze and the oldest generation's size, faked: the calls are counted instead."""
    state = {"freezes": 0, "survivors": 0}
    monkeypatch.setattr(gc, "freeze", lambda: state.__setitem__("freezes", state["freezes"] + 1))
    monkeypatch.setattr(gc, "get_objects", lambda generation=None: [None] * state["survivors"])
    return state


@pytest.mark.parametrize(
    ("phase", "generation", "survivors", "freezes"),
    [
        ("stop", 2, collector.FREEZE_SURVIVORS, 1),
        ("stop", 2, collector.FREEZE_SURVIVORS * 5, 1),
        ("stop", 2, collector.FREEZE_SURVIVORS - 1, 0),  # a steady worker's few hundred
        ("start", 2, collector.FREEZE_SURVIVORS * 5, 0),  # before it: garbage is still there
        ("stop", 1, collector.FREEZE_SURVIVORS * 5, 0),  # a young collection leaves the old
        ("stop", 0, collector.FREEZE_SURVIVORS * 5, 0),
    ],
)
def test_only_a_full_collection_with_many_survivors_freezes_them(
    fake_collector, phase, generation, survivors, freezes
):
    fake_collector["survivors"] = survivors

    collector.freeze_survivors(phase, {"generation": generation, "collected": 0})

    assert fake_collector["freezes"] == freezes


def test_freeze_loaded_adds_its_callback_once(fake_collector, monkeypatch):
    monkeypatch.setattr(gc, "callbacks", [])

    collector.freeze_loaded()
    collector.freeze_loaded()

    assert fake_collector["freezes"] == 2
    assert gc.callbacks == [collector.freeze_survivors]
