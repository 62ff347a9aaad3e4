"""Safe opening and streaming reading of uploaded spreadsheets (.xlsx .xls .ods .csv).

``check_and_read`` runs every check possible *before* parsing (extension, size, real type by
magic bytes, zip-bomb limits, encryption) and returns a ``Workbook`` whose ``Sheet.rows`` are
single-pass generators: row i (0-based) is spreadsheet row i + 1 and cell j is column j (0 = A),
leading empty rows/columns kept as None, so row numbers in messages match Excel. Cells: str,
int, float, bool, date, datetime, time, timedelta or None (CSV: str or None). CSV rows are
decoded and parsed lazily (a 1,000,000-row CSV is never held as Python objects); spreadsheet
sheets are parsed by calamine (Rust) one at a time, when first iterated, and converted row by row.

A bad *file* raises ``FileRejected`` (Chinese ``message``) — from ``check_and_read`` or, for
problems only found while parsing a sheet, while iterating ``Sheet.rows``.

The content decides the type, not the extension: zip (xlsx/ods) and OLE2 (xls) content is read
under any supported extension (misnamed .xls/.xlsx files are common); text is read as CSV only
under a .csv name; HTML, "XML 电子表格 2003", PDF, Word … are refused, naming what they are.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import python_calamine

from .limits import MAX_CSV_FIELDS, SheetLimits, SheetTooLarge, check_loaded, check_ods, check_xlsx

Cell = str | int | float | bool | datetime.date | datetime.time | datetime.timedelta | None
SUPPORTED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")

MSG_ENCRYPTED = "文件已加密（设置了打开密码），请取消密码后另存为 .xlsx 再上传"
MSG_CORRUPT = "文件已损坏或不完整，无法读取，请重新导出后上传"
MSG_BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝"
MSG_EMPTY = "文件是空的（0 字节），请检查后重新上传"
MSG_ENCODING = "无法识别文件的文字编码，请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 格式再上传"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_HEAD_BYTES = 8192
_CHUNK = 1 << 20  # multiple of 128, see _ole2_entries

_SAVE_AS = "请用 Excel 打开该文件，选择“另存为”→“Excel 工作簿 (*.xlsx)”后再上传"
_COPY = "请把表格内容复制到 Excel 中，另存为 .xlsx 后上传"
_UNZIP = "请解压后上传其中的表格文件"
# What a file "really is", for messages: kind -> (description, advice).
_WHAT: dict[str, tuple[str, str]] = {
    "html": ("网页（HTML）格式", "部分系统导出的“Excel”文件实际是网页，" + _SAVE_AS),
    "xml2003": ("“XML 电子表格 2003”格式", _SAVE_AS),
    "xml": ("XML 数据文件", "请上传 Excel 表格（.xlsx）或 CSV 文件"),
    "text": ("纯文本（可能是 CSV 文件）", "请将扩展名改为 .csv 后上传，或用 Excel 打开后另存为 .xlsx"),
    "pdf": ("PDF 文档", "PDF 无法导入，请上传 Excel 表格原件"),
    "image": ("图片", "图片无法导入，请上传 Excel 表格"),
    "rtf": ("RTF 文档", _COPY),
    "word": ("Word 文档", _COPY),
    "ppt": ("PowerPoint 演示文稿", _COPY),
    "odt": ("OpenDocument 文本文档", _COPY),
    "xlsb": ("Excel 二进制工作簿（.xlsb）", "暂不支持该格式，" + _SAVE_AS),
    "zip": ("压缩包（ZIP）", _UNZIP),
    "archive": ("压缩包", _UNZIP),
    "binary": ("无法识别的格式", "请确认上传的是 Excel 表格（.xlsx、.xls、.ods）或 CSV 文件"),
}


class FileRejected(Exception):
    """The uploaded file cannot be read; ``message`` is a Chinese sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """One sheet. ``rows`` is a single-pass iterator of ``list[Cell]``; row i is spreadsheet row i+1."""

    name: str
    rows: Iterator[list[Cell]]
    visible: bool = True


