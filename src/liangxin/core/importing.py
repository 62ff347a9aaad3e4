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

Read in this order: this module (one file's run and its write transaction), `import_sheet` (a
sheet type, its chunks of rows), `import_rows` (one row's cells, parsed per column),
`import_report` (what the user is told), `import_db` (the lock and the database session), and
`core.bulk` (staging tables and plain bulk SQL). The names the apps use are re-exported here.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from liangxin.core import audit, effects
from liangxin.core.import_db import ImportBusy, bulk_session, one_import_at_a_time
from liangxin.core.import_report import (
    MAX_KEPT_REJECTED_ROWS,
    NOT_IMPORTED,
    ImportFailed,
    ImportReport,
    Problem,
    SheetReport,
)
from liangxin.core.import_rows import ParseMemo, RowReader
from liangxin.core.import_sheet import ImportContext, SheetImporter, importers
from liangxin.core.middleware import is_busy
from liangxin.core.models import ImportBatch
from liangxin.core.tabular import (
    FileRejected,
    HeaderMatch,
    check_and_read,
    find_header,
    header_not_found_message,
)

__all__ = [  # what the apps' importers, the jobs, the command and the tests use
    "MAX_KEPT_REJECTED_ROWS",
    "NOT_IMPORTED",
    "ImportContext",
    "ImportFailed",
    "ImportReport",
    "ParseMemo",
    "Problem",
    "RowReader",
    "SheetImporter",
    "SheetReport",
    "importers",
    "one_import_at_a_time",
    "run_import",
]


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
    ctx.rows_total = ctx.rows_total or workbook.rows_estimate
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
    sha256 = _sha256(source)  # before the transaction: nobody waits while a large file is hashed
    try:
        with transaction.atomic():
            is_user = getattr(ctx.actor, "is_authenticated", False)
            ctx.batch = ImportBatch.objects.create(
                actor=ctx.actor if is_user else None,
                actor_name=ctx.actor.get_username() if is_user else "",
                filename=ctx.filename[:255],
                sha256=sha256,
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
