"""Great Expectations imported in the background while the extracts load, once per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A fresh interpreter: this pytest process may have imported GX already.
PROGRAM = textwrap.dedent(
    """
    import sys

    import pandas as pd

    from dagster_project.checks import gx_runner

    assert "great_expectations" not in sys.modules
    gx_runner.import_gx_in_background()
    first = gx_runner._IMPORTING
    gx_runner.import_gx_in_background()  # a second raw load in the same run starts nothing new
    assert gx_runner._IMPORTING is first
    assert first.name == "import-great-expectations" and not first.daemon
    importing_while_main_goes_on = first.is_alive()

    # the first gate does not wait for the thread explicitly: its own import finds GX (or the
    # import lock) and validates as usual
    session = gx_runner.GxSession("run-1", None)
    ok = session.validate("frame", pd.DataFrame({"n": [1, 2]}), [gx_runner.between("n", 0, 5)])
    bad = session.validate("frame", pd.DataFrame({"n": [1, 9]}), [gx_runner.between("n", 0, 5)])
    first.join(timeout=60)
    print(importing_while_main_goes_on, ok.success, bad.success, first.is_alive())
    """
)

ALREADY_IMPORTED = textwrap.dedent(
    """
    import great_expectations
    from dagster_project.checks import gx_runner

    gx_runner.import_gx_in_background()
    print(gx_runner._IMPORTING)
    """
)


def test_gx_is_imported_on_one_background_thread_and_gates_validate_as_before():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    started, ok, bad, still_running = done.stdout.split()
    assert started == "True"  # the import runs beside the main thread (it takes seconds)
    assert (ok, bad) == ("True", "False")
    assert still_running == "False"  # the thread ends once GX is in


def test_nothing_is_started_when_gx_is_already_imported(tmp_path):
    # run from a file: GX imported by hand, outside gx_runner, probes pyspark (installed for
    # CS_ENGINE=spark), whose doctest guard ends a `python -c` process (see the test below)
    script = tmp_path / "already_imported.py"
    script.write_text(ALREADY_IMPORTED)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"


def test_a_python_c_process_survives_its_gx_import_with_pyspark_installed():
    """pyspark's doctest guard exits a process without a main file; gx_runner keeps pyspark out."""
    program = (
        "import sys\n"
        "from dagster_project.checks import gx_runner\n"
        "gx = gx_runner.import_great_expectations()\n"
        "print(gx.__name__, 'pyspark' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split()[:2] == ["great_expectations", "False"], done.stderr[-2000:]


def test_a_python_c_process_that_has_imported_pyspark_survives_its_gx_import():
    """A pytest-xdist worker has no main file either, and one that ran a Spark test holds pyspark:
    GX's probe must still not reach ``pyspark.sql.connect`` (CI stop 31 lost two tests to it)."""
    program = (
        "import sys\n"
        "import pandas as pd\n"
        "import pyspark.sql\n"
        "from dagster_project.checks import gx_runner\n"
        "gx = gx_runner.import_great_expectations()\n"
        "session = gx_runner.GxSession('run-1', None)\n"
        "frame = pd.DataFrame({'n': [1, 9]})\n"
        "bad = session.validate('frame', frame, [gx_runner.between('n', 0, 5)])\n"
        "print(gx.__name__, 'pyspark.sql.connect' in sys.modules, bad.success)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split()[:3] == ["great_expectations", "False", "False"], done.stderr[-2000:]
