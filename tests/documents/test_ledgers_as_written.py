"""One office workbook written the way offices write them (domain.md §8) — title rows, odd
headers, a column nobody asked for, bad optional values, parents outside the system, 市本级
organizations, a task table whose year is only in its title, a category of its own, unit names
with 市/市委 before them — imports with warnings where §8 says so, and `coverage`,
`dispatch_status` and the bulletin say what is computed here by hand."""

import io
import json

import docx
import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.coverage.models import PartyOrganization
from liangxin.dispatch.models import Task
from liangxin.registry.models import Organization
from tests.coverage.factories import write_workbook
from tests.registry.factories import credit_code

pytestmark = pytest.mark.django_db

JIZHOU_A = credit_code(division="360802", serial=7001)  # 吉州区
CITY_SOCIAL = credit_code(prefix="52", division="360800", serial=7002)  # registered by the city itself
CITY_FIRM = credit_code(division="360800", serial=7003)
QINGYUAN_D = credit_code(division="360803", serial=7004)  # 青原区
BROKEN = JIZHOU_A[:-1] + ("0" if JIZHOU_A[-1] != "0" else "1")

ORGANIZATIONS = [
    ["吉安市“两新”组织台账"],
    ["填报单位：市委组织部    2022年5月"],
    ["序号", "单位名称", "社会信用代码", "所在地区", "成立时间", "党员数", "联系电话", "主管部门", "微信号"],
    [1, "庐陵科技有限公司", JIZHOU_A, "古南街道", "2015-03-01", 5, "123", "市发改委", "lulingkeji"],
    [2, "吉安市青年创业协会", CITY_SOCIAL, None, "2018-06-01", 3, None, "市民政局", None],
    [3, "吉安市城投物业有限公司", CITY_FIRM, "市本级", "2019-01-01", 0, None, None, None],
    [4, "青原物流有限公司", QINGYUAN_D, "青原区", "2020-01-01", 0, "0796-8221234", "市市场监管局", None],
    [5, "校验位错误公司", BROKEN, "吉州区", "2020-01-01", 0, None, None, None],
]
PARTY_ORGS = [
    ["党组织名称", "党组织类别", "组建方式", "覆盖组织统一社会信用代码", "上级党组织", "成立日期"],
    ["吉安市青年创业协会党支部", "党支部", "单独组建", CITY_SOCIAL, "中共吉安市两新工委", "2021-01-01"],
    [
        "古南街道非公企业联合党支部",
        "党支部",
        "联合组建",
        f"{JIZHOU_A}、{CITY_FIRM}",
        "古南街道党工委",
        "2021-01-01",
    ],
]
INSTRUCTORS = [
    ["指导员姓名", "联系电话", "指导组织统一社会信用代码", "派驻日期"],
    ["王指导", "13800001111", QINGYUAN_D, "2022-01-01"],
]
TASKS = [
    ["2022年全市基层党建重点任务清单"],
    ["序号", "任务类别", "重点任务", "具体要求", "牵头单位", "责任单位", "完成时限"],
    ["一、政治统领"],
    [1, None, "两新组织党组织书记轮训", "全年轮训一遍", "市委组织部", "市市场监管局", "年底前"],
    ["六、队伍建设"],
    [2, None, "党建指导员培训", "每季度一期", "市民政局", None, "6月底前"],
]
REPORTS = [
    ["调度期", "任务编号", "填报单位", "进展状态", "完成进度", "本月进展", "报送时间", "审核状态"],
    ["2022-05", 1, "市委组织部", "正常推进", 50, "轮训 120 人", "2022-05-20", "已通过"],
    ["2022-05", 1, "市场监管局", "正常推进", 30, "轮训 40 人", "2022-05-27", "待审核"],
]


def json_of(command, *args):
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def imported(city, tmp_path):
    # The office's own department, as the clerk's lead unit: 市委组织部 is it, and never
    # 井冈山市委组织部 (a county's 组织部 whose name contains it).
    MemberUnit.objects.create(name="市委组织部", kind=MemberUnitKind.DEPARTMENT, region=city, sort=5)
    path = write_workbook(
        tmp_path / "台账.xlsx",
        {"组织": ORGANIZATIONS, "党组织": PARTY_ORGS, "指导员": INSTRUCTORS, "任务": TASKS, "报告": REPORTS},
    )
    with time_machine.travel("2022-06-01 10:00 +0800", tick=False):
        result = json_of("import_data", path)
    return {sheet["sheet"]: sheet for sheet in result["sheets"]}


def messages(sheet, kind="warnings"):
    return [(p["row"], p["column"], p["message"]) for p in sheet[kind]]


