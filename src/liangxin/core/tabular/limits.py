"""How big a sheet may be, checked before the sheet is read.

The spreadsheet reader (calamine) holds a whole sheet in memory as a dense grid from A1 to the
farthest cell, and reserves room for the declared ``<dimension>`` first: a 1.6 KB .xlsx whose
only cell is at XFD1048576 asks for 550 GB and aborts the process. So for .xlsx every sheet's
XML is scanned as a stream (never loaded) for its declared dimension and for the farthest cell it
really holds, and a sheet over the limits is refused with a Chinese message naming the sheet and
the cell. .ods sheets are measured the same way from content.xml (`check_ods`: repeated rows and
cells counted, LibreOffice's trailing empty repeats not). .xls (at most 65,536 × 256 by format)
sheets, and .ods sheets again, are checked as soon as the reader has them, before any row is
read; CSV is read as a stream and only its width is capped.

Limits (settings / environment): ``LIANGXIN_IMPORT_MAX_ROWS`` (1,048,576),
``LIANGXIN_IMPORT_MAX_COLUMNS`` (200) and ``LIANGXIN_IMPORT_MAX_CELLS`` (4,000,000: rows × columns
from A1 to the farthest cell; measured at about 100 bytes a cell while reading, so a sheet stays
near 400 MB — the 200,000-row × 18-column workbook of ``bench/`` is 3.6 million cells).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

MAX_ROWS = 1_048_576
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000
MAX_CSV_FIELDS = 16_384  # Excel's own width: a line with more fields is not a table
_MAX_META_BYTES = 5 * 1024 * 1024  # workbook.xml and its relationships are small
_CHUNK = 1 << 20
_MAX_TAG_BYTES = 8 * _CHUNK
MSG_HUGE_TAG = "文件中有异常庞大的单元格或标记，疑似恶意构造的文件，已拒绝"


@dataclass(frozen=True)
class SheetLimits:
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS

    @classmethod
    def from_settings(cls) -> SheetLimits:
        """The configured limits (Django settings when configured, else the defaults)."""
        try:
            from django.conf import settings

            if not settings.configured:
                return cls()
            return cls(
                rows=settings.LIANGXIN_IMPORT_MAX_ROWS,
                columns=settings.LIANGXIN_IMPORT_MAX_COLUMNS,
                cells=settings.LIANGXIN_IMPORT_MAX_CELLS,
            )
        except ImportError:  # pragma: no cover - the toolkit works without Django
            return cls()

    def problem(self, sheet: str, rows: int, columns: int, what: str) -> str | None:
        """A Chinese sentence when a sheet of ``rows`` × ``columns`` (from A1) is over a limit.
        ``what`` names where the size comes from (the farthest cell, the declared range)."""
        if rows <= self.rows and columns <= self.columns and rows * columns <= self.cells:
            return None
        if rows > self.rows:
            reason = f"{rows:,} 行，超过上限 {self.rows:,} 行"
        elif columns > self.columns:
            reason = f"{columns:,} 列，超过上限 {self.columns:,} 列"
        else:
            reason = f"{rows:,} 行 × {columns:,} 列 = {rows * columns:,} 个单元格，超过上限 {self.cells:,} 个"
        return (
            f"工作表“{sheet}”{what}，范围达到 {reason}。"
            "请删除数据区以外多余的行、列（选中后“删除”，而不是清除内容）后另存，或把数据拆成几个文件分批上传"
        )


class SheetTooLarge(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def column_number(letters: str) -> int:
    """'A' → 1, 'XFD' → 16384."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,8})$")


def _ref_position(ref: str) -> tuple[int, int] | None:
    """(row, column) of 'B12', None if not a cell reference."""
    m = _REF.match(ref.strip())
    return (int(m.group(2)), column_number(m.group(1).upper())) if m else None


# ---------------------------------------------------------------------------- xlsx

