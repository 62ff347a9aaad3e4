"""Header row detection, header-to-column matching and row classification.

Typical use::

    match = find_header(sheet.rows, [ORG_SPEC, PARTY_ORG_SPEC])
    if match is None:
        raise ... header_not_found_message([ORG_SPEC, PARTY_ORG_SPEC])
    if match.missing_required: ...
    for row in match.data_rows():          # blank / 合计 / 说明 / repeated header rows skipped
        values = match.pick(row.cells)     # {key: raw cell}
        ... f"第 {row.number} 行“{match.headers['name']}”列：..."

Supported header layouts: one header row anywhere in the first ``scan_rows`` rows (title rows,
blank rows and notes above it are skipped), or two header rows where the top row has merged
cells (read as the value in the first cell, the others empty) over sub-headers in the next
row. For a two-row header each column is matched by, in order: top + sub text ("负责人电话"),
the sub text alone ("电话"), the top text alone (a top cell merged vertically over both rows).
The two-row reading is used only when it matches more columns than either row alone (so a
title row right above a one-row header is not taken for a merged top row).
Headers of three or more rows are not supported (only the two lowest rows would count).
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, count, islice
from typing import Any, NamedTuple

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_WHITESPACE = re.compile(r"\s+")
_TRAILING_UNIT = re.compile(r"^(.+?)[(\[【〔{<]([^()\[\]【】〔〕{}<>]*)[)\]】〕}>]$")
_MARKS = "*:"
_SERIAL_HEADERS = frozenset({"序号", "序", "no", "no.", "编号序号", "行号"})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def normalize_header(text: Any, *, strip_unit: bool = True) -> str:
    """Canonical form of a header for matching: NFKC (full → half width), all whitespace
    removed, leading/trailing '*' and ':' marks removed, latin lower-cased, and (unless
    ``strip_unit=False``) a trailing bracketed unit like （人）/(万元)/【必填】 removed."""
    s = unicodedata.normalize("NFKC", _cell_text(text)).translate(_INVISIBLE)
    s = _WHITESPACE.sub("", s).lower()
    s = s.strip(_MARKS)
    if strip_unit:
        while (m := _TRAILING_UNIT.match(s)) and m.group(1).strip(_MARKS):
            s = m.group(1).strip(_MARKS)
    return s


@dataclass(frozen=True)
class Column:
    """One importable column: ``key`` for code, ``label`` the template header, plus synonyms."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


@dataclass
class SheetSpec:
    """A kind of sheet. ``signature``: keys that must all be found to recognize the header row
    (defaults to the required columns)."""

    type: str
    label: str
    columns: list[Column]
    signature: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.lookups()  # validates that no header text is given for two keys
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in spec {self.type!r}")
        if not self.signature:
            self.signature = tuple(c.key for c in self.columns if c.required)
        if not self.signature:
            raise ValueError(f"spec {self.type!r} needs a signature or required columns")
        unknown = set(self.signature) - set(keys)
        if unknown:
            raise ValueError(f"signature keys not among columns of {self.type!r}: {sorted(unknown)}")

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def lookups(self) -> tuple[dict[str, str], dict[str, str]]:
        """(exact, unit-stripped) normalized text → key. Exact wins, so "人数（预备）" can map to
        another key than "人数"."""
        exact: dict[str, str] = {}
        plain: list[tuple[str, str]] = []
        bracketed: list[tuple[str, str]] = []
        for col in self.columns:
            for text in (col.label, *col.synonyms):
                full, short = normalize_header(text, strip_unit=False), normalize_header(text)
                if exact.setdefault(full, col.key) != col.key:
                    raise ValueError(f"header {text!r} given for both {exact[full]!r} and {col.key!r}")
                (plain if full == short else bracketed).append((short, col.key))
        loose: dict[str, str] = {}
        for short, key in plain + bracketed:  # "人数" beats "人数（预备）" stripped to "人数"
            loose.setdefault(short, key)
        return exact, loose


