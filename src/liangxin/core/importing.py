"""The import pipeline every sheet type shares (pretix-style: declared columns, validate each
row with row and column numbers, write valid rows in bulk, all or nothing per file).

An app contributes sheet types in its ``imports.py``: ``IMPORTERS = [SomeImporter, ...]``, each
a `SheetImporter` subclass with a `SheetSpec` (recognized by its header row), a ``parse``
(one row → a record, or problems) and a ``write`` (a chunk of records → the database).

`run_import` reads the file safely (`core.tabular.files`), recognizes each sheet by its header
row and streams its rows through the importer in chunks. Memory stays flat: rows are streamed,
and only rejected rows are kept (for the error workbook). How a sheet is written:

* A **staged** importer (``staged = True``, the organizations) reads, validates and works out
  its changes before any write transaction, keeping them in TEMP tables (`core.bulk.Staging`),
  then ``apply`` merges them with one statement per table inside the file's one short write
  transaction. Nobody waits while a large file is read; a dry run (the preview) or a strict run
  with rejected rows never opens the transaction at all, and reports exactly what a real run
  would do.
* Any other importer writes each chunk inside that transaction (small sheets: party
  organizations, instructors, tasks, reports), so it sees what the sheets before it wrote.

The transaction is rolled back for a dry run and, with ``strict``, when any row was rejected.
Two imports never overlap: the second waits for the first (`one_import_at_a_time`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction

from liangxin.core import audit, effects
from liangxin.core.exporting import unescape_cell
from liangxin.core.import_db import ImportBusy, bulk_session, one_import_at_a_time
from liangxin.core.middleware import is_busy
from liangxin.core.models import ImportBatch
from liangxin.core.tabular import (
    DataRow,
    FileRejected,
    HeaderMatch,
    SheetSpec,
    ValueProblem,
    check_and_read,
    column_letter,
    find_header,
    header_not_found_message,
    is_empty,
)

MAX_KEPT_REJECTED_ROWS = 50_000
NOT_IMPORTED = "（该项未导入，其余内容照常导入）"  # the end of a warning about one field's value


class ImportFailed(Exception):
    """The file as a whole cannot be imported; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class SheetReport:
    sheet: str
    type: str
    label: str
    header_row: int = 0
    headers: list[str] = field(default_factory=list)  # the header row as written, for the error workbook
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Problem] = field(default_factory=list)
    rejected_rows: list[tuple[int, list[Any], list[Problem]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Warnings (domain.md §8): the row was imported, a field that decides nothing left empty;
    # or, with row = the header row, a column that was not understood.
    warnings: list[Problem] = field(default_factory=list)
    warned_rows: list[tuple[int, list[Any], list[Problem]]] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header as written, field read)

    @classmethod
    def start(cls, spec: SheetSpec, match: HeaderMatch, sheet: str) -> SheetReport:
        """The report of a recognized sheet: how each column was read, and a sheet-level
        warning for each header that was not understood (no column is ignored in silence)."""
        report = cls(
            sheet=sheet,
            type=spec.type,
            label=spec.label,
            header_row=match.header_row_number,
            headers=[str(c) if c is not None else "" for c in match.header_cells[-1]],
        )
        read = {i: (match.headers[key], spec.column(key).label) for key, i in match.columns.items()}
        ignored = {i: (text, "（未识别，已忽略）") for i, text in match.unknown}
        ignored |= {
            i: (text, f"（与“{match.headers[key]}”重复，已忽略）") for i, text, key in match.duplicates
        }
        report.columns = [(read | ignored)[i] for i in sorted(read | ignored)]
        for i, text in match.unknown:
            report.warnings.append(
                Problem(
                    match.header_row_number,
                    text,
                    f"列“{text}”未识别，未导入（第 {column_letter(i)} 列不是{spec.label}的列；"
                    "如需导入，请按导入模板修改表头）",
                )
            )
        for i, text, key in match.duplicates:
            report.warnings.append(
                Problem(
                    match.header_row_number,
                    text,
                    f"第 {column_letter(i)} 列“{text}”与左边的“{match.headers[key]}”是同一列，"
                    "只导入左边那一列",
                )
            )
        if report.warnings:  # the header row, with its warnings, leads the error workbook
            report.warned_rows.append(
                (match.header_row_number, list(match.header_cells[-1]), report.warnings[:])
            )
        return report

    def reject(self, row: DataRow, problems: list[Problem]) -> None:
        self.rejected += 1
        self.errors.extend(problems)
        if len(self.rejected_rows) < MAX_KEPT_REJECTED_ROWS:
            self.rejected_rows.append((row.number, row.cells, problems))

    def warn(self, row: DataRow, warnings: list[Problem], *, imported: bool = True) -> None:
        """Record a row's warnings; an imported row is kept for the error workbook."""
        self.warnings.extend(warnings)
        if imported and len(self.warned_rows) < MAX_KEPT_REJECTED_ROWS:
            self.warned_rows.append((row.number, row.cells, warnings))

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "type": self.type,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    strict: bool
    sheets: list[SheetReport] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    committed: bool = False
    batch_id: int | None = None

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sheets)

    @property
    def changed(self) -> int:
        return sum(s.created + s.updated for s in self.sheets)

    def as_dict(self) -> dict[str, Any]:
        return {"sheets": [s.as_dict() for s in self.sheets]}

    def summary(self, max_errors: int = 200) -> dict[str, Any]:
        """What the pages show: counts, labels and the first problems of each sheet (JSON-safe)."""
        return {
            "filename": self.filename,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "rejected": self.rejected,
            "changed": self.changed,
            "skipped_sheets": self.skipped_sheets,
            "sheets": [
                {
                    **{k: v for k, v in s.as_dict().items() if k not in ("errors", "warnings")},
                    "label": s.label,
                    "header_row": s.header_row,
                    "error_count": len(s.errors),
                    "errors": [e.as_dict() for e in s.errors[:max_errors]],
                    "warning_count": len(s.warnings),
                    "warnings": [w.as_dict() for w in s.warnings[:max_errors]],
                    "columns": [{"header": h, "field": f} for h, f in s.columns],
                }
                for s in self.sheets
            ],
        }


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


