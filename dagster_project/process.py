"""What a finished run does to leave its process quickly."""

import gc


def skip_final_garbage_collection() -> None:
    """Leave every object alive now out of the interpreter's garbage collections from here on.

    A run's process ends holding millions of objects (Dagster's definitions and event records,
    dagster-dbt's manifest, Great Expectations' registry), and at exit CPython walks all of them
    in full collections while it tears the modules down: 1.7 s after a run of the sample book,
    ~2.5 s after a daily run of the large benchmark book. Frozen objects are skipped by those
    walks; they are still freed by reference counting as modules are cleared, and the operating
    system takes back the rest. Call it once the run's work is done (``gc.freeze`` is meant for
    exactly this: objects that live until the process ends).
    """
    gc.freeze()