class DataRow(NamedTuple):
    """A row after the header: ``number`` is the 1-based spreadsheet row number."""

    number: int
    cells: list[Any]


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class HeaderMatch:
    spec: SheetSpec
    header_index: int  # 0-based index of the (top) header row in the rows given
    header_height: int  # 1, or 2 for a merged two-row header
    columns: dict[str, int]  # key -> 0-based column index
    headers: dict[str, str]  # key -> header text as written, minus line breaks (two rows: "负责人/电话")
    unknown: list[tuple[int, str]]  # (column index, text) of headers not in the spec
    duplicates: list[tuple[int, str, str]]  # (column index, text, key) already taken by a column on the left
    rows: Iterator[DataRow]  # every row after the header, raw
    header_cells: list[list[Any]] = field(default_factory=list)
    first_row_number: int = 1
    # The rows above the header (a title such as “2022年全市基层党建重点任务清单”, notes, blanks).
    title_rows: list[list[Any]] = field(default_factory=list)

    @functools.cached_property
    def fingerprint_salt(self) -> str:
        """The column mapping as text, mixed into row digests (see `RowReader.fingerprint`)."""
        return repr(sorted(self.columns.items()))

    @property
    def header_row_number(self) -> int:
        """1-based spreadsheet row number of the last header row."""
        return self.first_row_number + self.header_index + self.header_height - 1

    @property
    def title_text(self) -> str:
        """The text of the rows above the header, filled cells joined by spaces."""
        return " ".join(_cell_text(c).strip() for row in self.title_rows for c in row if not _is_blank(c))

    @property
    def missing(self) -> list[Column]:
        return [c for c in self.spec.columns if c.key not in self.columns]

    @property
    def missing_required(self) -> list[Column]:
        return [c for c in self.missing if c.required]

    def pick(self, cells: Sequence[Any]) -> dict[str, Any]:
        """{key: raw cell} for the matched columns (None where the row is too short)."""
        return {key: cells[i] if i < len(cells) else None for key, i in self.columns.items()}

    def column_ref(self, key: str) -> str:
        """Column letter of a matched key, e.g. 'C'."""
        return column_letter(self.columns[key])

    def data_rows(self) -> Iterator[DataRow]:
        """Rows after the header without blank, 合计/总计/小计, notes and repeated-header rows,
        nor a 栏次 numbering row (1 2 3 … / 甲 乙 …) right under the header. After a notes
        row (填表说明/注：…) following rows with a single filled cell count as notes too."""
        return filter(_DataRowRules(self.header_cells).keep, self.rows)

    def data_chunks(self, size: int) -> Iterator[list[DataRow]]:
        """`data_rows` in lists of `size` rows (the last one shorter). The rows are read a batch
        at a time: a batch of plain data rows (`_DataRowRules.all_plain`, nearly every batch of
        a large file) is taken whole, any other goes through the rules row by row."""
        rules = _DataRowRules(self.header_cells)
        chunk: list[DataRow] = []
        while batch := list(islice(self.rows, size - len(chunk))):
            chunk += batch if rules.all_plain(batch) else filter(rules.keep, batch)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


class _DataRowRules:
    """`HeaderMatch.data_rows`' rules over one pass of the rows (they remember what came before:
    the first row, a notes row)."""

    def __init__(self, header_cells: list[list[Any]]):
        self.header_texts = _header_texts(header_cells)
        self.ascii_first = _ascii_first(self.header_texts)
        self.first = True  # a 栏次 numbering row can only be the first one
        self.in_notes = False

    def keep(self, row: DataRow) -> bool:
        """Whether `row`, the next row, is a data row."""
        kind = _classify(row.cells, self.header_texts, self.ascii_first)
        if kind == "blank":
            return False
        if kind == "note":
            self.in_notes = True
            return False
        if kind is not None:
            self.first = False
            return False
        if self.in_notes and sum(not _is_blank(c) for c in row.cells) == 1:
            return False
        self.in_notes = False
        if self.first and _is_column_number_row([c for c in row.cells if not _is_blank(c)]):
            self.first = False
            return False
        self.first = False
        return True

    def all_plain(self, rows: list[DataRow]) -> bool:
        """Whether `keep` would keep every one of `rows`, the next rows, told for all of them at
        once (and if so, noted as `keep` would): after the first row, each row's first cell is
        ASCII text under a header that is not and its first two cells start plainly (neither
        empty nor a 合计/说明 marker) — `_classify`'s fast path. False means: ask `keep`."""
        if self.first or self.ascii_first:
            return False
        try:  # each cell after a NUL, so each cell's start is checked
            firsts = "\x00" + "\x00".join([row.cells[0] for row in rows])
            seconds = "\x00" + "\x00".join([row.cells[1] for row in rows])
        except (IndexError, TypeError):  # a short row, an empty or non-text cell
            return False
        if firsts.isascii() and not _UNPLAIN_FIRST.search(firsts) and not _UNPLAIN_START.search(seconds):
            self.in_notes = False
            return True
        return False


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    stripped = value.strip()
    if stripped and ord(stripped[0]) not in _INVISIBLE:
        return False  # fast path: most cells
    return not normalize_header(stripped, strip_unit=False)


