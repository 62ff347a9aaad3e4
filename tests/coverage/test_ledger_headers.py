"""A 摸排表 as townships write it (issue 21): the party-building columns under their common other
names (是否成立党组织, 党组织建立情况 with 已建/未建, 党组织形式, 建立方式, 联建单位,
党建指导员（联络员）, 指导员电话) are read as the template's columns, and a new party organization
without a founding date covers from the import date, with a warning that says so."""

import datetime

import pytest
import time_machine

from liangxin.core.importing import ImportContext, run_import
from liangxin.coverage.models import Assignment, CoverageLink, Formation, PartyOrganization
from tests.coverage.factories import credit_code, write_workbook
from tests.coverage.test_ledger import figures, import_on

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
IMPORT_DAY = datetime.datetime(2022, 6, 15, 10, 0, tzinfo=SHANGHAI)

A, B, C, E = (credit_code(serial=2300 + i) for i in range(4))
JOINT = "古南街道商圈联合党支部"

# (has_party, party_name, formation, instructor, instructor_phone): as the template names them
# on the left, then two ways a township's sheet names them
VARIANTS = {
    "template": ("是否建立党组织", "党组织名称", "组建方式", "党建指导员姓名", "指导员联系电话"),
    "建立情况": ("党组织建立情况", "联建单位", "党组织形式", "党建指导员（联络员）", "指导员电话"),
    "是否成立": ("是否成立党组织", "党组织名称", "建立方式", "党建指导员（联络员）", "指导员电话"),
}
FIELDS = ("是否建立党组织", "党组织名称", "组建方式", "党建指导员姓名", "指导员联系电话")


def township_sheet(tmp_path, headers: tuple[str, ...]) -> str:
    rows = [
        ["统一社会信用代码", "组织名称", "所属区划", "成立日期", "正式党员数", *headers],
        [A, "古南甲公司", "古南街道", "2015-03-01", 4, "已建", "中共古南甲公司支部", "单独组建", None, None],
        [B, "古南乙公司", "古南街道", "2016-03-01", 1, "已建", JOINT, "联合组建", None, None],
        [C, "古南丙公司", "古南街道", "2016-03-01", 2, "已建", JOINT, "联合组建", None, None],
        [E, "古南戊公司", "古南街道", "2018-03-01", 0, "未建", None, None, "王指导", "13800138001"],
    ]
    return write_workbook(tmp_path / "古南街道摸排表.xlsx", {"摸排表": rows})


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_the_preview_reads_the_common_names_of_the_party_columns(city, tmp_path, variant):
    path = township_sheet(tmp_path, VARIANTS[variant])
    with time_machine.travel(IMPORT_DAY, tick=False):
        report = run_import(path, ImportContext(actor=None, filename="摸排表.xlsx", dry_run=True))
    (summary,) = report.summary()["sheets"]
    assert summary["type"] == "ledger"
    read = {c["header"]: c["field"] for c in summary["columns"]}
    assert [read[header] for header in VARIANTS[variant]] == list(FIELDS)
    assert not [w for w in summary["warnings"] if "未识别" in w["message"]]


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_a_township_sheet_under_other_names_gives_the_same_branches_and_figures(city, tmp_path, variant):
    report = import_on(IMPORT_DAY, township_sheet(tmp_path, VARIANTS[variant]))
    assert (report["created"], report["rejected"]) == (4, 0), report["errors"]
    single = PartyOrganization.objects.get(name="中共古南甲公司支部")
    joint = PartyOrganization.objects.get(name=JOINT)
    assert (single.formation, joint.formation) == (Formation.SINGLE, Formation.JOINT)
    assert sorted(joint.organizations.values_list("name", flat=True)) == ["古南丙公司", "古南乙公司"]
    assert Assignment.objects.get().instructor.phone == "13800138001"
    # no 党组织成立时间 column: no founding date is made up; both new branches are recorded on the
    # import date and cover from it (their links from the branch's start), each with a warning
    assert [(p.founded_on, p.recorded_on) for p in (single, joint)] == [
        (None, datetime.date(2022, 6, 15))
    ] * 2
    assert set(CoverageLink.objects.values_list("starts_on", flat=True)) == {None}
    undated = [w for w in report["warnings"] if "没有填写党组织成立时间" in w["message"]]
    assert sorted(w["row"] for w in undated) == [2, 3]
    assert all("按导入日期 2022-06-15 起计算覆盖" in w["message"] for w in undated)
    # (total, single, joint, work, none, 应建未建): nothing covered the day before the import,
    # the instructor (no 派驻日期) included
    assert figures("2022-06-14")["吉州区"] == (4, 0, 0, 0, 4, 1)
    assert figures("2022-06-15")["吉州区"] == (4, 1, 2, 1, 0, 0)
