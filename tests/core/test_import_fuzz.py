"""Issue 13: random and malformed workbooks and CSV files thrown at the importer. Whatever
arrives, `run_import` returns a report or raises `ImportFailed` with a Chinese message — never
another exception — and writes nothing when it fails, when it is a dry run, or when a strict
import has a rejected row."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import xlsxwriter
from django.apps import apps
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from liangxin.core.importing import ImportContext, ImportFailed, importers, run_import
from tests.core import hostile_files as h
from tests.registry.factories import credit_code

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def header_texts() -> list[str]:
    texts = set()
    for cls in importers():
        for column in cls.spec.columns:
            texts.add(column.label)
            texts.update(column.synonyms)
    return sorted(texts)


def known_values() -> st.SearchStrategy:
    return st.sampled_from(
        [credit_code(serial=n) for n in range(900, 905)]
        + [
            credit_code(prefix="52", serial=906),
            "吉州区",
            "360802",
            "青原区",
            "C39",
            "制造业",
            "存续",
            "注销",
        ]
        + ["2019-03-05", "2019年3月5日", "是", "否", "12人", "1,210", "138****5678", "13800138000"]
        + ["合计", "填表说明：", "=1+1", "@SUM(A1)", "党委", "联合组建", "2022年", "市委组织部"]
    )


CELLS = st.one_of(
    st.none(),
    known_values(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
)


@st.composite
def tables(draw) -> list[list]:
    texts = header_texts()
    spec = draw(st.sampled_from([cls.spec for cls in importers()]))
    recognizable = [spec.column(key).label for key in spec.signature]
    extra = draw(st.lists(st.one_of(st.sampled_from(texts), st.text(max_size=8)), max_size=8))
    header = draw(st.permutations(recognizable + extra)) if draw(st.booleans()) else extra or ["x"]
    above = draw(st.lists(st.lists(CELLS, max_size=3), max_size=2))  # title rows, notes
    body = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=12))
    return [*above, header, *body]


def xlsx_bytes(sheets: list[list[list]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for n, rows in enumerate(sheets):
        sheet = book.add_worksheet(f"表{n + 1}")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str, delimiter: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return text.getvalue().encode(encoding, errors="replace")


def mangle(data: bytes, how: str, where: float, byte: int) -> bytes:
    """Damage a file the ways transfers and editors do: cut it short, flip a byte, add junk."""
    at = int(len(data) * where)
    if how == "truncate":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([byte]) + data[at + 1 :]
    if how == "junk":
        return data + bytes([byte]) * 64
    return data


FILES = st.one_of(
    st.tuples(st.just("xlsx"), st.lists(tables(), min_size=1, max_size=3).map(xlsx_bytes)),
    st.tuples(
        st.just("csv"),
        st.builds(
            csv_bytes,
            tables(),
            st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
            st.sampled_from([",", ";", "\t"]),
        ),
    ),
)


def snapshot() -> dict[str, int]:
    """How many rows every model of the project holds."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("liangxin.")
    }


def attempt(data: bytes, name: str, *, strict: bool, dry_run: bool) -> None:
    before = snapshot()
    ctx = ImportContext(actor=None, filename=name, source="command", strict=strict, dry_run=dry_run)
    try:
        report = run_import(data, ctx)
    except ImportFailed as exc:
        assert CHINESE.search(exc.message), exc.message
        assert snapshot() == before
        event("refused")
        return
    event("written" if report.committed else "nothing written")
    if dry_run or (strict and report.rejected) or not report.committed:
        assert not report.committed
        assert snapshot() == before
    for sheet in report.sheets:
        for problem in sheet.errors:
            assert CHINESE.search(problem.message), problem


@pytest.mark.django_db
@FUZZ
@given(
    file=FILES,
    how=st.sampled_from(["none", "none", "truncate", "flip", "junk"]),
    where=st.floats(min_value=0, max_value=1),
    byte=st.integers(min_value=0, max_value=255),
    strict=st.booleans(),
    dry_run=st.booleans(),
)
def test_random_and_damaged_files_fail_cleanly_or_import_without_partial_writes(
    city, file, how, where, byte, strict, dry_run
):
    kind, data = file
    attempt(mangle(data, how, where, byte), f"台账.{kind}", strict=strict, dry_run=dry_run)


@pytest.mark.django_db
@FUZZ
@given(
    ref=st.tuples(st.integers(min_value=1, max_value=16_384), st.integers(min_value=2, max_value=1_048_576)),
    dimension=st.booleans(),
    strict=st.booleans(),
)
def test_a_cell_anywhere_in_the_grid_is_refused_or_read_never_allocated_blindly(
    city, tmp_path_factory, ref, dimension, strict
):
    column, row = ref
    where = f"{h.column_letters(column)}{row}"
    path = h.one_far_cell(
        tmp_path_factory.mktemp("far") / "a.xlsx", where, dimension=f"A1:{where}" if dimension else None
    )
    attempt(path.read_bytes(), "台账.xlsx", strict=strict, dry_run=False)