_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计)")
_NOTE = re.compile(
    r"^(填表说明|填报说明|附注|填表人|填报人|制表人|审核人|(说明|注\d*|注意|备注|填报日期|制表日期|填表日期)(:|$))"
)
_MARKER_STARTS = frozenset("合总小共累填附制审说注备*＊")  # first characters _TOTAL/_NOTE can match
_STEMS = "甲乙丙丁戊己庚辛壬癸"
# A text cell after a NUL (see `_DataRowRules.all_plain`) that `_plain_start` refuses: empty, or
# starting with whitespace (re's \s is str.isspace), an invisible character or a marker.
_UNPLAIN_START = re.compile(
    "\x00(?:\\Z|[\x00\\s" + re.escape("".join(sorted(_MARKER_STARTS)) + "".join(map(chr, _INVISIBLE))) + "])"
)
_UNPLAIN_FIRST = re.compile(r"\x00(?:\Z|[\x00\s*])")  # the same for ASCII text (* is the ASCII marker)


def _header_texts(header: Sequence[Sequence[Any]] | Sequence[Any] | None) -> list[list[str]]:
    if not header:
        return []
    rows = header if isinstance(header[0], list | tuple) else [header]
    return [[normalize_header(c) for c in row] for row in rows]


def classify_row(
    cells: Sequence[Any], *, header: Sequence[Sequence[Any]] | Sequence[Any] | None = None
) -> str | None:
    """'blank', 'total' (合计/总计/小计 in the first two filled cells), 'note' (填表说明, 说明：,
    注：, 填表人 …), 'header' (repeats the header: every filled cell equals the header cell
    above it), or None for an ordinary row. ``header``: one header row or a list of rows."""
    return _classify(cells, _header_texts(header))


def _plain_start(cell: Any) -> bool:
    """True when a cell is filled and cannot begin a 合计/说明 marker."""
    if type(cell) is not str:
        return cell is not None
    return (
        bool(cell)
        and cell[0] not in _MARKER_STARTS
        and not cell[0].isspace()
        and ord(cell[0]) not in _INVISIBLE
    )


def _ascii_first(header_texts: list[list[str]]) -> bool:
    """Whether a header row's first cell could equal plain ASCII text."""
    return any(texts and texts[0].isascii() for texts in header_texts)


def _classify(
    cells: Sequence[Any], header_texts: list[list[str]], ascii_first: bool | None = None
) -> str | None:
    if len(cells) >= 2 and _plain_start(cells[0]) and _plain_start(cells[1]):
        # Fast path, most rows: the first two cells are filled and neither starts a marker, so
        # the row can only repeat the header — impossible when its first cell is a number or
        # plain ASCII text under a Chinese header (a code, a serial number).
        first = cells[0]
        if ascii_first is None:
            ascii_first = _ascii_first(header_texts)
        if type(first) is not str or (first.isascii() and not ascii_first):
            return None
    filled = [(i, c) for i, c in enumerate(cells) if not _is_blank(c)]
    if not filled:
        return "blank"
    for n, (_, cell) in enumerate(filled[:2]):
        if not isinstance(cell, str) or cell.lstrip()[0] not in _MARKER_STARTS:
            continue
        text = normalize_header(cell, strip_unit=False)
        if _TOTAL.match(text) and len(normalize_header(text)) <= 6:
            return "total"
        if n == 0 and _NOTE.match(text):
            return "note"
    first_index, first = filled[0]
    if not header_texts or not isinstance(first, str):
        return None  # header cells are text; skipping numbers keeps big imports fast
    first_text = normalize_header(first)
    for texts in header_texts:
        if (
            first_index < len(texts)
            and first_text == texts[first_index]
            and len(filled) >= min(2, len([t for t in texts if t]))
            and all(i < len(texts) and texts[i] and normalize_header(c) == texts[i] for i, c in filled)
        ):
            return "header"
    return None


def is_skippable_row(cells: Sequence[Any], *, header: Sequence[Any] | None = None) -> bool:
    """True for blank, 合计/总计/小计, note/说明 and repeated-header rows (see classify_row)."""
    return classify_row(cells, header=header) is not None


def _is_column_number_row(filled: list[Any]) -> bool:
    if len(filled) < 3:
        return False
    texts = [normalize_header(c) for c in filled]
    digits = [t for t in texts if t not in _STEMS]
    stems = texts[: len(texts) - len(digits)]
    if stems != list(_STEMS[: len(stems)]) or texts[len(stems) :] != digits:
        return False
    return digits == [str(n) for n in range(1, len(digits) + 1)]


@dataclass
class _Candidate:
    spec: SheetSpec
    columns: dict[str, int]
    headers: dict[str, str]
    unknown: list[tuple[int, str]]
    duplicates: list[tuple[int, str, str]]

    @property
    def complete(self) -> bool:
        return all(key in self.columns for key in self.spec.signature)


