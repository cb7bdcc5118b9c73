"""Keep what a web process holds for its whole life out of the garbage collector's walks.

A full collection walks every object the collector tracks. Most of a web process's objects live
as long as it does: Django, the apps, the views and serializers the URLs lead to, then what the
first requests load (the matching engine, templates, translations). Walking them all is what
makes a full collection slow, and a worker's full collections come at about the same point of
its traffic as every other worker's, so they pause together.

``freeze_loaded`` freezes (``gc.freeze``) what is loaded at start, and from then on, after any
full collection that leaves at least ``FREEZE_SURVIVORS`` objects, freezes those survivors too:
a full collection has just found them all alive, so nothing frozen is garbage. Frozen objects
are still freed when nothing refers to them any more; only a reference cycle among them is not,
which is why this is for objects that live long (the survivors of a full collection), not for
everything a request makes.
"""

import gc

# Survivors of one full collection, beyond those already frozen, that are frozen in their turn.
# A worker that has served its first requests keeps about 25,000 more objects than it had at
# start (the matching engine's aliases and models, compiled templates); one serving steadily
# leaves a few hundred.
FREEZE_SURVIVORS = 10_000


def freeze_survivors(phase: str, info: dict) -> None:
    """A ``gc.callbacks`` entry: after a full collection, freeze its survivors when there are
    ``FREEZE_SURVIVORS`` of them or more."""
    if phase != "stop" or info["generation"] != 2:
        return
    # After a full collection every object it tracks is in the oldest generation.
    if len(gc.get_objects(generation=2)) >= FREEZE_SURVIVORS:
        gc.freeze()


def freeze_loaded() -> None:
    """Freeze what this process has loaded, and the survivors of later full collections."""
    gc.freeze()
    if freeze_survivors not in gc.callbacks:
        gc.callbacks.append(freeze_survivors)
