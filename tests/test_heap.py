"""The server keeps its long-lived data out of the garbage collector's walks (ui.heap), and frees what it froze."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from tests.apptest import open_app
from ui import heap


@pytest.fixture(autouse=True)
def unfrozen():
    heap.forget_freeze()
    yield
    heap.forget_freeze()


class _Node:
    def __init__(self):
        self.other = None


def _grow(fraction: float) -> list:
    """Enough small live objects to grow the heap's allocated blocks by `fraction`."""
    return [[index] for index in range(int(sys.getallocatedblocks() * fraction) + 1)]


def test_first_call_freezes_and_a_run_without_growth_does_not():
    assert gc.get_freeze_count() == 0
    assert heap.freeze_long_lived()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the test process's modules, at least
    assert not heap.freeze_long_lived()
    assert gc.get_freeze_count() == frozen


def test_growth_freezes_again_and_keeps_the_new_objects_frozen():
    heap.freeze_long_lived()
    before = gc.get_freeze_count()
    grown = _grow(0.15)
    assert heap.freeze_long_lived(growth=0.10)
    assert gc.get_freeze_count() >= before + len(grown)


def test_a_cycle_frozen_while_alive_is_freed_by_the_next_freeze():
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a reference cycle: only the collector frees it
    alive = weakref.ref(first)
    heap.freeze_long_lived()
    del first, second
    gc.collect()
    assert alive() is not None, "a frozen cycle is not walked, so not freed"
    grown = _grow(0.15)
    assert heap.freeze_long_lived(growth=0.10)
    assert alive() is None
    del grown


def test_the_dashboard_freezes_after_its_first_run():
    open_app()
    assert gc.get_freeze_count() > 0
