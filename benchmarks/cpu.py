"""CPU seconds we used, and how much other processes on the machine used meanwhile (noise).

Busy CPU time of the whole machine (``/proc/stat``) minus the CPU time of our children
(``getrusage``; children count once they have ended) over the same stretch: other users'
tests, builds or editors. On a 2-core machine a run of 60 s has 120 CPU-seconds; if others
took 30 of them the run was slowed. Our own CPU seconds do not depend on such noise much.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

PROC_STAT = Path("/proc/stat")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user nice system irq softirq steal (not idle, iowait)


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes have been busy since boot (None without /proc)."""
    try:
        fields = PROC_STAT.read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    return sum(int(fields[i]) for i in BUSY_FIELDS) / CLOCK_TICKS


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds over a stretch of time: ours (this process and its finished children) and
    everyone else's on the machine (None when the machine's total is unknown)."""

    ours: float
    foreign: float | None


@dataclass
class CpuMeter:
    """Measures our and other processes' CPU seconds between ``start`` and ``stop``."""

    machine_start: float | None = None
    ours_start: float = 0.0

    def start(self) -> CpuMeter:
        self.machine_start = machine_busy_seconds()
        self.ours_start = children_cpu_seconds() + own_cpu_seconds()
        return self

    def stop(self) -> CpuUse:
        machine_end = machine_busy_seconds()
        ours = children_cpu_seconds() + own_cpu_seconds() - self.ours_start
        if machine_end is None or self.machine_start is None:
            return CpuUse(ours, None)
        return CpuUse(ours, max(0.0, machine_end - self.machine_start - ours))
