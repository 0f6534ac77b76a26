"""Rendered cohort heatmaps kept between runs, by content.

great_tables styles every cell through pandas: about 0.6 s per heatmap, 12 heatmaps, 8 s of every
run. A cohort table changes only when a month completes or revenue is restated, so a daily run
renders again only the heatmaps whose table changed. The key is the table's content, the
measure and table id, and the code and library version that render it: a change to any of them
renders again; a stale page is impossible, at worst a heatmap is rendered once more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pandas as pd

RENDERER_FILE = Path(__file__).with_name("render.py")


def _renderer_version() -> bytes:
    return RENDERER_FILE.read_bytes() + version("great_tables").encode()


class HeatmapCache:
    """A folder of rendered heatmaps (``<key>.html``); the ones a run did not use are removed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.rendered = 0  # heatmaps this run had to render (the others came from the folder)
        self._renderer = _renderer_version()

    def key(self, table: pd.DataFrame, *labels: str) -> str:
        digest = hashlib.sha256(self._renderer)
        for label in labels:
            digest.update(b"\0" + label.encode())
        digest.update(b"\0" + table.to_csv(index=False).encode())
        return digest.hexdigest()

    def get(self, table: pd.DataFrame, labels: tuple[str, ...], render: Callable[[], str]) -> str:
        """The heatmap of ``table`` from the folder, or ``render()`` (and kept)."""
        key = self.key(table, *labels)
        self.used.add(key)
        path = self.folder / f"{key}.html"
        if path.is_file():
            return path.read_text(encoding="utf-8")
        html = render()
        self.rendered += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(html, encoding="utf-8")
        partial.replace(path)
        return html

    def prune(self) -> None:
        """Forget the heatmaps this run did not show (the folder never grows)."""
        for path in self.folder.glob("*.html"):
            if path.stem not in self.used:
                path.unlink()