class ParseMemo:
    """Remembers each column's parsed values within one sheet. A file repeats the same regions,
    industries, statuses, dates and counts on row after row; parsing each distinct value once
    makes validation cheap. A column whose values are nearly all distinct (codes, names,
    addresses) stops being remembered once it passes `limit` entries."""

    def __init__(self, limit: int = 20_000):
        self.limit = limit
        self.tables: dict[str, dict] = {}
        self.off: set[str] = set()


_CELLS = operator.attrgetter("_cells")


class RowReader:
    """Reads one row's cells by column key, collecting problems with row number and header."""

    __slots__ = ("_cells", "_columns", "match", "memo", "problems", "row", "warnings")

    def __init__(self, row: DataRow, match: HeaderMatch, memo: ParseMemo | None = None):
        self.row = row
        self.match = match
        self.memo = memo
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._columns = match.columns
        self._cells = row.cells

    def header(self, key: str) -> str:
        return self.match.headers.get(key) or self.match.spec.column(key).label

    def raw(self, key: str) -> Any:
        i = self._columns.get(key)
        if i is None or i >= len(self._cells):
            return None
        value = self._cells[i]
        return unescape_cell(value) if type(value) is str and value[:1] == "'" else value

    def fingerprint(self) -> int:
        """A stable 64-bit digest of the row's cells by column: equal rows, equal digests."""
        # The row as written, with the sheet's column mapping: the same cells under other
        # headers are another row.
        try:  # a row of text and empty cells (CSV)
            text = self.match.fingerprint_salt + "\x1f".join(
                [c if c is not None else "" for c in self._cells]
            )
        except TypeError:
            text = f"{self.match.fingerprint_salt}{self._cells!r}"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    @staticmethod
    def column(readers: list[RowReader], key: str) -> list[Any]:
        """One column's cells (as `raw` gives them) for a list of readers of the same sheet."""
        if not readers:
            return []
        i = readers[0]._columns.get(key)
        if i is None:
            return [None] * len(readers)
        try:
            out = list(map(operator.itemgetter(i), map(_CELLS, readers)))
        except IndexError:  # short rows
            out = [r._cells[i] if i < len(r._cells) else None for r in readers]
        try:
            escaped = "\x00'" in "\x00" + "\x00".join(out)  # a text-only column: one scan
        except TypeError:
            escaped = any(v.__class__ is str and v[:1] == "'" for v in out)
        if escaped:
            out = [unescape_cell(v) for v in out]
        return out

    def has(self, key: str) -> bool:
        return key in self.match.columns

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.row.number, self.header(key) if key else "", message))

    def warn(self, key: str | None, message: str) -> None:
        """A warning: the row is imported (domain.md §8), the user is told what was not."""
        self.warnings.append(Problem(self.row.number, self.header(key) if key else "", message))

    def get(
        self,
        key: str,
        parser: Callable[..., Any],
        *,
        required: bool = False,
        optional: bool = False,
        **kwargs,
    ) -> Any:
        """`parser(cell, **kwargs)` for the column, or None with a problem recorded. Parsers are
        pure functions of the cell and their arguments, so results are remembered per column.
        ``optional``: the field decides nothing, so a bad value is a warning and the field is
        left empty (domain.md §8)."""
        if optional:
            problems = len(self.problems)
            value = self.get(key, parser, required=required, **kwargs)
            if len(self.problems) > problems:
                for p in self.problems[problems:]:
                    self.warnings.append(Problem(p.row, p.column, f"{p.message}{NOT_IMPORTED}"))
                del self.problems[problems:]
            return value
        raw = self.raw(key)
        if is_empty(raw):
            if required:
                self.problem(key, f"“{self.header(key)}”不能为空，请填写")
            return None
        memo = self.memo
        if memo is None or key in memo.off:
            return self._parse(key, parser, raw, kwargs)
        table = memo.tables.setdefault(key, {})
        try:
            cache_key = (raw, parser, *kwargs.items()) if kwargs else (raw, parser)
            hit = table[cache_key]
        except KeyError:
            hit = self._parse_or_problem(parser, raw, kwargs)
            table[cache_key] = hit
            if len(table) > memo.limit:
                memo.off.add(key)
                del memo.tables[key]
        except TypeError:  # an unhashable cell or argument
            return self._parse(key, parser, raw, kwargs)
        if isinstance(hit, ValueProblem):
            self.problem(key, hit.message)
            return None
        return hit

    @staticmethod
    def _parse_or_problem(parser, raw, kwargs):
        try:
            return parser(raw, **kwargs)
        except ValueProblem as exc:
            return exc

    def _parse(self, key, parser, raw, kwargs):
        try:
            return parser(raw, **kwargs)
        except ValueProblem as exc:
            self.problem(key, exc.message)
            return None


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

    def parse_chunk(self, readers: list[RowReader]) -> list[Any]:
        """Parse a chunk: one record (or None, with problems on the reader) per reader. Default:
        `parse` row by row; an importer that validates column by column overrides this."""
        return [self.parse(reader) for reader in readers]

    def accept(self, reader: RowReader, record: Any) -> Any:
        """After parsing, in file order: the record to write, or None with a problem on the
        reader (e.g. a key repeated within the file). Default: the record."""
        return record

    def prefilter(self, readers: list[RowReader]) -> list[RowReader]:
        """Drop rows known to need nothing (counting them). Default: none."""
        return readers

    def run(self) -> None:
        self.start()
        for rows in self._chunks():
            readers = self.prefilter([RowReader(row, self.match, self.memo) for row in rows])
            self._finish_chunk(readers, self.parse_chunk(readers), len(rows))
        self.finish()

    def _chunks(self) -> Iterator[list[DataRow]]:
        pending: list[DataRow] = []
        for row in self.match.data_rows():
            pending.append(row)
            if len(pending) >= self.chunk_size:
                yield pending
                pending = []
        if pending:
            yield pending

    def _finish_chunk(self, readers: list[RowReader], records: list[Any], rows_read: int) -> None:
        chunk: list[tuple[DataRow, Any]] = []
        for reader, record in zip(readers, records, strict=True):
            if not reader.problems and record is not None:
                record = self.accept(reader, record)
            if reader.problems or record is None:
                self.report.reject(
                    reader.row, reader.problems or [Problem(reader.row.number, "", "该行无法导入")]
                )
                if reader.warnings:
                    self.report.warn(reader.row, reader.warnings, imported=False)
            else:
                chunk.append((reader.row, record))
                if reader.warnings:
                    self.report.warn(reader.row, reader.warnings)
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


