"""One row of a sheet as an importer reads it: cells by column key, parsed values remembered per
column (`ParseMemo`), problems and warnings with the row number and the header as written.
A chunk's rows come as `RowReaders`, which makes a row's `RowReader` only when it is asked for:
an importer reading the chunk by columns makes one only for a row with something to report.
`fingerprint(s)`: a row's digest, stored as ``row_hash`` so an unchanged row is skipped."""

from __future__ import annotations

import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from liangxin.core.exporting import unescape_cell
from liangxin.core.import_report import NOT_IMPORTED, Problem
from liangxin.core.tabular import DataRow, HeaderMatch, ValueProblem, is_empty


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


def raw_cell(match: HeaderMatch, cells: list[Any], key: str) -> Any:
    """A row's cell under the column `key` (None when the column or the cell is missing)."""
    i = match.columns.get(key)
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    return unescape_cell(value) if type(value) is str and value[:1] == "'" else value


def fingerprint(match: HeaderMatch, cells: list[Any]) -> int:
    """A stable 64-bit digest of a row's cells by column: equal rows, equal digests."""
    return fingerprints(match, [cells])[0]


def fingerprints(match: HeaderMatch, rows: Iterable[list[Any]]) -> list[int]:
    """`fingerprint` of each row's cells: blake2b of the column mapping as text, then the row's
    text cells joined by \\x1f (None as empty), or its repr if a cell is not text. Stored as a
    row's ``row_hash``: any change here makes every row of the next import look changed."""
    # The row as written, with the sheet's column mapping: the same cells under other headers
    # are another row. The mapping is hashed once and the state copied for each row (the
    # digest of the mapping's bytes followed by the row's, as if hashed in one piece).
    salted = hashlib.blake2b(match.fingerprint_salt.encode(), digest_size=8)
    from_bytes = int.from_bytes
    out = []
    for cells in rows:
        digest = salted.copy()
        try:  # a row of text and empty cells (CSV)
            digest.update("\x1f".join([c if c is not None else "" for c in cells]).encode())
        except TypeError:
            digest.update(repr(cells).encode())
        out.append(from_bytes(digest.digest(), "big", signed=True))
    return out


def _columns(match: HeaderMatch, rows: list[list[Any]], keys: list[str]) -> dict[str, list[Any]]:
    """{key: the column's cells (as `raw_cell` gives them)} of rows of cells."""
    if not rows:
        return {key: [] for key in keys}
    table = list(itertools.zip_longest(*rows))
    out = {}
    for key in keys:
        i = match.columns.get(key)
        cells = list(table[i]) if i is not None and i < len(table) else [None] * len(rows)
        try:  # a text-only column (empty cells aside): one scan
            escaped = "\x00'" in "\x00" + "\x00".join(filter(None, cells))
        except TypeError:
            escaped = any(v.__class__ is str and v[:1] == "'" for v in cells)
        out[key] = [unescape_cell(v) for v in cells] if escaped else cells
    return out


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
        return raw_cell(self.match, self._cells, key)

    def fingerprint(self) -> int:
        return fingerprint(self.match, self._cells)

    @staticmethod
    def column(readers: list[RowReader], key: str) -> list[Any]:
        """One column's cells (as `raw` gives them) for a list of readers of the same sheet."""
        return RowReader.columns(readers, [key])[key]

    @staticmethod
    def columns(readers: list[RowReader], keys: list[str]) -> dict[str, list[Any]]:
        """{key: the column's cells (as `raw` gives them)} for a list of readers of the same
        sheet: the rows turned into columns at once (a short row's missing cells are None)."""
        if not readers:
            return {key: [] for key in keys}
        return _columns(readers[0].match, list(map(_CELLS, readers)), keys)

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


class RowReaders:
    """A chunk's rows as `RowReader`s, each made when it is first asked for (`readers[i]`, or
    iterating): an importer that reads the chunk by columns (`columns`) makes readers only for
    the rows it has problems or warnings for. ``made``: {index: reader} of those made so far;
    a row without one has neither."""

    def __init__(self, rows: list[DataRow], match: HeaderMatch, memo: ParseMemo | None = None):
        self.rows = rows
        self.match = match
        self.memo = memo
        self.made: dict[int, RowReader] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> RowReader:
        if i < 0:
            i += len(self.rows)
        reader = self.made.get(i)
        if reader is None:
            reader = self.made[i] = RowReader(self.rows[i], self.match, self.memo)
        return reader

    def __iter__(self) -> Iterator[RowReader]:
        return map(self.__getitem__, range(len(self.rows)))

    def columns(self, keys: list[str]) -> dict[str, list[Any]]:
        """`RowReader.columns` of the chunk, without making readers."""
        return _columns(self.match, [row.cells for row in self.rows], keys)

    def refused(self) -> set[int]:
        """The indexes of the rows with a problem so far."""
        return {i for i, reader in self.made.items() if reader.problems}
