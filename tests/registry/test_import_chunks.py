"""The organizations import by whole chunks: plain rows are classified, fingerprinted and accepted a
chunk at once, anything unusual row by row — with the same outcome, row for row."""

import csv
import datetime

import pytest

from liangxin.core.import_rows import RowReaders, fingerprint, fingerprints
from liangxin.core.importing import ImportContext, run_import
from liangxin.core.tabular import DataRow, find_header
from liangxin.core.tabular.headers import _INVISIBLE, _MARKER_STARTS, _DataRowRules, _plain_start
from liangxin.registry import rules
from liangxin.registry.imports import OrganizationImporter
from liangxin.registry.models import Organization
from tests.registry.factories import credit_code

HEADER = ["统一社会信用代码", "组织名称", "区县", "乡镇（街道）", "成立日期", "正式党员数", "联系电话"]


def test_a_row_hash_written_before_chunked_hashing_still_matches():
    # Digests computed by the row-by-row code this replaced: stored row_hash values must not change.
    match = find_header([["统一社会信用代码", "组织名称", "区县"]], [rules.SPEC])
    rows = [
        ["91360802MA0000001W", "吉安市永叔1号商贸有限公司", None],
        ["x", 3, datetime.date(2020, 1, 2)],  # not all text: the row's repr
        [],
        [None, None, ""],
    ]
    expected = [-5490110743164476699, -6267504089613314436, -6235658890659362495, -7855783887779316268]

    assert fingerprints(match, rows) == expected
    assert [fingerprint(match, cells) for cells in rows] == expected


def _sheet(rows):
    return find_header([HEADER, *rows], [rules.SPEC])


STARTS = sorted(
    {chr(c) for c in range(128)}
    | set(_MARKER_STARTS)
    | {chr(c) for c in _INVISIBLE}
    | set("\u00a0\u3000\u2028\u0085甲吉１Ａ")
)


@pytest.mark.parametrize("start", STARTS)
def test_a_batch_is_taken_whole_only_when_each_row_would_take_the_fast_path(start):
    rules_ = _DataRowRules([HEADER])
    rules_.first = False
    code = "91360802MA0000001W"
    nul = start == "\x00"  # a cell starting with NUL is left to the exact path: the batch's separator
    assert rules_.all_plain([DataRow(3, [code, start + "名称"])]) is (
        _plain_start(start + "名称") and not nul
    )
    first = start + "1"
    assert rules_.all_plain([DataRow(3, [first, "名称"])]) is (
        first.isascii() and _plain_start(first) and not nul
    )
    two = [DataRow(3, [code, "名称"]), DataRow(4, [code, start])]
    assert rules_.all_plain(two) is (_plain_start(start) and not nul)


@pytest.mark.parametrize(
    "cells", [[], ["A"], [None, "名称"], ["A", None], ["", "名称"], ["A", ""], [1, "名称"], ["A", 2]]
)
def test_a_batch_with_a_short_empty_or_non_text_row_goes_row_by_row(cells):
    rules_ = _DataRowRules([HEADER])
    rules_.first = False
    assert not rules_.all_plain([DataRow(3, ["A", "名称"]), DataRow(4, cells)])


def messy_rows():
    rows = [["1", "2", "3", "4", "5", "6", "7"]]  # 栏次 row
    for i in range(1, 40):
        rows.append([credit_code(serial=i), f"吉安市分块{i}号有限公司", "吉州区", "习溪桥街道", "2019-03-05", str(i % 4), ""])  # fmt: skip
        if i == 7:
            rows += [[None] * 7, ["合计", None, None, None, None, "99", None]]
        if i == 11:
            rows.append(HEADER)  # the header repeated on a new page
        if i == 13:
            rows.append([credit_code(serial=3), "重复的公司", "吉州区", None, None, None, None])
        if i == 17:
            rows.append([credit_code(serial=90), "", "吉州区", None, None, None, None])  # no name
        if i == 19:
            rows.append(
                [credit_code(serial=91), "电话写错的公司", "吉州区", None, None, None, "12"]
            )  # warning
        if i == 23:
            rows.append([" " + credit_code(serial=92), "前面有空格的公司", "吉州区", None, None, "-1", None])
        if i == 29:
            rows.append([credit_code(serial=29), "同一块里重复", "吉州区", None, None, None, None])
    rows += [["填表说明：代码填18位"], ["1. 名称填全称"]]
    return rows


def _import(tmp_path, monkeypatch, chunk_size):
    path = tmp_path / f"台账{chunk_size}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *messy_rows()])
    monkeypatch.setattr(OrganizationImporter, "chunk_size", chunk_size)
    read = []
    monkeypatch.setattr(RowReaders, "__getitem__", lambda self, i, get=RowReaders.__getitem__: read.append(self.rows[i].number) or get(self, i))  # fmt: skip
    report = run_import(path, ImportContext(actor=None, filename=path.name, source="command"))
    sheet = report.sheets[0]
    hashes = dict(Organization.objects.values_list("credit_code", "row_hash"))
    Organization.objects.all().delete()
    return sheet, hashes, read


def test_chunks_of_any_size_import_the_same_rows_with_the_same_problems(city, tmp_path, monkeypatch):
    whole, whole_hashes, _ = _import(tmp_path, monkeypatch, 10_000)  # one batch: row by row
    for size in (1, 2, 3, 5, 16):  # after the first batch, plain batches are taken whole
        sheet, hashes, read = _import(tmp_path, monkeypatch, size)
        assert (sheet.created, sheet.rejected, sheet.unchanged) == (whole.created, whole.rejected, 0)
        assert sheet.errors == whole.errors and sheet.warnings == whole.warnings
        assert hashes == whole_hashes
        # A reader is made only for a row there is something to say about.
        assert sorted(set(read)) == sorted({p.row for p in [*sheet.errors, *sheet.warnings]})
    assert (whole.created, whole.rejected) == (40, 4)
    assert [(p.row, p.column) for p in whole.errors] == [(19, "统一社会信用代码"), (24, "组织名称"), (32, "正式党员数"), (39, "统一社会信用代码")]  # fmt: skip
    assert "与第 5 行的统一社会信用代码重复" in whole.errors[0].message
    assert "与第 38 行的统一社会信用代码重复" in whole.errors[3].message  # within one chunk of 16
    assert [(p.row, p.column) for p in whole.warnings] == [(27, "联系电话")]
    assert whole_hashes[credit_code(serial=91)] is None  # imported with a warning: read again next time
    match = _sheet([])
    assert whole_hashes[credit_code(serial=1)] == fingerprint(match, messy_rows()[1])
