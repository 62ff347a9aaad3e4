"""How far an import has got: rows read of about how many, the percentage and the time left —
one wording for the job page and for `liangxin import_data` in a terminal.

The total is an estimate made before reading: a CSV's lines (a cell holding a line break makes
it a little high, so the percentage stays under 100 until the end); for .xlsx and .ods, the rows
of every sheet down to its farthest cell, as the size check measures them before the reader
opens the file (`core.tabular.limits`; title rows and other sheets make it a little high too);
for .xls, the rows each sheet's DIMENSIONS record declares (`core.tabular.files._xls_rows`; a
file without them shows the rows read only). When the reading is over, the progress is `done`:
100 %, whatever the estimate said."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

_BLOCK = 1 << 20


def estimate_rows(source: Any, filename: str) -> int | None:
    """Data rows in a CSV file (its lines less the header), None for other files."""
    if PurePath(filename).suffix.lower() != ".csv" or not isinstance(source, str | os.PathLike):
        return None
    lines = 0
    last = b"\n"
    with open(source, "rb") as fh:
        while block := fh.read(_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"  # a last line without its line break
    return max(lines - 1, 0)


@dataclass
class Progress:
    rows: int = 0
    total: int | None = None  # estimated, see `estimate_rows`
    elapsed: float = 0.0  # seconds since the import started
    done: bool = False  # every row read: 100 %

    @property
    def percent(self) -> int | None:
        if self.done:
            return 100
        if not self.total:
            return None
        return min(99, self.rows * 100 // self.total) if self.rows < self.total else 99

    @property
    def seconds_left(self) -> int | None:
        if not self.total or self.rows < 1 or self.elapsed < 1:
            return None
        return max(1, round(self.elapsed * max(self.total - self.rows, 0) / self.rows))

    def text(self) -> str:
        if self.done:
            return f"已读完 {self.rows:,} 行（100%），用时 {_duration(max(1, round(self.elapsed)))}"
        if self.percent is None:
            return f"已处理 {self.rows:,} 行"
        text = f"已处理 {self.rows:,} / 约 {self.total:,} 行（{self.percent}%）"
        if (left := self.seconds_left) is not None:
            text += f"，预计还需 {_duration(left)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "total": self.total, "elapsed": round(self.elapsed, 1), "done": self.done}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        total = data.get("total")
        return cls(
            int(data["rows"]),
            int(total) if total else None,
            float(data.get("elapsed") or 0),
            bool(data.get("done")),
        )


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} 分 {seconds} 秒" if minutes < 10 and seconds else f"{minutes} 分钟"


def bar(progress: Progress, width: int = 30) -> str:
    """One terminal line: a bar when the total is known, then `Progress.text`."""
    if progress.percent is None:
        return progress.text()
    done = width * progress.percent // 100
    return f"[{'#' * done}{'.' * (width - done)}] {progress.text()}"
