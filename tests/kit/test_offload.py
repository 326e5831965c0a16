"""``kit.offload``: work runs in a spawned process at a lower CPU priority (or in a
thread with no processes), a closed pool (or one whose process died: 503) starts anew
on the next run; long lists are freed a chunk at a time; the collector's pauses nest."""

from __future__ import annotations

import gc
import os

import pytest

from webwork.kit.errors import Unavailable
from webwork.kit.offload import CHUNK, NICENESS, CollectorPause, Offload, emptied


async def test_work_runs_in_a_process_at_a_lower_priority() -> None:
    here = os.nice(0)
    offload = Offload(1)
    try:
        assert await offload.run(os.nice, 0) == min(here + NICENESS, 19)
        offload.close()
        assert offload.executor is None
        assert await offload.run(os.nice, 0) == min(here + NICENESS, 19)
    finally:
        offload.close()


async def test_a_process_that_dies_is_a_503_and_the_next_run_starts_anew() -> None:
    offload = Offload(1)
    try:
        with pytest.raises(Unavailable) as refused:
            await offload.run(os._exit, 3)
        assert refused.value.status_code == 503 and refused.value.headers == {"Retry-After": "5"}
        assert offload.executor is None
        assert await offload.run(os.nice, 0) == min(os.nice(0) + NICENESS, 19)
    finally:
        offload.close()


async def test_without_processes_work_runs_in_a_thread() -> None:
    offload = Offload(0)
    assert await offload.run(os.nice, 0) == os.nice(0)
    assert offload.executor is None


def test_emptied_frees_every_item() -> None:
    items = list(range(CHUNK * 3 + 1))
    emptied(items)
    assert items == []


def test_the_collector_pauses_until_the_last_block_ends() -> None:
    pause = CollectorPause()
    assert gc.isenabled()
    try:
        with pause.paused():
            with pause.paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with pause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