@dataclass
class Workbook:
    """The sheets of one file (CSV: one sheet named after the file stem). Close it when done."""

    filename: str
    kind: str  # "xlsx" | "xls" | "ods" | "csv"
    sheets: list[Sheet]
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    rows_estimate: int | None = (
        None  # the sheets' rows as measured (.xlsx/.ods) or declared (.xls) before reading
    )
    _closers: list[Any] = field(default_factory=list, repr=False)

    def close(self) -> None:
        closers, self._closers = self._closers, []
        for closer in closers:
            closer()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _fmt_mb(size: int, limit: int) -> list[str]:
    digits = next((d for d in (1, 2, 3) if f"{size / 2**20:.{d}f}" != f"{limit / 2**20:.{d}f}"), 3)
    return [f"{n / 2**20:.{digits}f}".rstrip("0").rstrip(".") for n in (size, limit)]


class _Source:
    """Path or in-memory bytes, with bounded reads for sniffing."""

    def __init__(self, obj: Any, max_bytes: int):
        self.path: str | None = None
        self.data: bytes | None = None
        if isinstance(obj, bytes | bytearray | memoryview):
            self.data = bytes(obj)
            self.size = len(self.data)
        elif isinstance(obj, str | os.PathLike):
            self.path = os.fspath(obj)
            self.size = os.stat(self.path).st_size
        elif hasattr(obj, "read"):
            if getattr(obj, "seekable", lambda: False)():
                self.size = obj.seek(0, io.SEEK_END)
                obj.seek(0)
                if self.size > max_bytes:
                    return
            self.data = obj.read(max_bytes + 1)
            self.size = max(len(self.data), getattr(self, "size", 0))
        else:
            raise TypeError(f"expected a path, bytes or a binary file object, got {type(obj).__name__}")

    def open(self) -> io.BufferedIOBase:
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.data)

    def head(self, n: int = _HEAD_BYTES) -> bytes:
        with self.open() as f:
            return f.read(n)

    def chunks(self) -> Iterator[bytes]:
        with self.open() as f:
            while chunk := f.read(_CHUNK):
                yield chunk


def check_and_read(
    path_or_bytes: Any,
    filename: str,
    *,
    max_bytes: int = 50 * 1024 * 1024,
    max_zip_entries: int = 10_000,
    max_uncompressed: int = 500 * 1024 * 1024,
    limits: SheetLimits | None = None,
) -> Workbook:
    """Check an upload and open it for streaming reading.

    ``path_or_bytes`` is a filesystem path, ``bytes`` or a binary file object (e.g. an uploaded
    file); ``filename`` is the user's file name, used for the extension and the CSV sheet name.
    Raises ``FileRejected`` for any problem with the file, including a sheet over ``limits``
    (rows, columns, cells: `limits.SheetLimits`, from the settings when not given).
    """
    limits = limits or SheetLimits.from_settings()
    ext = PurePath(filename).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = f"“{ext}”" if ext else "（文件没有扩展名）"
        raise FileRejected(f"不支持的文件类型{shown}，请上传 .xlsx、.xls、.ods 或 .csv 文件")
    source = _Source(path_or_bytes, max_bytes)
    if source.size > max_bytes:
        size_mb, limit_mb = _fmt_mb(source.size, max_bytes)
        raise FileRejected(f"文件大小为 {size_mb} MB，超过上限 {limit_mb} MB，请拆分后分批上传")
    if source.size == 0:
        raise FileRejected(MSG_EMPTY)
    head = source.head()
    if head.startswith(ZIP_MAGICS):
        kind, rows = _check_zip(source, max_zip_entries, max_uncompressed, limits)
        workbook = _open_calamine(source, filename, kind, limits)
        workbook.rows_estimate = rows or None
        return workbook
    if head.startswith(OLE2_MAGIC):
        entries = _ole2_entries(source.chunks())
        book = entries.get("Workbook") or entries.get("Book")
        if entries.keys() & _ENCRYPTED_STREAMS or (book and _xls_has_filepass(source, book)):
            raise FileRejected(MSG_ENCRYPTED)
        if not book and "WordDocument" in entries:
            raise _refused(ext, "word")
        if not book and "PowerPoint Document" in entries:
            raise _refused(ext, "ppt")
        workbook = _open_calamine(source, filename, "xls", limits)
        workbook.rows_estimate = _xls_rows(source, book) if book else None
        return workbook
    kind = sniff_content(head)
    if kind == "text" and ext == ".csv":
        return _open_csv(source, filename, limits)
    raise _refused(ext, kind)


