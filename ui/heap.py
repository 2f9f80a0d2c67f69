"""Keep the long-lived data of the server process out of Python's cyclic garbage collection.

The server holds a few hundred thousand long-lived objects: the loaded modules, boundaries, views and their maps'
prepared pieces, shared by every session. Python's collector walks all of them in every full collection, which
it starts by itself after enough allocations: 120-170 ms of CPU in one run out of three of a scenario edit, during
which no other session runs (measured in bench/README.md, "A scenario edit on the page"). `gc.freeze()` moves the
objects alive at that moment into a generation the collector no longer walks (Python's documentation of
`gc.freeze`); later full collections walk only what came after.

A frozen object that becomes garbage in a reference cycle is only freed when the heap is unfrozen and collected
again, so every new freeze first unfreezes and collects everything: what was kept stays bounded by one freeze.
"""

from __future__ import annotations

import gc
import sys
import threading

# Freeze again once the heap has grown by this fraction since the last freeze: a cache was filled (another
# boundary version, scheme or page) or sessions were added; a run that only reads the caches does not grow it.
REFREEZE_GROWTH = 0.10

_lock = threading.Lock()
_blocks_at_freeze = 0


def freeze_long_lived(growth: float = REFREEZE_GROWTH) -> bool:
    """After a script run: when the heap has grown by `growth` since the last freeze (or was never frozen),
    collect all garbage and freeze what is left. Returns whether it froze.

    Cheap when nothing grew (one counter read): called at the end of every run."""
    global _blocks_at_freeze
    if sys.getallocatedblocks() < _blocks_at_freeze * (1 + growth):
        return False
    with _lock:  # two sessions ending their runs at once: one freezes
        if sys.getallocatedblocks() < _blocks_at_freeze * (1 + growth):
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _blocks_at_freeze = sys.getallocatedblocks()
        return True


def forget_freeze() -> None:
    """Unfreeze the heap and start counting from nothing (tests, benchmarks of a cold start)."""
    global _blocks_at_freeze
    with _lock:
        gc.unfreeze()
        _blocks_at_freeze = 0