class _Rollback(Exception):
    pass


def _sha256(source: Any) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
    elif hasattr(source, "read"):
        source.seek(0)
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
        source.seek(0)
    else:
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def run_import(source: Any, ctx: ImportContext, *, only: Iterable[str] | None = None) -> ImportReport:
    """Import a file (a path, bytes or binary file object). Raises ImportFailed (Chinese message)
    when the file cannot be read, no sheet is recognized or another import is still running."""
    classes = [c for c in importers() if only is None or c.spec.type in set(only)]
    specs = [c.spec for c in classes]
    max_bytes = settings.LIANGXIN_UPLOAD_MAX_MB * 1024 * 1024
    try:
        workbook = check_and_read(source, ctx.filename, max_bytes=max_bytes)
    except FileRejected as exc:
        raise ImportFailed(exc.message) from None
    report = ImportReport(filename=ctx.filename, dry_run=ctx.dry_run, strict=ctx.strict)
    lock = contextlib.nullcontext() if ctx.dry_run else _one_at_a_time()
    with workbook, bulk_session(), lock:
        sheets: list[SheetImporter] = []
        try:
            for sheet in workbook.sheets:
                match = find_header(sheet.rows, specs)
                if match is None:
                    report.skipped_sheets.append(sheet.name)
                    continue
                cls = next(c for c in classes if c.spec is match.spec)
                sheets.append(cls(ctx, match, _sheet_report(cls, match, sheet.name)))
        except FileRejected as exc:
            raise ImportFailed(exc.message) from None
        if not sheets:
            raise ImportFailed(header_not_found_message(specs))
        sheets.sort(key=lambda s: s.order)
        report.sheets = [s.report for s in sheets]
        sheets = [s for s in sheets if not s.report.errors]  # a required column is missing
        try:
            for sheet in sheets:
                if sheet.staged:
                    _run(sheet)  # read, validate and stage: no write lock yet
            if any(not s.staged or s.preview_in_transaction for s in sheets) or not (
                ctx.dry_run or (ctx.strict and report.rejected)
            ):
                try:
                    _write(source, ctx, report, sheets)
                except DatabaseError as exc:
                    if not is_busy(exc):
                        raise
                    raise ImportFailed(DATABASE_BUSY) from None
        finally:
            for sheet in sheets:
                if sheet.staged:
                    sheet.discard()
    return report