def _refused(ext: str, kind: str) -> FileRejected:
    what, advice = _WHAT[kind]
    return FileRejected(f"文件扩展名为 {ext}，但内容实际是{what}。{advice}")


def sniff_content(head: bytes) -> str:
    """Classify non-zip, non-OLE2 content from its first bytes: 'text', 'html', 'xml2003', 'xml',
    'pdf', 'image', 'rtf', 'archive' or 'binary'."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "archive"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    elif b"\x00" in head:
        return "binary"
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n").lower()
    if text.startswith("mime-version:") or "<html" in text or text.startswith("<!doctype html"):
        return "html"  # also Excel "single file web page" (.mht)
    if text.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return "xml2003"
        return "html" if "<table" in text else "xml"
    return "text"


# ---------------------------------------------------------------------------- zip (xlsx / ods)


def _eocd_entry_count(source: _Source) -> int | None:
    """Total entries from the End Of Central Directory record, read without parsing the
    central directory (a 50 MB directory would be ~1M ZipInfo objects). None if not found."""
    with source.open() as f:
        f.seek(max(0, source.size - 65_557 - 20))
        tail = f.read()
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or len(tail) - pos < 22:
            return None
        count = struct.unpack("<H", tail[pos + 10 : pos + 12])[0]
        if count != 0xFFFF:
            return count
        locator = tail.rfind(b"PK\x06\x07", 0, pos)
        if locator < 0:
            return None
        offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        f.seek(offset)
        record = f.read(56)
        if not record.startswith(b"PK\x06\x06") or len(record) < 40:
            return None
        return struct.unpack("<Q", record[32:40])[0]


def _check_zip(
    source: _Source, max_entries: int, max_uncompressed: int, limits: SheetLimits
) -> tuple[str, int | None]:
    """The zip's kind ("xlsx" or "ods") and its sheets' rows as measured; FileRejected otherwise."""
    count = _eocd_entry_count(source)
    if count is None:
        raise FileRejected(MSG_CORRUPT)
    if count > max_entries:
        raise FileRejected(f"文件内部包含 {count} 个部件，超过上限 {max_entries} 个，疑似压缩炸弹，已拒绝")
    try:
        with source.open() as f, zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
            if len(infos) > max_entries:
                raise FileRejected(MSG_BOMB)
            if sum(info.file_size for info in infos) > max_uncompressed:
                raise FileRejected(MSG_BOMB)
            if any(info.flag_bits & 0x1 for info in infos):
                raise FileRejected(MSG_ENCRYPTED)
            names = {info.filename for info in infos}
            mimetype, rows = b"", None
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 256:
                mimetype = zf.read("mimetype")
            if "xl/workbook.xml" in names and "xl/workbook.bin" not in names:
                rows = check_xlsx(zf, limits)  # before the reader sees a sheet: it would allocate it whole
            elif b"spreadsheet" in mimetype and "content.xml" in names:
                rows = check_ods(zf, limits)  # the same for .ods: repeats would be expanded in memory
    except SheetTooLarge as exc:
        raise FileRejected(exc.message) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        raise FileRejected(MSG_CORRUPT) from exc
    if "xl/workbook.xml" in names or (
        "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
    ):
        if "xl/workbook.bin" in names:
            raise FileRejected(f"文件内容是{_WHAT['xlsb'][0]}。{_WHAT['xlsb'][1]}")
        return "xlsx", rows
    if b"spreadsheet" in mimetype:
        return "ods", rows
    markers = {"word": "word/document.xml" in names, "ppt": "ppt/presentation.xml" in names}
    markers["odt"] = b"opendocument.text" in mimetype
    what, advice = _WHAT[next((kind for kind, hit in markers.items() if hit), "zip")]
    raise FileRejected(f"文件内容实际是{what}，不是表格。{advice}")


# ---------------------------------------------------------------------------- OLE2 (xls)

_ENCRYPTED_STREAMS = {"EncryptionInfo", "EncryptedPackage"}
_OLE2_NAMES = (*_ENCRYPTED_STREAMS, "Workbook", "Book", "WordDocument", "PowerPoint Document")


def _ole2_entries(chunks: Iterator[bytes]) -> dict[str, bytes]:
    """Directory entries (128 bytes each) of a few well-known streams in an OLE2 compound file.

    Heuristic instead of a full FAT walk: directory entries are 128 bytes, start at offsets that
    are multiples of 128 (sectors are 512/4096 bytes after a 512-byte header), begin with the
    UTF-16LE name, and carry the name's byte length (incl. the terminator) at +64 and the object
    type (1 storage, 2 stream) at +66. A name found at an aligned offset with matching length
    and type is a directory entry; the same text inside cell data practically never is.
    Chunks must be multiples of 128 bytes long (the last may be shorter).
    """
    found: dict[str, bytes] = {}
    needles = [(name, name.encode("utf-16-le")) for name in _OLE2_NAMES]
    for chunk in chunks:
        for name, needle in needles:
            start = chunk.find(needle)
            while start >= 0 and name not in found:
                entry = chunk[start : start + 128]
                if (
                    start % 128 == 0
                    and len(entry) == 128
                    and struct.unpack("<H", entry[64:66])[0] == len(needle) + 2
                    and entry[66] in (1, 2)
                ):
                    found[name] = entry
                start = chunk.find(needle, start + 1)
    return found


def _xls_has_filepass(source: _Source, entry: bytes) -> bool:
    """Legacy .xls encryption: a FILEPASS record (0x002F) right after the first BOF record of
    the Workbook stream. Only checked when that stream is in regular sectors (>= 4096 bytes)."""
    start, size = struct.unpack("<IQ", entry[116:128])
    with source.open() as f:
        shift = struct.unpack("<H", f.read(32)[30:32])[0]
        if size < 4096 or not 7 <= shift <= 16:
            return False
        f.seek((start + 1) << shift)
        head = f.read(64)
    if len(head) < 8 or struct.unpack("<H", head[:2])[0] not in (0x0809, 0x0409, 0x0209, 0x0009):
        return False
    after_bof = 4 + struct.unpack("<H", head[2:4])[0]
    return head[after_bof : after_bof + 2] == b"\x2f\x00"


_OLE2_END = 0xFFFFFFFE  # end of a chain; larger ids are free / FAT / DIFAT sectors


class _Ole2Chain:
    """Random access to bytes laid out in a chain of sectors: a stream in the file's sectors,
    or a small stream in the mini stream's (which is itself such a chain)."""

    def __init__(
        self, read_sector: Callable[[int, int, int], bytes], chain: list[int], shift: int, size: int
    ):
        self.read_sector, self.chain, self.shift, self.size = read_sector, chain, shift, size

    def read(self, offset: int, n: int) -> bytes:
        """`n` bytes from `offset` (fewer at the end)."""
        n = max(0, min(n, self.size - offset))
        out = b""
        while len(out) < n:
            index, within = divmod(offset + len(out), 1 << self.shift)
            if index >= len(self.chain):
                raise ValueError("past the end of the chain")
            piece = self.read_sector(self.chain[index], within, (1 << self.shift) - within)
            if not piece:
                raise ValueError("short read")
            out += piece
        return out[:n]


