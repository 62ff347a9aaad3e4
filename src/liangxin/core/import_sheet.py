"""A sheet type and how its rows run through it: `SheetImporter` (an app's ``imports.py``
lists its subclasses in ``IMPORTERS``) reads its rows in chunks, parses them, keeps the valid
ones in file order and writes (or stages) each chunk. `ImportContext` is what every sheet of one
import shares; `importers()` finds the sheet types of the installed apps."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps

from liangxin.core.import_report import Problem, SheetReport
from liangxin.core.import_rows import ParseMemo, RowReader, RowReaders
from liangxin.core.models import ImportBatch
from liangxin.core.tabular import DataRow, HeaderMatch, SheetSpec


@dataclass
class ImportContext:
    actor: Any
    filename: str
    source: str = "page"  # page | command | api
    dry_run: bool = False
    strict: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # sheet-type specific (e.g. period)
    batch: ImportBatch | None = None
    progress: Callable[[int], None] | None = None  # called with the rows read so far
    rows_read: int = 0
    rows_total: int | None = None  # about how many: a CSV's lines, or a workbook's measured sheets


class SheetImporter:
    """One sheet type. Subclasses set ``spec`` and implement ``parse`` and ``write``."""

    spec: ClassVar[SheetSpec]
    order: ClassVar[int] = 100  # lower first: organizations before what refers to them
    chunk_size: ClassVar[int] = 2000
    # True: `run` (read, validate, `write` each chunk to a staging area) happens before the
    # write transaction and `apply` merges inside it; False: `run` happens inside it.
    staged: ClassVar[bool] = False
    # A staged importer whose merge decides more than the staging shows (the combined 摸排表:
    # party organizations, instructors): a preview runs the merge too, then rolls it back.
    preview_in_transaction: ClassVar[bool] = False
    # The upload page: its import template (URL name, kwargs) and, where the signature alone
    # does not tell the sheet apart, how it is recognized.
    template: ClassVar[tuple[str, dict[str, str]] | None] = None
    recognized_by: ClassVar[str] = ""

    def __init__(self, ctx: ImportContext, match: HeaderMatch, report: SheetReport):
        self.ctx = ctx
        self.match = match
        self.report = report
        self.memo = ParseMemo()

    def start(self) -> None:
        """Load what parsing needs (lookup tables) once per sheet."""

    def parse(self, r: RowReader) -> Any:
        """Return a record for a valid row; report problems with ``r.problem``/``r.get``."""
        raise NotImplementedError

    def write(self, records: list[tuple[DataRow, Any]]) -> None:
        """Write a chunk (a staged importer: to its staging area); count into ``self.report``
        (created/updated/unchanged); a row that fails against the database goes to
        ``self.report.reject(row, problems)``."""
        raise NotImplementedError

    def finish(self) -> None:
        """After the last chunk."""

    def apply(self) -> None:
        """A staged importer: merge what was staged, inside the write transaction (``ctx.batch``
        is set). Raise ImportFailed to write nothing."""

    def discard(self) -> None:
        """A staged importer: drop its staging area (always called, after the transaction)."""

    def parse_chunk(self, readers: RowReaders) -> list[Any]:
        """Parse a chunk: one record (or None, with problems on the reader) per reader. Default:
        `parse` row by row; an importer that validates column by column overrides this (and,
        reading ``readers.columns``, makes a row's reader only to report on it)."""
        return [self.parse(reader) for reader in readers]

    def accept(self, readers: RowReaders, records: list[Any]) -> list[Any]:
        """After parsing: the records to write, each None with a problem on its reader for a
        row refused after all (e.g. a key repeated within the file; a row already refused,
        in ``readers.refused()``, is not looked at). Default: the records."""
        return records

    def prefilter(self, rows: list[DataRow]) -> list[DataRow]:
        """Drop rows known to need nothing (counting them), before they are read. Default: none."""
        return rows

    def run(self) -> None:
        self.start()
        for rows in self.match.data_chunks(self.chunk_size):
            readers = RowReaders(self.prefilter(rows), self.match, self.memo)
            self._finish_chunk(readers, self.parse_chunk(readers), len(rows))
        self.finish()

    def _finish_chunk(self, readers: RowReaders, records: list[Any], rows_read: int) -> None:
        records = self.accept(readers, records)
        chunk: list[tuple[DataRow, Any]] = []
        made = readers.made
        for i, (row, record) in enumerate(zip(readers.rows, records, strict=True)):
            reader = made.get(i)
            if reader is None:  # nothing to report on the row
                if record is not None:
                    chunk.append((row, record))
                    continue
                reader = readers[i]
            if reader.problems or record is None:
                self.report.reject(row, reader.problems or [Problem(row.number, "", "该行无法导入")])
                if reader.warnings:
                    self.report.warn(row, reader.warnings, imported=False)
            else:
                chunk.append((row, record))
                if reader.warnings:
                    self.report.warn(row, reader.warnings)
        if chunk:
            self.write(chunk)
        self._progress(rows_read)

    def _progress(self, rows: int) -> None:
        self.ctx.rows_read += rows
        if self.ctx.progress is not None:
            self.ctx.progress(self.ctx.rows_read)


def importers() -> list[type[SheetImporter]]:
    """Every sheet type of the installed apps, in processing order."""
    found: list[type[SheetImporter]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("liangxin."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.imports")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.imports":
                raise
            continue
        found.extend(module.IMPORTERS)
    return sorted(found, key=lambda cls: cls.order)
