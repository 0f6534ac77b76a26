"""A finished run leaves its objects out of the exit's garbage collections, and only those."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a fresh interpreter: freezing this pytest process's heap would change every later test.
PROGRAM = textwrap.dedent(
    """
    import gc
    import sys

    from dagster_project.process import skip_final_garbage_collection

    class Node:
        def __init__(self):
            self.me = self  # a reference cycle: only the garbage collector can free it

    kept = [Node() for _ in range(50_000)]  # what a run leaves behind
    gc.collect()
    skip_final_garbage_collection()
    frozen = gc.get_freeze_count()

    # the run's heap is out of every collection from now on ...
    del kept
    freed_frozen = gc.collect()

    # ... while what the process does afterwards (e.g. printing the summary) is still collected
    later = [Node() for _ in range(1_000)]
    del later
    freed_new = gc.collect()
    print(frozen, freed_frozen, freed_new)
    sys.stdout.flush()
    """
)


def test_the_heap_of_a_finished_run_is_frozen_and_later_garbage_still_collected():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    frozen, freed_frozen, freed_new = map(int, done.stdout.split())
    assert frozen >= 50_000  # the Nodes (and whatever else was alive)
    assert freed_frozen == 0  # their cycles are not walked (nor freed) by a collection
    assert freed_new >= 1_000  # cycles made after the freeze are
