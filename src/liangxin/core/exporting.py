"""Writing tables out: .xlsx through XlsxWriter (constant memory) and .csv, both with
formula-injection escaping, and the rejected-rows workbook of an import."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written as text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """The inverse of `safe_cell`, so an exported file re-imports to the same values."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def write_xlsx(
    target: Any,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
    *,
    widths: dict[int, int] | None = None,
) -> None:
    """Write sheets of (name, headers, rows) to a path or binary stream. Rows are streamed."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.freeze_panes(1, 0)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(header), bold)
            sheet.set_column(col, col, (widths or {}).get(col, max(10, min(40, len(str(header)) * 2 + 4))))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_string(r, c, "是" if value else "否")
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(
                        r, c, datetime.datetime(value.year, value.month, value.day), date_format
                    )
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(safe_cell(str(value))))
    workbook.close()


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """CSV text line by line (UTF-8 with BOM so Excel opens it right), for streaming responses."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                "" if v is None else ("是" if v is True else "否" if v is False else safe_cell(str(v)))
                for v in row
            ]
        )
        yield buffer.getvalue()


def write_rejected_rows(target: Any, report) -> bool:
    """The rows an import rejected, as they were, with an 错误原因 column (one sheet
    "<name>-错误"), and the rows it imported with warnings, with a 警告 column (one sheet
    "<name>-警告"). False when there is neither."""
    sheets = []

    def reasons(problems) -> str:
        return "；".join(f"“{p.column}”：{p.message}" if p.column else p.message for p in problems)

    for sheet in report.sheets:
        for suffix, kept, title in (
            ("错误", sheet.rejected_rows, "错误原因"),
            ("警告", getattr(sheet, "warned_rows", []), "警告"),
        ):
            if not kept:
                continue
            width = max([len(sheet.headers)] + [len(cells) for _, cells, _ in kept])
            headers = ["原行号", *sheet.headers, *[""] * (width - len(sheet.headers)), title]
            rows = (
                [number, *cells, *[None] * (width - len(cells)), reasons(problems)]
                for number, cells, problems in kept
            )
            sheets.append((f"{sheet.sheet}-{suffix}", headers, rows))
    if not sheets:
        return False
    write_xlsx(target, sheets)
    return True


def write_import_template(target: Any, title: str, spec, notes: dict[str, str]) -> None:
    """A blank import sheet (the spec's headers, named `title`) and its 填表说明 sheet: each
    column, whether it is required, the variants the importer accepts, and the rules."""
    rows = [
        [c.label, "必填" if c.required else "选填", "、".join(c.synonyms), notes.get(c.key, "")]
        for c in spec.columns
    ]
    write_xlsx(
        target,
        [
            (title[:31], [c.label for c in spec.columns], []),
            ("填表说明", ["列名", "是否必填", "也可写作", "填写要求"], rows),
        ],
        widths={0: 18, 1: 10, 2: 36, 3: 80},
    )
