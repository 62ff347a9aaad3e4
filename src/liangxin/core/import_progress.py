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
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeVar

T = TypeVar("T")

_BLOCK = 1 << 20
BYTES = "B"


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
    unit: str = "行"  # what is counted; BYTES: shown in MB
    about: bool = True  # the total is an estimate (“约”)

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

    def _amount(self, n: int, unit: bool = True) -> str:
        if self.unit == BYTES:
            return f"{n / 2**20:,.1f}" + (" MB" if unit else "")
        return f"{n:,}" + (f" {self.unit}" if unit else "")

    def text(self) -> str:
        if self.done:
            verb = "已读完" if self.about else "已完成"  # an import reads; an export or a backup writes
            return f"{verb} {self._amount(self.rows)}（100%），用时 {_duration(max(1, round(self.elapsed)))}"
        if self.percent is None:
            return f"已处理 {self._amount(self.rows)}"
        about = "约 " if self.about else ""
        text = (
            f"已处理 {self._amount(self.rows, False)} / {about}{self._amount(self.total)}（{self.percent}%）"
        )
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


class TerminalBar:
    """`import_data`'s bar for any long command: one line in a terminal, redrawn at most five
    times a second as work is done (``bar(done, total)``), ended full when the work is over or
    where it stopped on an error. Draws nothing when not `enabled` — output that is not a
    terminal, or ``--json`` (`for_command`). Use it as a context manager."""

    def __init__(
        self, out, *, enabled: bool, total: int | None = None, unit: str = "行", about: bool = False
    ):
        self.out, self.enabled, self.total, self.unit, self.about = out, enabled, total, unit, about
        self.done = 0
        self.started = time.monotonic()
        self._shown = 0.0
        self._drawn = False

    @classmethod
    def for_command(cls, command, opts: dict | None = None, **kwargs) -> TerminalBar:
        enabled = command.stdout.isatty() and not (opts or {}).get("json")
        return cls(command.stdout, enabled=enabled, **kwargs)

    def progress(self, done: bool = False) -> Progress:
        elapsed = time.monotonic() - self.started
        return Progress(self.done, self.total, elapsed, done, unit=self.unit, about=self.about)

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if self.enabled and now - self._shown >= 0.2:
            self._shown = now
            self._draw(self.progress())

    def counting(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, the bar moving by one with each (an export's rows)."""
        for n, item in enumerate(items, start=1):
            yield item
            self(n)

    def _draw(self, progress: Progress, end: str = "") -> None:
        self.out.write("\r" + bar(progress), ending=end)
        self.out.flush()
        self._drawn = True

    def finish(self) -> None:
        """The work is over: the bar full, its line ended."""
        if self.enabled and (self._drawn or self.done or self.total):
            if not self.about:  # an exact total: all of it is done (an estimate: what was counted)
                self.done = max(self.done, self.total or 0)
            self._draw(self.progress(done=True), end="\n")
            self.enabled = False

    def stop(self) -> None:
        """The work stopped: end the bar's line where it is, so a message starts on its own."""
        if self.enabled and self._drawn:
            self.out.write("")
        self.enabled = False

    def __enter__(self) -> TerminalBar:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.stop() if exc_type else self.finish()
