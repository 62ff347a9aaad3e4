"""Hand-built .xlsx files a spreadsheet program would never write: a cell at XFD1048576, a
declared dimension that lies, ten million cells. Written with zipfile, streaming, so that the
test builds them in seconds without holding them in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_xlsx(
    path: Path, rows_xml: Iterable[str], *, dimension: str | None = None, sheet: str = "两新组织"
) -> Path:
    """An .xlsx with one sheet whose <sheetData> is ``rows_xml`` (strings of <row> elements)."""
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} {_R_NS}>'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            out.write((head + "<sheetData>").encode())
            for chunk in rows_xml:
                out.write(chunk.encode())
            out.write(b"</sheetData></worksheet>")
    return path


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def one_far_cell(path: Path, ref: str = "XFD1048576", *, dimension: str | None = None) -> Path:
    """The 1.6 KB file of issue 11: a header in A1 and one cell far away."""
    row = "".join(c for c in ref if c.isdigit())
    header = cell("A1", "统一社会信用代码") + cell("B1", "组织名称")
    rows = [f'<row r="1">{header}</row>', f'<row r="{row}">{cell(ref, "x")}</row>']
    return write_xlsx(path, rows, dimension=dimension)


def dense(path: Path, rows: int, columns: int, *, dimension: bool = False) -> Path:
    """``rows`` × ``columns`` numeric cells, every one with its reference (as Excel writes)."""
    letters = [column_letters(c) for c in range(1, columns + 1)]
    template = "".join(f'<c r="{col}%(n)d"><v>1</v></c>' for col in letters)

    def chunks():
        batch = []
        for n in range(1, rows + 1):
            batch.append(f'<row r="{n}">' + template % {"n": n} + "</row>")
            if len(batch) == 1000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    return write_xlsx(path, chunks(), dimension=f"A1:{letters[-1]}{rows}" if dimension else None)
