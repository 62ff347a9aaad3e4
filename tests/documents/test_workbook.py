"""The bulletin's workbook (liangxin.documents.workbook), read back with openpyxl and python-calamine."""

import io
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from liangxin.documents.bulletin import GridRow, ProblemTask, TaskRow
from liangxin.documents.workbook import SHEETS, write_bulletin_workbook
from tests.documents.factories import sample_bulletin


def workbook_bytes(data=None) -> bytes:
    out = io.BytesIO()
    write_bulletin_workbook(data or sample_bulletin(), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes()))


@pytest.fixture(scope="module")
def calamine():
    return CalamineWorkbook.from_filelike(io.BytesIO(workbook_bytes()))


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


def test_it_has_one_sheet_per_table_and_the_task_unit_grid(book, calamine):
    assert book.sheetnames == list(SHEETS)
    assert calamine.sheet_names == list(SHEETS)


def test_it_freezes_the_title_and_header_rows_and_sets_widths(book):
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet["A1"].value.endswith("（数据截至2022年5月31日）"), sheet.title
        assert sheet.column_dimensions["A"].width > 8, sheet.title
    assert book["重点任务推进情况"].column_dimensions["B"].width >= 40


def test_it_writes_the_overall_figures_with_rates_as_percentages(book):
    sheet = book["总体情况"]
    figures = {row[0]: row[1:] for row in rows(sheet)}
    assert figures["应报送事项（个）"] == [214, None]
    assert figures["逾期（个）"] == [19, None]
    assert figures["此前已完成、本月不再报送（个）"] == [5, None]
    lights = ("已完成（个）", "正常推进（个）", "滞后（个）", "逾期（个）")
    assert sum(figures[k][0] for k in lights) == figures["应报送事项（个）"][0]
    assert figures["报送率"][0] == pytest.approx(0.902)
    assert figures["报送率"][1] == pytest.approx(2.6)
    assert figures["按时报送率"][1] == pytest.approx(-1.4)
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "报送率")
    rate_cell = sheet.cell(row=row, column=2)
    assert rate_cell.number_format == "0.0%"
    assert sheet.cell(row=row, column=3).number_format == "+0.0;-0.0;0.0"


def test_it_writes_coverage_by_county_with_the_city_last(book, calamine):
    sheet = book["覆盖情况"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["县（市、区）", "纳入统计组织数", "组织覆盖率", "较上月（百分点）"]
    data = rows(sheet)
    assert [r[0] for r in data] == ["吉州区", "青原区", "吉安县", "全市"]
    assert data[0][1:4] == [1600, pytest.approx(0.813), pytest.approx(1.2)]
    assert data[-1][5] == pytest.approx(0.3)
    assert data[-1][7] == "—"  # no previous work-coverage figure
    assert sheet["C3"].number_format == "0.0%"
    # the same through calamine: the rate the document shows, to the digit
    cells = calamine.get_sheet_by_name("覆盖情况").to_python()
    assert cells[2][0] == "吉州区"
    assert cells[2][2] == pytest.approx(0.813)


def test_it_lists_tasks_problems_rankings_units_and_the_grid(book):
    assert rows(book["重点任务推进情况"])[1] == [
        "2",
        "推进非公企业党组织应建尽建",
        "市场监管局",
        "滞后",
        "完成进度47%",
    ]
    assert rows(book["存在问题"]) == [
        ["逾期", "3", "规范联合党支部设置", "民政局", "民政局、青原区委组织部"],
        ["滞后", "2", "推进非公企业党组织应建尽建", "市场监管局", "吉安县委组织部"],
        ["未按时报送", None, None, None, "邮政管理局（应报送4个，按时报送3个；第2项逾期报送）"],
        [
            "未按时报送",
            None,
            None,
            None,
            "网信办（应报送4个，按时报送1个；第1项、第2项逾期报送，第4项未报送）",
        ],
    ]
    assert rows(book["红黑榜"]) == [
        ["红榜", 1, "市场监管局", 98.5, None],
        ["红榜", 2, "吉州区委组织部", 96, "并列"],
        ["红榜", 2, "民政局", 96, "并列"],
        ["黑榜", 27, "网信办", 61.5, None],
    ]
    units = rows(book["单位报送情况"])
    assert units[1][:4] == ["网信办", 4, 3, 1]
    assert units[1][4:6] == [pytest.approx(0.75), pytest.approx(0.25)]
    assert book["单位报送情况"]["E3"].number_format == "0.0%"
    grid = rows(book["任务单位明细"])
    assert grid[0] == [
        "1",
        "开展两新组织党组织书记轮训",
        "市委组织部",
        "吉州区委组织部",
        "已完成",
        100,
        "已报送",
        "是",
    ]
    assert grid[2][4:] == ["逾期", None, "未报送", None]


def test_a_task_title_that_looks_like_a_formula_stays_text():
    data = sample_bulletin(
        tasks=[TaskRow("1", "=1+1", "@SUM(A1)", "green", "+cmd|' /C calc'!A0")],
        overdue=[ProblemTask("1", "=1+1", ["-2+3"])],
        grid=[GridRow("1", "=1+1", "民政局", '=HYPERLINK("http://x")', "green")],
    )
    raw = workbook_bytes(data)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    cell = book["重点任务推进情况"]["B3"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"  # a string, not a formula
    assert cell.quotePrefix  # and Excel keeps it text when the cell is edited
    assert book["重点任务推进情况"]["C3"].value == "@SUM(A1)"
    assert book["重点任务推进情况"]["E3"].value == "+cmd|' /C calc'!A0"
    assert book["存在问题"]["E3"].value == "-2+3"
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    assert calamine.get_sheet_by_name("重点任务推进情况").to_python()[2][1] == "=1+1"
    assert calamine.get_sheet_by_name("任务单位明细").to_python()[2][3] == '=HYPERLINK("http://x")'
    formulas = openpyxl.load_workbook(io.BytesIO(raw), data_only=False)
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate}"


def test_it_writes_an_empty_month_without_failing():
    data = sample_bulletin(
        tasks=[], overdue=[], lagging=[], late_units=[], red_list=[], black_list=[], units=[], grid=[]
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))
    assert rows(book["重点任务推进情况"]) == []
    assert book["存在问题"].freeze_panes == "A3"


def test_the_same_data_gives_the_same_bytes():
    assert workbook_bytes() == workbook_bytes()


def test_it_writes_to_a_path(tmp_path):
    target = tmp_path / "通报.xlsx"
    write_bulletin_workbook(sample_bulletin(coverage_scope="三有"), target)
    book = openpyxl.load_workbook(target)
    assert "口径：三有" in book["覆盖情况"]["A1"].value
    assert Decimal(str(book["总体情况"]["B3"].value)) == 17