def _ole2_stream(f: io.BufferedIOBase, entry: bytes) -> _Ole2Chain:
    """One stream of an OLE2 compound file (its directory `entry`), read through the FAT — or
    the mini FAT for a stream under the cutoff. Only the sectors asked for are read. Raises
    ValueError on a malformed file."""
    header = f.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    shift, mini_shift = struct.unpack("<HH", header[30:34])
    if not 7 <= shift <= 16 or mini_shift >= shift:
        raise ValueError("sector size")
    fat_count, first_dir = struct.unpack("<II", header[44:52])
    cutoff, first_minifat, minifat_count, first_difat, difat_count = struct.unpack("<5I", header[56:76])
    per_sector = (1 << shift) // 4

    def sector(n: int, within: int = 0, length: int = 1 << shift) -> bytes:
        f.seek(((n + 1) << shift) + within)
        return f.read(length)

    def ids(n: int) -> tuple[int, ...]:
        data = sector(n)
        if len(data) < 4 * per_sector:
            raise ValueError("short sector")
        return struct.unpack(f"<{per_sector}I", data)

    fat_sectors = [n for n in struct.unpack("<109I", header[76:512]) if n < _OLE2_END]
    n = first_difat
    for _ in range(difat_count):
        if n >= _OLE2_END:
            break
        more = ids(n)
        fat_sectors += [m for m in more[:-1] if m < _OLE2_END]
        n = more[-1]
    fat = [m for n in fat_sectors[:fat_count] for m in ids(n)]

    def chain(start: int, table: list[int]) -> list[int]:
        found: list[int] = []
        while start < _OLE2_END:
            if start >= len(table) or len(found) > len(table):
                raise ValueError("broken chain")
            found.append(start)
            start = table[start]
        return found

    start, size = struct.unpack("<IQ", entry[116:128])
    if size >= cutoff:
        return _Ole2Chain(sector, chain(start, fat), shift, size)
    directory = _Ole2Chain(sector, chain(first_dir, fat), shift, 1 << 40)
    root_start, root_size = struct.unpack("<IQ", directory.read(0, 128)[116:128])
    mini_stream = _Ole2Chain(sector, chain(root_start, fat), shift, root_size)
    minifat_chain = chain(first_minifat, fat)[:minifat_count]
    mini_fat = [m for n in minifat_chain for m in ids(n)]

    def mini_sector(n: int, within: int, length: int) -> bytes:
        return mini_stream.read((n << mini_shift) + within, length)

    return _Ole2Chain(mini_sector, chain(start, mini_fat), mini_shift, size)


