"""Warnings beside errors (domain.md §8): a column that is not understood is reported, never
ignored in silence, and the report says how each column was read."""

import io
import json

import pytest
from django.core.management import call_command

from liangxin.core.importing import ImportContext, run_import
from liangxin.registry.models import Organization
from tests.registry.factories import credit_code, write_workbook

pytestmark = pytest.mark.django_db

HEADER = ["企业名称", "统一社会信用代码", "所在地区", "微信公众号", "企业名称"]


def rows():
    return [
        HEADER,
        ["吉安市甲科技有限公司", credit_code(serial=801), "吉州区", "jia_official", "甲（重复列）"],
    ]


def test_it_imports_the_row_and_warns_about_a_header_it_does_not_understand(city, tmp_path):
    path = write_workbook(tmp_path / "orgs.xlsx", rows())
    out = io.StringIO()
    call_command("import_data", path, "--json", stdout=out)
    sheet = json.loads(out.getvalue())["sheets"][0]
    assert sheet["created"] == 1 and sheet["errors"] == []
    assert [(w["row"], w["column"]) for w in sheet["warnings"]] == [(1, "微信公众号"), (1, "企业名称")]
    assert "D 列" in sheet["warnings"][0]["message"] and "未导入" in sheet["warnings"][0]["message"]
    assert "E 列" in sheet["warnings"][1]["message"]
    # the left 企业名称 column is the one imported
    assert Organization.objects.get().name == "吉安市甲科技有限公司"


def test_the_preview_says_how_each_column_was_read(city, tmp_path):
    path = write_workbook(tmp_path / "orgs.xlsx", rows())
    report = run_import(path, ImportContext(actor=None, filename="orgs.xlsx", dry_run=True))
    sheet = report.summary()["sheets"][0]
    read = {c["header"]: c["field"] for c in sheet["columns"]}
    assert read["统一社会信用代码"] == "统一社会信用代码"
    assert read["所在地区"] == "所属区划"  # a synonym, read as the template column
    assert "未识别" in read["微信公众号"]
    assert [c["header"] for c in sheet["columns"]] == HEADER
    assert sheet["warning_count"] == 2
    assert not Organization.objects.exists()  # a preview writes nothing


def test_the_plain_output_lists_warnings_after_the_counts(city, tmp_path):
    path = write_workbook(tmp_path / "orgs.xlsx", rows())
    out = io.StringIO()
    call_command("import_data", path, stdout=out)
    text = out.getvalue()
    assert "新增 1" in text and "警告 2 条" in text and "“微信公众号”" in text


def test_the_import_page_shows_warnings_and_the_columns(city, office, client_for, tmp_path):
    path = write_workbook(tmp_path / "orgs.xlsx", rows())
    client = client_for(office)
    with open(path, "rb") as fh:
        response = client.post("/import/", {"file": fh}, follow=True)
    body = response.content.decode()
    assert "警告（这些行已导入" in body
    assert "微信公众号" in body and "各列的读法" in body


def _every_sheet_type():
    from liangxin.core.importing import importers

    return [cls.spec for cls in importers()]


@pytest.mark.parametrize("spec", _every_sheet_type(), ids=lambda spec: spec.type)
def test_every_sheet_type_warns_about_a_made_up_column(city, tmp_path, spec):
    header = [c.label for c in spec.columns] + ["随便写的列"]
    path = write_workbook(tmp_path / f"{spec.type}.xlsx", [header])
    report = run_import(path, ImportContext(actor=None, filename="x.xlsx", dry_run=True))
    (sheet,) = report.summary()["sheets"]
    assert sheet["type"] == spec.type
    (warning,) = sheet["warnings"]
    assert warning["row"] == 1 and warning["column"] == "随便写的列"
    assert warning["message"].startswith("列“随便写的列”未识别，未导入")
    read = {c["header"]: c["field"] for c in sheet["columns"]}
    assert all(read[c.label] == c.label for c in spec.columns)  # every other column was read


def test_the_error_workbook_carries_the_header_warnings(city, tmp_path):
    from python_calamine import CalamineWorkbook

    path = write_workbook(tmp_path / "orgs.xlsx", rows())
    errors = tmp_path / "明细.xlsx"
    out = io.StringIO()
    call_command("import_data", path, "--errors", str(errors), stdout=out)
    book = CalamineWorkbook.from_path(str(errors))
    assert book.sheet_names == ["Sheet1-警告"]
    table = book.get_sheet_by_index(0).to_python()
    assert table[0][0] == "原行号" and table[0][-1] == "警告"
    assert table[1][0] == 1 and table[1][1 : len(HEADER) + 1] == HEADER  # the header row, as written
    assert "列“微信公众号”未识别，未导入" in table[1][-1] and "E 列" in table[1][-1]
