"""What an import tells its user: each sheet's counts, the problems that refused a row and the
warnings of rows imported without a field (row, column and a Chinese message), and the rows kept
for the error workbook. `core.importing` fills these; pages, the command and the API show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liangxin.core.tabular import DataRow, HeaderMatch, SheetSpec, column_letter

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