def _match(spec: SheetSpec, lookups: tuple[dict, dict], labels: list[list[str]]) -> _Candidate:
    """labels[j]: candidate texts for column j, best first; the first one is shown to users."""
    exact, loose = lookups
    cand = _Candidate(spec, {}, {}, [], [])
    for j, texts in enumerate(labels):
        if not texts:
            continue
        key = None
        for text in texts:
            key = exact.get(normalize_header(text, strip_unit=False)) or loose.get(normalize_header(text))
            if key:
                break
        if key is None:
            if normalize_header(texts[-1]) not in _SERIAL_HEADERS:
                cand.unknown.append((j, texts[0]))
        elif key in cand.columns:
            cand.duplicates.append((j, texts[0], key))
        else:
            cand.columns[key] = j
            cand.headers[key] = texts[0]
    return cand


def _as_written(value: Any) -> str:
    """Header text for messages: as typed, minus line breaks (“从业人数\n（人）” → “从业人数（人）”)."""
    return re.sub(r"\s*[\r\n]+\s*", "", _cell_text(value)).strip()


def _single_labels(row: Sequence[Any]) -> list[list[str]]:
    return [[_as_written(c)] if not _is_blank(c) else [] for c in row]


def _double_labels(top: Sequence[Any], sub: Sequence[Any]) -> list[list[str]]:
    width = max(len(top), len(sub))
    labels: list[list[str]] = []
    parent = ""
    for j in range(width):
        t = top[j] if j < len(top) else None
        s = sub[j] if j < len(sub) else None
        t_text = "" if _is_blank(t) else _as_written(t)
        s_text = "" if _is_blank(s) else _as_written(s)
        if t_text:
            parent = t_text if s_text else ""  # a top cell over an empty sub cell is merged downwards
        elif not s_text:
            parent = ""  # a gap ends the merged area
        if s_text and parent:
            labels.append([f"{parent}/{s_text}", parent + s_text, s_text])
        elif s_text:
            labels.append([s_text])
        elif t_text:
            labels.append([t_text])
        else:
            labels.append([])
    return labels


def find_header(
    rows_iter: Iterable[Sequence[Any]],
    specs: Sequence[SheetSpec],
    *,
    scan_rows: int = 30,
    first_row_number: int = 1,
) -> HeaderMatch | None:
    """Find the first row among the first ``scan_rows`` that holds all signature columns of
    some spec (the spec matching most columns wins; ties: earlier spec). Returns None if none.

    Consumes the scanned rows from ``rows_iter``; ``HeaderMatch.rows`` yields every row after
    the header (buffered ones first, then the rest of the iterator) as ``DataRow`` with its
    spreadsheet row number (``first_row_number`` is the number of the first row given).
    """
    iterator = iter(rows_iter)
    buffer = [list(r) for r in islice(iterator, scan_rows)]
    prepared = [(spec, spec.lookups()) for spec in specs]
    for index, row in enumerate(buffer):
        if not any(not _is_blank(c) for c in row):
            continue
        best: tuple[int, _Candidate] | None = None
        below = buffer[index + 1] if index + 1 < len(buffer) else None
        for spec, lookups in prepared:
            height, cand = 1, _match(spec, lookups, _single_labels(row))
            if below is not None:
                # Two rows only when the pair beats each row alone (not a title row above a header).
                double = _match(spec, lookups, _double_labels(row, below))
                lower = _match(spec, lookups, _single_labels(below))
                if len(double.columns) > max(len(cand.columns), len(lower.columns)):
                    height, cand = 2, double
            if cand.complete and (best is None or len(cand.columns) > len(best[1].columns)):
                best = (height, cand)
        if best is None:
            continue
        height, cand = best
        header_cells = buffer[index : index + height]
        after = index + height

        return HeaderMatch(
            spec=cand.spec,
            header_index=index,
            header_height=height,
            columns=cand.columns,
            headers=cand.headers,
            unknown=cand.unknown,
            duplicates=cand.duplicates,
            rows=map(DataRow, count(first_row_number + after), map(list, chain(buffer[after:], iterator))),
            header_cells=header_cells,
            first_row_number=first_row_number,
            title_rows=buffer[:index],
        )
    return None


def header_not_found_message(specs: Sequence[SheetSpec], *, scan_rows: int = 30) -> str:
    """Chinese message for a sheet where find_header returned None."""
    parts = []
    for spec in specs:
        names = "、".join(f"“{spec.column(k).label}”" for k in spec.signature)
        parts.append(f"{spec.label}需要同时包含{names}")
    return (
        f"在前 {scan_rows} 行中没有找到表头行（{'；'.join(parts)}）。请使用导入模板，或检查表头名称是否正确"
    )