def test_the_organizations_import_with_warnings_and_only_a_broken_identity_is_refused(imported):
    sheet = imported["组织"]
    assert (sheet["created"], sheet["rejected"]) == (4, 1)
    assert [(row, column) for row, column, _ in messages(sheet, "errors")] == [(8, "社会信用代码")]
    warned = {(row, column) for row, column, _ in messages(sheet)}
    assert warned == {(3, "微信号"), (4, "联系电话"), (4, "主管部门")}
    unit_warning = next(m for row, column, m in messages(sheet) if column == "主管部门")
    assert "市发改委" in unit_warning and "未导入" in unit_warning
    lulin = Organization.objects.get(credit_code=JIZHOU_A)
    assert (lulin.phone, lulin.supervising_unit, lulin.party_members) == ("", None, 5)
    assert Organization.objects.get(credit_code=QINGYUAN_D).supervising_unit.name == "市场监管局"
    assert Organization.objects.get(credit_code=CITY_SOCIAL).supervising_unit.name == "民政局"


def test_city_level_organizations_belong_to_the_city_itself(imported, city):
    for code in (CITY_SOCIAL, CITY_FIRM):
        org = Organization.objects.get(credit_code=code)
        assert org.region == city and (org.city_code, org.county_code) == ("360800", "")


def test_parents_outside_the_system_are_kept_by_name(imported):
    sheet = imported["党组织"]
    assert (sheet["created"], sheet["rejected"]) == (2, 0)
    assert {(row, column) for row, column, _ in messages(sheet)} == {(2, "上级党组织"), (3, "上级党组织")}
    assert dict(PartyOrganization.objects.values_list("name", "external_parent_name")) == {
        "吉安市青年创业协会党支部": "中共吉安市两新工委",
        "古南街道非公企业联合党支部": "古南街道党工委",
    }


def test_the_plan_takes_its_year_from_the_title_and_keeps_a_category_of_its_own(imported):
    sheet = imported["任务"]
    assert (sheet["created"], sheet["rejected"]) == (2, 0)
    (warning,) = messages(sheet)
    assert warning[0] == 5 and "队伍建设" in warning[2] and "新类别" in warning[2]
    first, second = Task.objects.order_by("sort_key")
    assert first.plan.year == 2022 and first.category == "political"
    assert second.category == "队伍建设" and second.category_label == "队伍建设"
    assert first.lead.name == "市委组织部"  # not 井冈山市委组织部
    assert [a.unit.name for a in first.assignments.order_by("-is_lead")] == ["市委组织部", "市场监管局"]
    assert second.lead.name == "民政局"


def test_coverage_dispatch_status_and_the_bulletin_agree_with_the_figures_by_hand(imported, tmp_path):
    # By hand, on 2022-05-31. In scope: 庐陵科技 (吉州区, joint), 青年创业协会 (市本级, single),
    # 城投物业 (市本级, joint), 青原物流 (青原区, an instructor: work). 庐陵科技 has 5 members
    # and no party organization of its own: 应建未建.
    coverage = json_of("coverage", "--as-of=2022-05-31")
    rows = {row["name"]: row for row in coverage["rows"] if row["total"]}
    figures = {name: (r["total"], r["single"], r["joint"], r["work"], r["none"]) for name, r in rows.items()}
    assert figures == {
        "吉州区": (1, 0, 1, 0, 0),
        "青原区": (1, 0, 0, 1, 0),
        "市本级": (2, 1, 1, 0, 0),
    }
    total = coverage["total"]
    assert (total["total"], total["single"], total["joint"], total["work"], total["should_build"]) == (
        4,
        1,
        2,
        1,
        1,
    )
    assert (total["org_rate_pct"], total["single_rate_pct"], total["work_rate_pct"]) == (75.0, 25.0, 100.0)

    # Three reports expected (task 1: its lead and 市场监管局; task 2: 民政局), two sent, one on time.
    status = json_of("dispatch_status", "--period=2022-05", "--as-of=2022-05-31")
    totals = status["totals"]
    assert (totals["expected"], totals["submitted"], totals["on_time"]) == (3, 2, 1)

    call_command(
        "bulletin",
        "--period=2022-05",
        "--as-of=2022-05-31",
        "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}",
        f"--xlsx={tmp_path / '通报.xlsx'}",
        stdout=io.StringIO(),
    )
    text = "\n".join(p.text for p in docx.Document(tmp_path / "通报.docx").paragraphs)
    assert "全市组织覆盖率为75.0%" in text and "单独组建率为25.0%" in text
    assert "报送率为66.7%" in text and "按时报送率为33.3%" in text
    sheet = openpyxl.load_workbook(tmp_path / "通报.xlsx")["覆盖情况"]
    table = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert "市本级" in table and "吉州区" in table
    assert table["市本级"][1] == 2  # the city's own organizations, beside the counties