_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
_BIFF_CELLS = {0x0006, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x0208, 0x027E}


def _biff_records(stream: _Ole2Chain, offset: int) -> Iterator[tuple[int, int, int]]:
    """(type, length, offset of the data) of the BIFF records from `offset` on."""
    while offset + 4 <= stream.size:
        kind, length = struct.unpack("<HH", stream.read(offset, 4))
        yield kind, length, offset + 4
        offset += 4 + length


def _xls_rows(source: _Source, entry: bytes) -> int | None:
    """The rows of an .xls's worksheets down to their last used row, from each sheet's
    DIMENSIONS record (written by Excel, WPS and LibreOffice before the cells), read without
    loading a sheet: the total of an import's progress. None when a sheet has no such record
    or the file is not as expected — an estimate never refuses a file."""
    try:
        with source.open() as f:
            stream = _ole2_stream(f, entry)
            offsets = []
            for kind, _length, at in _biff_records(stream, 0):
                if kind == _BIFF_BOUNDSHEET:
                    offset, _, sheet_type = struct.unpack("<IBB", stream.read(at, 6))
                    if sheet_type == 0:  # a worksheet (not a chart, macro or VB module)
                        offsets.append(offset)
                elif kind == _BIFF_EOF or (offsets and kind != _BIFF_BOUNDSHEET):
                    break  # the sheets are listed together, before the strings
            rows = 0
            for offset in offsets:
                for n, (kind, length, at) in enumerate(_biff_records(stream, offset)):
                    if kind == _BIFF_DIMENSIONS and length in (10, 14):  # BIFF5: 16-bit rows
                        data = stream.read(at, length)
                        rows += (
                            struct.unpack_from("<I", data, 4)[0]
                            if length == 14
                            else struct.unpack_from("<H", data, 2)[0]
                        )
                        break
                    if kind in _BIFF_CELLS or kind == _BIFF_EOF or n > 200 or (n and kind == _BIFF_BOF):
                        return None
                else:
                    return None
            return rows or None
    except (ValueError, struct.error, OSError):
        return None


# ---------------------------------------------------------------------------- calamine