_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_DIMENSION = re.compile(_PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_TOKEN = re.compile(_PREFIX + rb"(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"\br\s*=\s*[\"']([^\"']*)[\"']")


def _blocks(zf: zipfile.ZipFile, name: str):
    """The entry's bytes in pieces that never split a tag (each ends before a '<')."""
    tail = b""
    with zf.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                if len(data) > _MAX_TAG_BYTES:  # a cell holds at most 32,767 characters
                    raise SheetTooLarge(MSG_HUGE_TAG)
                tail = data
                continue
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


class _Extent:
    """The declared dimension and the farthest cell seen so far of one sheet; `check` raises as
    soon as either is over the limits, so a huge sheet is refused without being scanned whole."""

    def __init__(self, sheet: str, limits: SheetLimits):
        self.sheet, self.limits = sheet, limits
        self.rows = self.columns = 0
        self.dimension_checked = False

    def check_dimension(self, block: bytes) -> None:
        self.dimension_checked = True
        if not (m := _DIMENSION.search(block)):
            return
        dimension = m.group(1).decode("ascii", "replace")
        end = _ref_position(dimension.split(":")[-1])
        if end and (message := self.limits.problem(self.sheet, *end, f"声明的数据区域为 {dimension}")):
            raise SheetTooLarge(message)

    def check(self) -> None:
        farthest = f"最远的单元格在 {column_letters(self.columns)}{self.rows}"
        if message := self.limits.problem(self.sheet, self.rows, self.columns, farthest):
            raise SheetTooLarge(message)


def _scan_fast(zf: zipfile.ZipFile, part: str, extent: _Extent) -> bool:
    """Every cell written ``<c r="B12" …>`` (Excel, WPS and every library write the reference
    first): found with byte counts and two literal-prefix expressions per megabyte. False when
    some cell is written otherwise (then `_scan_exact` reads it token by token)."""
    cell = b"<c"
    for block in _blocks(zf, part):
        if not extent.dimension_checked:
            if m := _ROOT.search(block):
                cell = b"<" + (m.group(1) or b"") + b"c"
            extent.check_dimension(block)
        total = block.count(cell + b" ") + block.count(cell + b">") + block.count(cell + b"/>")
        if block.count(cell + b' r="') != total:
            return False
        if total:
            rows = re.findall(re.escape(cell) + rb' r="[A-Z]{1,3}(\d{1,7})"', block)
            if len(rows) != total:
                return False
            letters = set(re.findall(re.escape(cell) + rb' r="([A-Z]{1,3})', block))
            extent.rows = max(extent.rows, *map(int, rows))
            extent.columns = max(extent.columns, *(column_number(c.decode()) for c in letters))
            extent.check()
    return True


def _scan_exact(zf: zipfile.ZipFile, part: str, extent: _Extent) -> None:
    """Cell by cell, following the format's rule for a cell or row without ``r``: the next
    column, the next row."""
    row = column = 0
    for block in _blocks(zf, part):
        if not extent.dimension_checked:
            extent.check_dimension(block)
        for m in _TOKEN.finditer(block):
            ref = _R_ATTR.search(m.group(2))
            if m.group(1) == b"row":
                row = int(ref.group(1)) if ref and ref.group(1).isdigit() else row + 1
                column = 0
            else:
                position = _ref_position(ref.group(1).decode("ascii", "replace")) if ref else None
                if position:
                    row, column = position
                else:
                    column += 1
                extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
        extent.check()


def _sheet_parts(zf: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part name) of each worksheet, from workbook.xml and its relationships;
    every xl/worksheets/*.xml part not named there is checked too, under its file name."""
    parts: list[tuple[str, str]] = []
    workbook, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    if workbook in names and rels in names:
        if max(zf.getinfo(workbook).file_size, zf.getinfo(rels).file_size) > _MAX_META_BYTES:
            raise SheetTooLarge("文件中的工作簿目录异常庞大，疑似恶意构造的文件，已拒绝")
        targets = {}
        for rel in ElementTree.fromstring(zf.read(rels)):
            target = rel.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id")] = posixpath.normpath(path)
        for sheet in ElementTree.fromstring(zf.read(workbook)).iter():
            if sheet.tag.rsplit("}", 1)[-1] != "sheet":
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            if targets.get(rid) in names:
                parts.append((sheet.get("name") or targets[rid], targets[rid]))
    seen = {part for _, part in parts}
    for part in sorted(names):
        if part.startswith("xl/worksheets/") and part.endswith(".xml") and part not in seen:
            parts.append((posixpath.basename(part), part))
    return parts


def check_xlsx(zf: zipfile.ZipFile, limits: SheetLimits) -> int:
    """Raise SheetTooLarge for the first sheet whose declared or real extent is over the limits.
    Returns the sheets' rows down to their farthest cells (the import's progress total)."""
    names = set(zf.namelist())
    try:
        parts = _sheet_parts(zf, names)
    except ElementTree.ParseError:
        return 0  # a damaged directory: the reader refuses the file as damaged
    rows = 0
    for sheet, part in parts:
        extent = _Extent(sheet, limits)
        if not _scan_fast(zf, part, extent):
            extent = _Extent(sheet, limits)
            _scan_exact(zf, part, extent)
        rows += extent.rows
    return rows


# ---------------------------------------------------------------------------- ods

# content.xml holds every sheet: <table:table table:name="…"> with rows and cells, each of which
# may say it repeats (table:number-rows-repeated / number-columns-repeated). LibreOffice ends
# every sheet with empty repeated rows and cells up to its own limits; those hold nothing and
# are not counted, but a filled cell after a repeat is as far away as the repeat says.
_ODS_TOKEN = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"'](\d{1,12})[\"']")
_ODS_NAME = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?name\s*=\s*[\"']([^\"']*)[\"']")
_ODS_FILLED = re.compile(rb"value-type\s*=")


def _repeat(attributes: bytes) -> int:
    m = _ODS_REPEAT.search(attributes)
    return int(m.group(1)) if m else 1


def check_ods(zf: zipfile.ZipFile, limits: SheetLimits) -> int:
    """Raise SheetTooLarge for the first .ods sheet whose farthest filled cell is over the limits,
    reading content.xml as a stream (the reader would expand the repeats in memory). Returns the
    sheets' rows down to their farthest filled cells (the import's progress total)."""
    total = 0
    extent: _Extent | None = None
    row = column = columns_here = 0  # rows before the current one; the column; the farthest filled
    repeat = 1
    for block in _blocks(zf, "content.xml"):
        for closing, tag, attributes, empty in _ODS_TOKEN.findall(block):
            if tag == b"table":
                if closing:
                    total += extent.rows if extent else 0
                    extent = None
                elif not empty:
                    name = _ODS_NAME.search(attributes)
                    sheet = name.group(1).decode("utf-8", "replace") if name else "Sheet"
                    extent, row = _Extent(sheet, limits), 0
            elif extent is None:
                continue
            elif tag == b"table-row":
                if closing:
                    if columns_here:  # the last of the repeated rows is as far down as it goes
                        extent.rows = row + repeat
                        extent.columns = max(extent.columns, columns_here)
                        extent.check()
                    row += repeat
                elif empty:
                    row += _repeat(attributes)
                else:
                    repeat, column, columns_here = _repeat(attributes), 0, 0
            elif not closing:  # a cell
                column += _repeat(attributes)
                if not empty or _ODS_FILLED.search(attributes):
                    columns_here = column
    return total


def check_loaded(sheet: str, height: int, width: int, limits: SheetLimits) -> None:
    """For .xls/.ods: the sheet the reader has just loaded, before its rows are converted."""
    if message := limits.problem(sheet, height, width, "的数据区域"):
        raise SheetTooLarge(message)