DATABASE_BUSY = "系统繁忙，请稍后重试：数据库一直被其他操作占用，本次导入未写入任何数据"


@contextlib.contextmanager
def _one_at_a_time():
    try:
        with one_import_at_a_time():
            yield
    except ImportBusy as exc:
        raise ImportFailed(str(exc)) from None


def _sheet_report(cls: type[SheetImporter], match: HeaderMatch, name: str) -> SheetReport:
    report = SheetReport.start(cls.spec, match, name)
    for column in match.missing_required:
        report.errors.append(
            Problem(
                match.header_row_number, column.label, f"缺少必填列“{column.label}”，请按导入模板补上该列"
            )
        )
    return report


def _run(sheet: SheetImporter) -> None:
    try:
        sheet.run()
    except FileRejected as exc:
        raise ImportFailed(exc.message) from None


def _write(source: Any, ctx: ImportContext, report: ImportReport, sheets: list[SheetImporter]) -> None:
    """The file's one write transaction: the batch, each sheet merged (staged) or written, the
    summary and its audit record — or all rolled back (dry run; strict with a rejected row)."""
    try:
        with transaction.atomic():
            is_user = getattr(ctx.actor, "is_authenticated", False)
            ctx.batch = ImportBatch.objects.create(
                actor=ctx.actor if is_user else None,
                actor_name=ctx.actor.get_username() if is_user else "",
                filename=ctx.filename[:255],
                sha256=_sha256(source),
                source=ctx.source,
            )
            for sheet in sheets:
                if sheet.staged:
                    sheet.apply()
                else:
                    _run(sheet)
            if ctx.dry_run or (ctx.strict and report.rejected):
                raise _Rollback
            summary = report.as_dict() | {"rejected": report.rejected}
            summary["sheets"] = [
                {k: v for k, v in s.items() if k not in ("errors", "warnings")} for s in summary["sheets"]
            ]
            ctx.batch.summary = summary
            ctx.batch.save(update_fields=["summary"])
            effects.figures_changed()  # after commit: the cockpit warm-up
            audit.record(
                "core.import.completed",
                actor=ctx.actor,
                obj=ctx.batch,
                source=ctx.source,
                source_detail=ctx.filename,
                after=ctx.batch.summary,
            )
            report.committed = True
            report.batch_id = ctx.batch.pk
    except _Rollback:
        pass
