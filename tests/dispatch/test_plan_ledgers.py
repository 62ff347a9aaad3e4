"""A 重点任务清单 as offices write it (domain.md §8): the year from a 年度 column, else the title
row, else the file name, else --year/--period; categories are labels."""

import pytest

from liangxin.core.importing import ImportContext, run_import
from liangxin.dispatch.models import Task
from liangxin.dispatch.plans import category_choices, parse_category
from tests.dispatch.factories import write_workbook

pytestmark = pytest.mark.django_db

HEADER = ["序号", "任务类别", "重点任务", "牵头单位", "完成时限"]


def _import(path, **options):
    return run_import(path, ImportContext(actor=None, filename=path.name, source="command", options=options))


def test_the_title_row_gives_the_year_and_no_option_is_needed(city, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_workbook(
        path, [["2022年全市基层党建重点任务清单"], HEADER, [1, "政治统领", "轮训", "民政局", "6月底前"]]
    )
    report = _import(path)
    assert report.rejected == 0 and report.sheets[0].created == 1
    task = Task.objects.get()
    assert task.plan.year == 2022 and task.deadline.isoformat() == "2022-06-30"


@pytest.mark.parametrize(
    ("title", "filename", "options", "year"),
    [
        ("2022年全市基层党建重点任务清单", "2023年清单.xlsx", {"year": 2024}, 2022),  # title before name
        ("全市基层党建重点任务清单", "2023年清单.xlsx", {"year": 2024}, 2023),  # name before option
        ("全市基层党建重点任务清单", "清单.xlsx", {"period": "2024-05"}, 2024),  # the option last
    ],
)
def test_the_year_comes_from_the_title_then_the_file_name_then_the_options(
    city, tmp_path, title, filename, options, year
):
    path = tmp_path / filename
    write_workbook(path, [[title], HEADER, [1, "政治统领", "轮训", "民政局", "6月底前"]])
    _import(path, **options)
    assert Task.objects.get().plan.year == year


def test_a_year_column_wins_over_the_title(city, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_workbook(
        path,
        [
            ["2022年全市基层党建重点任务清单"],
            [*HEADER, "年度"],
            [1, "政治统领", "轮训", "民政局", "6月底前", "2023年"],
        ],
    )
    _import(path)
    assert Task.objects.get().plan.year == 2023


def test_a_category_of_its_own_is_kept_with_one_warning(city, tmp_path):
    path = tmp_path / "2022年清单.xlsx"
    write_workbook(
        path,
        [
            HEADER,
            [1, "队伍建设", "指导员培训", "民政局", "6月底前"],
            [2, "队伍建设", "书记培训", "民政局", "9月底前"],
            [3, "党建品牌", "品牌评选", "民政局", "年底前"],  # a synonym of 品牌示范
        ],
    )
    report = _import(path)
    sheet = report.sheets[0]
    assert sheet.created == 3 and sheet.rejected == 0
    assert [(w.row, w.column) for w in sheet.warnings] == [(2, "任务类别")]
    assert "队伍建设" in sheet.warnings[0].message
    assert dict(Task.objects.values_list("code", "category")) == {
        "1": "队伍建设",
        "2": "队伍建设",
        "3": "brand",
    }
    assert category_choices(2022)[-1] == ("队伍建设", "队伍建设")


def test_a_category_too_long_to_be_a_label_refuses_the_row(city, tmp_path):
    path = tmp_path / "2022年清单.xlsx"
    write_workbook(path, [HEADER, [1, "长" * 60, "轮训", "民政局", "6月底前"]])
    sheet = _import(path).sheets[0]
    assert sheet.rejected == 1 and "过长" in sheet.errors[0].message


def test_a_heading_row_names_a_new_category_without_its_numbering():
    assert parse_category("六、队伍建设") == ("队伍建设", True)
    assert parse_category("（二）巩固“两个覆盖”") == ("coverage", False)


def test_the_task_form_offers_the_plans_own_categories(city, tmp_path, client_for, office):
    path = tmp_path / "2022年清单.xlsx"
    write_workbook(path, [HEADER, [1, "队伍建设", "指导员培训", "民政局", "6月底前"]])
    _import(path)
    task = Task.objects.get()
    page = client_for(office).get(f"/dispatch/tasks/{task.pk}/edit/")
    assert page.status_code == 200
    assert '<option value="队伍建设" selected>队伍建设</option>' in page.content.decode()
