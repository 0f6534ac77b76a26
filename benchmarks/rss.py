"""Peak resident memory of the whole process tree (this process and every descendant).

psutil is not a dependency of the project, so the sampler reads ``/proc`` directly: every
``interval`` seconds it finds the descendants of this process (by parent pid) and sums their
RSS. The sum counts pages shared between processes once per process, so it is an upper bound
of the memory the tree really needs. Where ``/proc`` does not exist (macOS), it falls back to
``getrusage``: the larger of this process's and its largest child's peak (a lower bound).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROC = Path("/proc")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process we can see."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # the command name (2nd field) may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def tree_pids(root: int) -> set[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_pids().items():
        children.setdefault(parent, []).append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 if it is gone)."""
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_bytes(root: int) -> int:
    return sum(rss_bytes(pid) for pid in tree_pids(root))


def rusage_peak_bytes() -> int:
    """Peak RSS of this process or its largest waited-for child, from getrusage."""
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * unit


class TreeRssSampler:
    """Samples the process tree's RSS in a background thread; keeps the overall and window peaks."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.method = "proc-tree-rss-sum" if PROC.is_dir() else "getrusage-max"
        self.peak = 0
        self.samples: list[tuple[float, int]] = []  # (epoch seconds, bytes): peaks per step later
        self._windows: list[dict[str, int]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def sample(self) -> int:
        """Take one sample now and update the peaks; returns the sample in bytes."""
        value = tree_rss_bytes(os.getpid()) if self.method == "proc-tree-rss-sum" else rusage_peak_bytes()
        with self._lock:
            self.samples.append((time.time(), value))
            self.peak = max(self.peak, value)
            for window in self._windows:
                window["peak"] = max(window["peak"], value)
        return value

    @contextmanager
    def window(self) -> Iterator[dict[str, int]]:
        """Measure the peak of a stretch of work: ``with sampler.window() as w: ...; w["peak"]``."""
        result = {"peak": 0}
        with self._lock:
            self._windows.append(result)
        self.sample()
        try:
            yield result
        finally:
            self.sample()
            with self._lock:
                self._windows.remove(result)

    def peak_between(self, start: float, end: float) -> int:
        """The highest sample taken between two epoch times (0 if none was)."""
        with self._lock:
            return max((value for moment, value in self.samples if start <= moment <= end), default=0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