def _rejection(exc: BaseException) -> FileRejected | None:
    """FileRejected for a calamine failure, None for exceptions to re-raise. pyo3 turns Rust
    panics into pyo3_runtime.PanicException, a BaseException subclass, hence the name test."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        return None
    encrypted = isinstance(exc, python_calamine.PasswordError) or "password" in str(exc).lower()
    return FileRejected(MSG_ENCRYPTED if encrypted else MSG_CORRUPT)


def _open_calamine(source: _Source, filename: str, kind: str, limits: SheetLimits) -> Workbook:
    try:
        with source.open() as f:
            book = python_calamine.CalamineWorkbook.from_filelike(f)
        metadata = book.sheets_metadata
    except BaseException as exc:
        if rejection := _rejection(exc):
            raise rejection from exc
        raise
    sheets = [
        Sheet(
            name=meta.name,
            rows=_calamine_rows(book, index, meta.name, limits),
            visible=meta.visible == python_calamine.SheetVisibleEnum.Visible,
        )
        for index, meta in enumerate(metadata)
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    closers = [sheet.rows.close for sheet in sheets]  # type: ignore[attr-defined]
    return Workbook(filename, kind, sheets, _closers=[*closers, book.close])


def _calamine_rows(book: Any, index: int, name: str, limits: SheetLimits) -> Iterator[list[Cell]]:
    """Rows of one sheet. python-calamine's iter_rows pads the empty rows above the used range
    but starts each row at the first used column, so the columns are padded here."""
    try:
        sheet = book.get_sheet_by_index(index)
        start = sheet.start
        if start is None:
            return
        check_loaded(name, sheet.end[0] + 1, sheet.end[1] + 1, limits)
        pad = [None] * start[1]
        for raw in sheet.iter_rows():
            yield pad + [None if value == "" else value for value in raw]
    except SheetTooLarge as exc:
        raise FileRejected(exc.message) from None
    except BaseException as exc:
        if rejection := _rejection(exc):
            raise rejection from exc
        raise


# ---------------------------------------------------------------------------- CSV


def _decodes(chunks: Iterator[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(source: _Source) -> str | None:
    """BOM first; else the whole file must decode as UTF-8, else as GB18030 (superset of GBK)."""
    head = source.head(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes(source.chunks(), encoding):
            return encoding
    return None


def sniff_delimiter(sample: str) -> str:
    """',', ';' or tab: csv.Sniffer on the first lines, else the most frequent, else ','."""
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        pass
    counts = {d: sum(line.count(d) for line in lines) for d in ",;\t"}
    best = max(counts, key=lambda d: counts[d])  # ties go to ',' (first)
    return best if counts[best] else ","


def _open_csv(source: _Source, filename: str, limits: SheetLimits) -> Workbook:
    encoding = _detect_encoding(source)
    if encoding is None:
        raise FileRejected(MSG_ENCODING)
    sample = source.head(65_536).decode(encoding, errors="ignore")
    if len(sample) > 1 and source.size > 65_536:
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = sniff_delimiter(sample)
    name = PurePath(filename).stem
    rows = _csv_rows(source, encoding, delimiter, name, limits)
    sheets = [Sheet(name=name, rows=rows)]
    return Workbook(filename, "csv", sheets, encoding=encoding, delimiter=delimiter, _closers=[rows.close])


def _csv_rows(
    source: _Source, encoding: str, delimiter: str, name: str, limits: SheetLimits
) -> Iterator[list[Cell]]:
    """Streamed: rows are never held, so only the width is capped (fields beyond the last
    non-empty one, which Excel writes for formatted columns, do not count)."""
    row_number = 0
    wide = min(limits.columns, MAX_CSV_FIELDS)  # a row longer than this is looked at closer
    with io.TextIOWrapper(source.open(), encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for row_number, row in enumerate(reader, 1):
                if len(row) <= wide:
                    yield [value or None for value in row]  # csv gives text: "" is an empty cell
                    continue
                width = len(row)
                if width > limits.columns:
                    while width and not row[width - 1]:
                        width -= 1
                if width > limits.columns or len(row) > MAX_CSV_FIELDS:
                    shown = max(width, len(row)) if len(row) > MAX_CSV_FIELDS else width
                    raise FileRejected(
                        f"文件“{name}”第 {row_number} 行有 {shown:,} 列，超过上限 {limits.columns:,} 列，"
                        "请删除多余的列后重新上传"
                    )
                yield [value or None for value in row]  # csv gives text: "" is an empty cell
        except csv.Error as exc:
            raise FileRejected(
                f"第 {row_number + 1} 行格式错误（内容过长或含有无法识别的字符），请检查该行后重新上传"
            ) from exc
        except UnicodeDecodeError as exc:
            raise FileRejected(MSG_ENCODING) from exc
