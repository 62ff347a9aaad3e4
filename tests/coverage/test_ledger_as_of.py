"""A 摸排表's title often says what day its facts are as of (“截至2022年5月31日…摸排表”): the
party-building facts are dated from that day, not from the day the file happens to be imported;
a 截至 date after the import date (or one that does not exist) is not used, with a warning."""

import datetime

import pytest
import time_machine

from liangxin.core.importing import ImportContext, run_import
from liangxin.coverage.ledger import as_of_in_title
from liangxin.coverage.models import Assignment, CoverageLink
from tests.coverage.factories import write_workbook
from tests.coverage.test_ledger import D_, EXISTING, IMPORT_DAY, ROWS, G, figures, import_on, sheet  # noqa: F401

pytestmark = pytest.mark.django_db
D = datetime.date


def titled(tmp_path, title: str) -> str:
    return write_workbook(tmp_path / "摸排表.xlsx", {"摸排表": [[title], *ROWS[1:]]})


@pytest.mark.parametrize(
    ("title", "day"),
    [
        ("截至2026年11月30日全市两新组织摸排表", D(2026, 11, 30)),
        ("全市摸排表（截止2026-11-30）", D(2026, 11, 30)),
        ("截至 2026.1.5 摸排情况", D(2026, 1, 5)),
        ("摸排表（截至2026年2月）", D(2026, 2, 28)),
        ("截止日期：2026/03/31", D(2026, 3, 31)),
    ],
)
def test_it_reads_the_as_of_date_as_titles_write_it(title, day):
    assert as_of_in_title(title)[1] == day


def test_a_title_without_a_date_gives_none_and_an_impossible_day_is_said_so():
    assert as_of_in_title("2022年吉州区两新组织党建摸排表") is None
    assert as_of_in_title("截至2026年2月30日摸排表") == ("截至2026年2月30日", None)


def test_the_facts_are_dated_from_the_title_and_the_figures_of_that_day_include_them(sheet, tmp_path):  # noqa: F811
    path = titled(tmp_path, "截至2022年5月31日吉州区、青原区两新组织党建摸排表")
    report = import_on(IMPORT_DAY, path)  # imported on 15 June
    assert report["rejected"] == 0 and not [w for w in report["warnings"] if w["column"] == "标题"]
    # 丁 joins the existing joint branch and 庚's instructor starts on the title's day, not on 15 June
    assert CoverageLink.objects.get(party_org__name=EXISTING, organization__credit_code=D_).starts_on == D(
        2022, 5, 31
    )
    assert Assignment.objects.get(organization__credit_code=G).starts_on == D(2022, 5, 31)
    # the figures of 31 May are those the sheet describes (without the title they came on 15 June)
    assert figures("2022-05-31")["全市"] == (9, 2, 4, 2, 1, 1)
    assert figures("2022-05-30")["全市"] == (9, 2, 3, 1, 3, 1)


def test_the_preview_shows_the_date_it_read_from_the_title(sheet, tmp_path):  # noqa: F811
    path = titled(tmp_path, "截至2022年5月31日两新组织党建摸排表")
    with time_machine.travel(IMPORT_DAY, tick=False):
        report = run_import(path, ImportContext(actor=None, filename="摸排表.xlsx", dry_run=True))
    (summary,) = report.summary()["sheets"]
    read = {c["header"]: c["field"] for c in summary["columns"]}
    assert read["标题“截至2022年5月31日”"] == "党建信息截至日期 2022-05-31"


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("截至2022年12月31日两新组织党建摸排表", "晚于导入日期 2022-06-15"),
        ("截至2022年2月30日两新组织党建摸排表", "不是有效日期"),
    ],
)
def test_a_title_date_after_the_import_date_or_impossible_is_not_used_with_a_warning(
    sheet,  # noqa: F811
    tmp_path,
    title,
    reason,
):
    report = import_on(IMPORT_DAY, titled(tmp_path, title))
    (warning,) = [w for w in report["warnings"] if w["column"] == "标题"]
    assert warning["row"] == 1 and reason in warning["message"]
    assert "按导入日期 2022-06-15 记录" in warning["message"]
    assert report["rejected"] == 0 and report["created"] == 8
    assert Assignment.objects.get(organization__credit_code=G).starts_on == D(2022, 6, 15)
